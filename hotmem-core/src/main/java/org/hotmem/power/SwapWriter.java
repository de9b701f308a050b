package org.hotmem.power;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.KernelVersion;

/**
 * Writes a snapshot to a swap area (swsusp_write() in kernel/power/swap.c): a swap-map page is
 * started at the first free slot; the image header page goes out uncompressed; then the meta
 * and data pages, either page by page (hibernate=nocompress) or in chunks of 32 pages, each
 * compressed into an 8-byte length plus the compressed bytes padded to whole pages, with a CRC32
 * of the uncompressed stream; every page's slot is recorded in the swap map (511 entries and a
 * link per map page, each map page written when full). Finally mark_swapfiles() puts the
 * hibernation signature into the header page, and the last map page is flushed.
 *
 * <p>Virtual time: each chunk costs its compression (spread over the compression threads) and
 * its write. A {@code powerLossAfter} slot budget stops every write after that many pages, as a
 * power cut in the middle of the write would.
 */
final class SwapWriter {
    /** MAP_PAGE_ENTRIES = PAGE_SIZE / sizeof(sector_t) - 1. */
    static final int MAP_PAGE_ENTRIES = PageContent.PAGE_SIZE / 8 - 1;

    private final Kernel kernel;
    private final KernelVersion version;
    private final SwapArea swap;
    private final HibernateCosts costs;
    private final byte[] map = new byte[PageContent.PAGE_SIZE];
    private final ByteBuffer mapBuf = ByteBuffer.wrap(map).order(ByteOrder.LITTLE_ENDIAN);
    private long curSwap;
    private long firstSector;
    private int k;
    /** Pages still allowed to reach the disk (power loss), or Long.MAX_VALUE. */
    private long powerBudget;
    /** Bytes written to the swap area for image data (after compression), for the metrics. */
    long bytesWritten;
    /** Pages that reached the disk. */
    long pagesWritten;

    SwapWriter(Kernel kernel, KernelVersion version, SwapArea swap, HibernateCosts costs, long powerLossAfter) {
        this.kernel = kernel;
        this.version = version;
        this.swap = swap;
        this.costs = costs;
        this.powerBudget = powerLossAfter;
    }

    /**
     * Models swsusp_write(flags): writes the image; on failure frees every slot it took and
     * throws the errno.
     */
    void write(ImageStream image, int flags, HibernateCompressor.Algorithm alg, int threads) {
        int error = 0;
        try {
            curSwap = swap.allocSlot(); // get_swap_writer()
            if (curSwap == 0) throw new KernelException(Errno.ENOSPC);
            firstSector = curSwap;
            long pages = image.pages();
            if ((flags & SwsuspHeader.SF_NOCOMPRESS_MODE) != 0 && swap.freeSlots() <= Snapshot.PAGES_FOR_IO + pages) {
                kernel.dmesg().err("PM: Not enough free swap");
                throw new KernelException(Errno.ENOSPC);
            }
            writePage(image.page(0), 0);
            int crc = (flags & SwsuspHeader.SF_NOCOMPRESS_MODE) != 0
                    ? saveImage(image, pages - 1)
                    : saveCompressedImage(image, pages - 1, alg, threads);
            finish(flags, crc);
        } catch (KernelException e) {
            error = e.ret();
            swap.freeAllSlots();
            throw e;
        } finally {
            if (error == 0) swap.sync();
        }
    }

    /** Models save_image(): page by page, no CRC. */
    private int saveImage(ImageStream image, long n) {
        kernel.dmesg().info("PM: Saving image data pages (" + n + " pages)...");
        long m = Math.max(1, n / 10);
        long start = kernel.now();
        for (long i = 0; i < n; i++) {
            if (i % m == 0) kernel.dmesg().info(String.format("PM: Image saving progress: %3d%%", i / m * 10));
            writePage(image.page(i + 1), 0);
            kernel.consume(costs.writeNs(PageContent.PAGE_SIZE));
        }
        kernel.dmesg().info("PM: Image saving done");
        Hibernation.showSpeed(kernel, start, kernel.now(), n, "Wrote");
        bytesWritten = n * PageContent.PAGE_SIZE;
        return 0;
    }

