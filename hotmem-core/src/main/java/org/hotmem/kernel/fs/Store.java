package org.hotmem.kernel.fs;

/**
 * The write side of a kernfs attribute, as a sysfs {@code store()} callback.
 *
 * <p>{@code buf} is exactly the text written, <em>including</em> the trailing newline that
 * {@code echo} appends ({@code "online\n"}), as Linux passes it. Store functions strip it
 * themselves the way Linux's do: {@code sysfs_streq()} ignores one trailing newline,
 * {@code kstrtobool()}/{@code kstrtoul()} accept one. An empty write from {@code echo ""} is
 * {@code "\n"}.
 *
 * <p>Called from inside a task; it may take locks and sleep. Errors are reported by throwing
 * {@code org.hotmem.kernel.KernelException} with Linux's errno (a shell prints
 * {@code sh: write error: <strerror>}).
 */
@FunctionalInterface
public interface Store {
    /** Consumes one write of {@code buf}. */
    void store(String buf);
}
