package org.hotmem.power;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A swap area in a real file, in Linux's on-disk layout (include/linux/swap.h, mkswap): the
 * header page at {@code resume_offset} holds {@code union swap_header} (version 1,
 * {@code last_page}, {@code nr_badpages}, uuid, label) and the signature {@code SWAPSPACE2} in
 * its last 10 bytes; slots 1..last_page hold pages. Hibernation replaces the signature by its
 * own header ({@link SwsuspHeader}) and puts the image in free slots.
 *
 * <p>Slot allocation models get_swap_page_of_type() on an area nothing else swaps to: the
 * lowest free slot first. Invariant: {@code used[s]} iff slot s was handed out since the last
 * {@link #freeAllSlots()}. Every page access is a positioned read or write of the file.
 */
public final class SwapArea implements AutoCloseable {
    public static final int PAGE_SIZE = PageContent.PAGE_SIZE;
    public static final String SWAPSPACE2 = "SWAPSPACE2";

    private final Path file;
    private final FileChannel ch;
    /** Page offset of the swap header inside the file (resume_offset). */
    private final long base;
    private final long lastPage;
    private final boolean[] used;
    private int nextFree = 1;

    private SwapArea(Path file, FileChannel ch, long base, long lastPage) {
        this.file = file;
        this.ch = ch;
        this.base = base;
        this.lastPage = lastPage;
        this.used = new boolean[(int) Math.min(Integer.MAX_VALUE - 8, lastPage + 1)];
    }

    /**
     * Models mkswap: writes a version-1 swap header for the whole file (which must exist and be
     * at least two pages) at page {@code offset}; returns the number of usable pages.
     */
    public static long mkswap(Path file, long offset, byte[] uuid) {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pages = c.size() / PAGE_SIZE - offset;
            if (pages < 10) throw new IllegalArgumentException("mkswap: error: swap area needs to be at least 40 KiB");
            ByteBuffer h = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(1024, 1);                       // version
            h.putInt(1028, (int) (pages - 1));       // last_page
            h.putInt(1032, 0);                       // nr_badpages
            h.put(1036, uuid, 0, 16);                // sws_uuid
            h.put(PAGE_SIZE - 10, SWAPSPACE2.getBytes(StandardCharsets.US_ASCII));
            c.write(h, offset * PAGE_SIZE);
            return pages - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates (or truncates) a sparse file of {@code bytes}, as {@code qemu-img create -f raw}. */
    public static void createImage(Path file, long bytes) {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING)) {
            if (bytes > 0) c.write(ByteBuffer.allocate(1), bytes - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens the swap area whose header page is at page {@code offset} of {@code file}
     * (swapon). The header must carry a swap signature or hibernation's.
     *
     * @throws IllegalArgumentException when the page holds no swap header
     */
    public static SwapArea open(Path file, long offset) {
        try {
            FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer h = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            c.read(h, offset * PAGE_SIZE);
            long last = Integer.toUnsignedLong(h.getInt(1028));
            long avail = c.size() / PAGE_SIZE - offset - 1;
            if (last == 0 || last > avail) last = avail;
            return new SwapArea(file, c, offset, last);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path file() { return file; }

    /** Usable slots: 1..lastPage. */
    public long lastPage() { return lastPage; }

    /** The header page's signature (its last 10 bytes), as text without trailing NULs. */
    public String signature() {
        byte[] p = readPage(0);
        return SwsuspHeader.text(Arrays.copyOfRange(p, PAGE_SIZE - 10, PAGE_SIZE));
    }

    /** Models count_swap_pages(type, 1): free slots. */
    public long freeSlots() {
        long n = 0;
        for (int s = 1; s < used.length; s++) if (!used[s]) n++;
        return n;
    }

    /** Models alloc_swapdev_block(): the lowest free slot, or 0 when the area is full. */
    public long allocSlot() {
        while (nextFree < used.length && used[nextFree]) nextFree++;
        if (nextFree >= used.length) return 0;
        used[nextFree] = true;
        return nextFree++;
    }

    /** Models free_all_swap_pages(). */
    public void freeAllSlots() {
        Arrays.fill(used, false);
        nextFree = 1;
    }

    /** Reads the page at swap offset {@code slot} (0 = the header). */
    public byte[] readPage(long slot) {
        byte[] p = new byte[PAGE_SIZE];
        readPage(slot, p, 0);
        return p;
    }

    /** Reads the page at {@code slot} into {@code dst[off..off+4096)}; a page beyond the end of the file reads as -EIO. */
    public void readPage(long slot, byte[] dst, int off) {
        try {
            ByteBuffer b = ByteBuffer.wrap(dst, off, PAGE_SIZE);
            long pos = (base + slot) * PAGE_SIZE;
            while (b.hasRemaining()) {
                int n = ch.read(b, pos + b.position() - off);
                if (n < 0) throw new java.io.EOFException("read beyond the end of " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code src[off..off+4096)} to {@code slot}. */
    public void writePage(long slot, byte[] src, int off) {
        try {
            ByteBuffer b = ByteBuffer.wrap(src, off, PAGE_SIZE);
            long pos = (base + slot) * PAGE_SIZE;
            while (b.hasRemaining()) ch.write(b, pos + b.position() - off);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes the file to the host's disk (blkdev_issue_flush). */
    public void sync() {
        try {
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
