package org.hotmem.kernel.fs;

import java.nio.charset.StandardCharsets;

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
    /** The most one write(2) hands to a sysfs store (PAGE_SIZE). */
    public static final int PAGE_SIZE = 4096;
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
     * Writes {@code buf} as a user-space full_write() loop does: kernfs_fop_write_iter() takes
     * at most {@link #PAGE_SIZE} bytes per write(2) of a sysfs attribute, so a longer text
     * reaches the store in page-sized pieces, one call each, until one fails; an empty text
     * makes no call (sysfs_kf_write() returns 0 for a zero count). The store sees each piece's
     * bytes (UTF-8) one char per byte. Throws the store's {@code KernelException}; the caller
     * checks {@link #writable()} first.
     */
    public void write(String buf) {
        if (store == null) {
            throw new IllegalStateException("kernfs: " + path() + " has no store");
        }
        byte[] bytes = buf.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < bytes.length; off += PAGE_SIZE) {
            int len = Math.min(PAGE_SIZE, bytes.length - off);
            store.store(new String(bytes, off, len, StandardCharsets.ISO_8859_1));
        }
    }
}
