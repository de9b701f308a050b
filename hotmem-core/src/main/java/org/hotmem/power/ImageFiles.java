package org.hotmem.power;

import java.nio.file.Path;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.kernel.Task;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.KernelVersion;

/**
 * Hibernation images outside a running guest, for benchmarks and tools: writes the image of a
 * given set of saved pages to a swap file exactly as {@link Hibernation} would (swsusp header,
 * swap map, compressed chunks, CRC32), in a throwaway kernel whose virtual time costs nothing.
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** What a write produced: the image's pages and the bytes that went to the disk after compression. */
    public record Written(long imagePages, long dataPages, long compressedBytes) {}

    /**
     * Writes the image of pages {@code pfns[i]} holding {@code tokens[i]} (ascending pfns) to
     * {@code file}, which must hold a swap area ({@link SwapArea#mkswap}). {@code compressor} is
     * "lzo", "lz4" or "none" (hibernate=nocompress).
     */
    public static Written write(Path file, long[] pfns, long[] tokens, String compressor, KernelVersion version) {
        Snapshot s = Snapshot.of(pfns, tokens, version.has(KernelFeature.HIBERNATE_ZERO_PAGES));
        ImageHeader h = new ImageHeader(0xffffffff81000000L, 0x1000000L, 0x2e0a000L, ImageHeader.RESTORE_MAGIC, 0,
                pfns.length, s.nrCopyPages, s.imagePages());
        Kernel k = new Kernel(SchedulingStrategy.roundRobin());
        HibernateCosts free = new HibernateCosts(0, 0, 0, 0, 0, 0);
        long[] written = {0};
        boolean none = compressor.equals("none");
        HibernateCompressor.Algorithm alg = none ? HibernateCompressor.Algorithm.LZO : HibernateCompressor.Algorithm.byName(compressor);
        if (alg == null) throw new IllegalArgumentException("compressor: expected lzo, lz4 or none, found '" + compressor + "'");
        try (SwapArea area = SwapArea.open(file, 0)) {
            Task t = k.spawn("hibernate", 0, () -> {
                SwapWriter w = new SwapWriter(k, version, area, free, Long.MAX_VALUE);
                w.write(new ImageStream(s, h), none ? SwsuspHeader.SF_NOCOMPRESS_MODE : SwsuspHeader.SF_CRC32_MODE
                        | (alg == HibernateCompressor.Algorithm.LZ4 ? SwsuspHeader.SF_COMPRESSION_ALG_LZ4 : 0), alg, 1);
                written[0] = w.bytesWritten;
            });
            k.runUntilIdle();
            if (t.exitCode() != 0) throw new IllegalStateException("image write failed: " + t.exitCode());
        }
        return new Written(s.imagePages(), s.nrCopyPages, written[0]);
    }

    /** The bytes of page {@code token} (4096), as every image holds them. */
    public static void pageBytes(long token, byte[] out, int off) {
        PageContent.fill(token, out, off);
    }
}
