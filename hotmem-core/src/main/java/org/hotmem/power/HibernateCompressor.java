package org.hotmem.power;

import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.lzo.LzoCompressor;
import io.airlift.compress.v3.lzo.LzoDecompressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;

/**
 * The image compressors of kernel/power/swap.c: {@code lzo} (lzo1x_1, the default; the only one
 * before 6.9) and {@code lz4} ({@code hibernate.compressor=lz4}, 6.9+), as raw blocks without
 * any framing. LZO is aircompressor's pure-Java LZO1X; LZ4 is lz4-java's pure-Java block codec
 * (LZ4_compress_default's format). An instance is not thread-safe: one per compression thread.
 */
final class HibernateCompressor {
    /** UNC_PAGES: uncompressed pages per chunk. */
    static final int UNC_PAGES = 32;
    static final int UNC_SIZE = UNC_PAGES * PageContent.PAGE_SIZE;
    /** CMP_HEADER: the size_t length in front of each compressed chunk. */
    static final int CMP_HEADER = 8;

    enum Algorithm {
        LZO("lzo"), LZ4("lz4");

        final String name;
        Algorithm(String name) { this.name = name; }

        /** The value of hibernate.compressor=, or null if the kernel has no such algorithm. */
        static Algorithm byName(String s) {
            for (Algorithm a : values()) if (a.name.equals(s)) return a;
            return null;
        }
    }

    private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();

    final Algorithm algorithm;
    private final LzoCompressor lzo;
    private final LzoDecompressor unlzo;

    HibernateCompressor(Algorithm algorithm) {
        this.algorithm = algorithm;
        this.lzo = algorithm == Algorithm.LZO ? new LzoCompressor() : null;
        this.unlzo = algorithm == Algorithm.LZO ? new LzoDecompressor() : null;
    }

    /** bytes_worst_compress(x): x + x/16 + 64 + 3 + 2. */
    static int worstCompress(int x) {
        return x + x / 16 + 64 + 3 + 2;
    }

    /** CMP_SIZE: pages for the worst-case chunk with its header, in bytes. */
    static final int CMP_SIZE = ((CMP_HEADER + worstCompress(UNC_SIZE) + PageContent.PAGE_SIZE - 1)
            / PageContent.PAGE_SIZE) * PageContent.PAGE_SIZE;

    /** Compresses {@code src[0..len)} to {@code dst[off..]}; returns the compressed length. */
    int compress(byte[] src, int len, byte[] dst, int off) {
        return algorithm == Algorithm.LZO
                ? lzo.compress(src, 0, len, dst, off, dst.length - off)
                : LZ4.fastCompressor().compress(src, 0, len, dst, off, dst.length - off);
    }

    /** Decompresses into {@code dst}; returns the uncompressed length, or -1 when the input is malformed. */
    int decompress(byte[] src, int off, int len, byte[] dst) {
        try {
            return algorithm == Algorithm.LZO
                    ? unlzo.decompress(src, off, len, dst, 0, dst.length)
                    : LZ4.safeDecompressor().decompress(src, off, len, dst, 0, dst.length);
        } catch (MalformedInputException | LZ4Exception | IndexOutOfBoundsException e) {
            return -1;
        }
    }

    /** crc32_le() as the kernel computes it (no pre/post inversion), seeded 0, over a stream of buffers. */
    static final class Crc32Le {
        private final java.util.zip.CRC32 crc = new java.util.zip.CRC32();

        Crc32Le() {
            // Four 0xff bytes take zlib's register from ~0 to 0: from here it is crc32_le(0, ...).
            crc.update(new byte[] {-1, -1, -1, -1});
        }

        void update(byte[] b, int off, int len) { crc.update(b, off, len); }

        int value() { return (int) ~crc.getValue(); }
    }
}
