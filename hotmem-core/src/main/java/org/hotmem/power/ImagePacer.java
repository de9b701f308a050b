package org.hotmem.power;

import org.hotmem.kernel.Kernel;

/**
 * The virtual time of streaming image pages to and from the image device, as the kernel's
 * writer charges it (save_compressed_image(), load_compressed_image()): the pages' bytes are
 * synthesised from their tokens, compressed with LZO in chunks of 32 pages behind the 8-byte
 * length, and each chunk costs its compression plus the write of its page-rounded compressed
 * bytes ({@link HibernateCosts}); reading costs the read of those bytes plus the decompression.
 * Used by the designs of seed 001 that write their own pagesets, so all three designs are timed
 * by one rule. Guarded by the calling task; one instance per image.
 */
final class ImagePacer {
    private final Kernel kernel;
    private final HibernateCosts costs;
    private final HibernateCompressor lzo = new HibernateCompressor(HibernateCompressor.Algorithm.LZO);
    private final byte[] unc = new byte[HibernateCompressor.UNC_SIZE];
    private final byte[] cmp = new byte[HibernateCompressor.CMP_SIZE];
    /** Device pages written so far, and the compressed chunks' page-rounded sizes for the read back. */
    long devicePages;
    private long deviceBytes;
    private long uncBytes;

    ImagePacer(Kernel kernel, HibernateCosts costs) {
        this.kernel = kernel;
        this.costs = costs;
    }

    /** Writes {@code tokens[from, to)} (at most one chunk) and charges its time; a scheduling point. */
    void writeChunk(long[] tokens, int from, int to) {
        int len = (to - from) * PageContent.PAGE_SIZE;
        for (int i = from; i < to; i++) PageContent.fill(tokens[i], unc, (i - from) * PageContent.PAGE_SIZE);
        int total = HibernateCompressor.CMP_HEADER + lzo.compress(unc, len, cmp, HibernateCompressor.CMP_HEADER);
        long rounded = (total + PageContent.PAGE_SIZE - 1L) / PageContent.PAGE_SIZE * PageContent.PAGE_SIZE;
        devicePages += rounded / PageContent.PAGE_SIZE;
        deviceBytes += rounded;
        uncBytes += len;
        kernel.consume(costs.compressNs(len) + costs.writeNs(rounded));
    }

    /** Writes all of {@code tokens} chunk by chunk. */
    void write(long[] tokens) {
        for (int i = 0; i < tokens.length; i += HibernateCompressor.UNC_PAGES) {
            writeChunk(tokens, i, Math.min(tokens.length, i + HibernateCompressor.UNC_PAGES));
        }
    }

    /** The time reading back and decompressing everything written so far takes. */
    long readNs() {
        return costs.readNs(deviceBytes) + costs.decompressNs(uncBytes);
    }
}