    /** Models save_compressed_image(): 32-page chunks, length-prefixed, CRC32 over the uncompressed data. */
    private int saveCompressedImage(ImageStream image, long n, HibernateCompressor.Algorithm alg, int threads) {
        if (version.has(KernelFeature.HIBERNATE_NAMED_COMPRESSOR_LINES)) {
            kernel.dmesg().info("PM: Using " + threads + " thread(s) for " + alg.name + " compression");
        } else {
            kernel.dmesg().info("PM: Using " + threads + " thread(s) for compression");
        }
        kernel.dmesg().info("PM: Compressing and saving image data (" + n + " pages)...");
        HibernateCompressor.Crc32Le crc = new HibernateCompressor.Crc32Le();
        long m = Math.max(1, n / 10);
        long start = kernel.now();
        long done = 0;
        long compressed = 0;
        try (ChunkPipeline pipe = new ChunkPipeline(image, alg, n)) {
            for (int c = 0; c < pipe.chunks(); c++) {
                ChunkPipeline.Chunk ch = pipe.take();
                for (int off = 0; off < ch.uncLen; off += PageContent.PAGE_SIZE) {
                    if (done % m == 0) kernel.dmesg().info(String.format("PM: Image saving progress: %3d%%", done / m * 10));
                    done++;
                }
                crc.update(ch.unc, 0, ch.uncLen);
                int cmpLen = ch.cmpLen;
                if (cmpLen <= 0 || cmpLen > HibernateCompressor.worstCompress(ch.uncLen)) {
                    kernel.dmesg().err("PM: Invalid " + alg.name + " compressed length");
                    throw new KernelException(Errno.EPERM);
                }
                ByteBuffer.wrap(ch.cmp).order(ByteOrder.LITTLE_ENDIAN).putLong(0, cmpLen);
                int total = HibernateCompressor.CMP_HEADER + cmpLen;
                java.util.Arrays.fill(ch.cmp, total, Math.min(ch.cmp.length, roundUpPage(total)), (byte) 0);
                for (int p = 0; p < total; p += PageContent.PAGE_SIZE) writePage(ch.cmp, p);
                compressed += total;
                kernel.consume(costs.compressNs(ch.uncLen) / threads + costs.writeNs(roundUpPage(total)));
                pipe.release(ch);
            }
        }
        if (!version.has(KernelFeature.HIBERNATE_NAMED_COMPRESSOR_LINES)) {
            kernel.dmesg().info("PM: Image saving done");
            Hibernation.showSpeed(kernel, start, kernel.now(), n, "Wrote");
        } else {
            Hibernation.showSpeed(kernel, start, kernel.now(), n, "Wrote");
            kernel.dmesg().info("PM: Image size after compression: " + compressed / 1024 + " kbytes");
            kernel.dmesg().info("PM: Image saving done");
        }
        bytesWritten = compressed;
        return crc.value();
    }

    private static int roundUpPage(int n) {
        return (n + PageContent.PAGE_SIZE - 1) / PageContent.PAGE_SIZE * PageContent.PAGE_SIZE;
    }

    /** Models swap_write_page(): the page goes to the next free slot, which the map records. */
    private void writePage(byte[] buf, int off) {
        long slot = swap.allocSlot();
        if (slot == 0) throw new KernelException(Errno.ENOSPC);
        diskWrite(slot, buf, off);
        mapBuf.putLong(k++ * 8, slot);
        if (k >= MAP_PAGE_ENTRIES) {
            long nextMap = swap.allocSlot();
            if (nextMap == 0) throw new KernelException(Errno.ENOSPC);
            mapBuf.putLong(MAP_PAGE_ENTRIES * 8, nextMap);
            diskWrite(curSwap, map, 0);
            java.util.Arrays.fill(map, (byte) 0);
            curSwap = nextMap;
            k = 0;
        }
    }

    /** Models swap_writer_finish(): "S", mark_swapfiles(), "|", then the last map page. */
    private void finish(int flags, int crc) {
        kernel.dmesg().info("PM: S");
        byte[] hp = swap.readPage(0);
        SwsuspHeader h = new SwsuspHeader(hp);
        if (!h.isSwapSignature()) {
            kernel.dmesg().amendLast("|");
            kernel.dmesg().err("PM: Swap header not found!");
            throw new KernelException(Errno.ENODEV);
        }
        h.mark(firstSector, flags, (flags & SwsuspHeader.SF_CRC32_MODE) != 0 ? crc : 0);
        diskWrite(0, hp, 0);
        kernel.dmesg().amendLast("|");
        diskWrite(curSwap, map, 0); // flush_swap_writer()
    }

    /** One page to the disk, unless the power is gone. */
    private void diskWrite(long slot, byte[] buf, int off) {
        if (powerBudget <= 0) return;
        powerBudget--;
        pagesWritten++;
        swap.writePage(slot, buf, off);
    }
}
