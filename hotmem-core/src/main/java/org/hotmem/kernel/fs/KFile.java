package org.hotmem.kernel.fs;

/**
 * A kernfs attribute file: a mode and the {@link Show}/{@link Store} callbacks of its owner.
 *
 * <p>The mode is checked by openers as the VFS does for sysfs, even for root: a file without
 * an owner write bit (0444) cannot be opened for writing (EACCES), one without an owner read
 * bit (0200, e.g. {@code soft_offline_page}) cannot be opened for reading (EACCES).
 *
 * <p>Invariant: mode and callbacks are fixed at creation (final fields); whatever state a read
 * or write touches belongs to the owner and is guarded by the owner's locks.
 */
public final class KFile extends KNode {
    private final int mode;
    private final Show show;
    private final Store store;

    KFile(String name, KDir parent, int mode, Show show, Store store) {
        super(name, parent);
        this.mode = mode;
        this.show = show;
        this.store = store;
    }

    /** The permission bits, e.g. {@code 0644}. */
    public int mode() {
        return mode;
    }

    /** True if the owner read bit is set and there is a show callback. */
    public boolean readable() {
        return (mode & 0400) != 0 && show != null;
    }

    /** True if the owner write bit is set and there is a store callback. */
    public boolean writable() {
        return (mode & 0200) != 0 && store != null;
    }

    /**
     * Reads the whole file. Runs the show callback, which may throw
     * {@code KernelException}. The caller checks {@link #readable()} first.
     */
    public String read() {
        if (show == null) {
            throw new IllegalStateException("kernfs: " + path() + " has no show");
        }
        return show.show();
    }

    /**
     * Writes {@code buf} in one write(2). Runs the store callback, which may throw
     * {@code KernelException}. The caller checks {@link #writable()} first.
     */
    public void write(String buf) {
        if (store == null) {
            throw new IllegalStateException("kernfs: " + path() + " has no store");
        }
        store.store(buf);
    }
}
