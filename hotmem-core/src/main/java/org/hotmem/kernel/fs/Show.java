package org.hotmem.kernel.fs;

/**
 * The read side of a kernfs attribute: returns the whole text of the file, as a sysfs
 * {@code show()} callback fills its page buffer (including the trailing newline that
 * Linux's attributes print, e.g. {@code "online\n"}).
 *
 * <p>Called from inside a task; it may take locks and sleep. It may throw
 * {@code org.hotmem.kernel.KernelException}; a reader then sees that errno.
 */
@FunctionalInterface
public interface Show {
    /** Returns the file's text. */
    String show();
}
