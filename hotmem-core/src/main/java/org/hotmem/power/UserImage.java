package org.hotmem.power;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The container s2disk writes around the bytes it read from /dev/snapshot, to a block device or
 * the image server, and resume checks before it writes them back: the kernel only checks the
 * image's structure, so the tool adds its own checksums (as uswsusp does).
 *
 * <pre>
 * header  (32 bytes) "HMUSWSP1", u32 algorithm (0 lzo, 1 lz4), u32 0, u64 image bytes, u32 0, u32 CRC32 of bytes 0..28
 * chunk   u32 uncompressed length (1..32 pages), u32 compressed length, u32 CRC32 of the uncompressed bytes, the compressed bytes
 * trailer u32 0, "HMUSWEND", u64 image bytes, u32 CRC32 of the whole uncompressed image
 * </pre>
 * All little-endian. A {@link Reader} refuses a stream that is not such an image, a chunk whose
 * bytes do not match its CRC, and a stream that ends before its trailer, with a
 * {@link Refused} whose message says which.
 */
public final class UserImage {
    private UserImage() { }

    static final byte[] MAGIC = "HMUSWSP1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] END = "HMUSWEND".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 32;
    private static final int PAGE = PageContent.PAGE_SIZE;

    /** Why a stream is not an intact image. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        public Refused(String why) { super(why); }
    }

    /** Compresses pages in chunks of 32 into {@code out}. Not thread-safe. */
    public static final class Writer {
        private final OutputStream out;
        private final HibernateCompressor comp;
        private final byte[] unc = new byte[HibernateCompressor.UNC_SIZE];
        private final byte[] cmp = new byte[HibernateCompressor.CMP_SIZE];
        private final CRC32 total = new CRC32();
        private final long imageBytes;
        private int fill;
        private long written;
        private long compressedBytes;

        public Writer(OutputStream out, boolean lz4, long imageBytes) throws IOException {
            this.out = out;
            this.comp = new HibernateCompressor(lz4 ? HibernateCompressor.Algorithm.LZ4 : HibernateCompressor.Algorithm.LZO);
            this.imageBytes = imageBytes;
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).putInt(lz4 ? 1 : 0).putInt(0).putLong(imageBytes).putInt(0);
            CRC32 c = new CRC32();
            c.update(h.array(), 0, 28);
            h.putInt((int) c.getValue());
            out.write(h.array());
            compressedBytes = HEADER;
        }

        /** Appends bytes of the image (any length; chunks are cut at 32 pages). */
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, unc.length - fill);
                System.arraycopy(b, off, unc, fill, n);
                fill += n;
                off += n;
                len -= n;
                if (fill == unc.length) flushChunk();
            }
        }

        private void flushChunk() throws IOException {
            if (fill == 0) return;
            int c = comp.compress(unc, fill, cmp, 0);
            CRC32 crc = new CRC32();
            crc.update(unc, 0, fill);
            total.update(unc, 0, fill);
            ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(fill).putInt(c).putInt((int) crc.getValue());
            out.write(h.array());
            out.write(cmp, 0, c);
            written += fill;
            compressedBytes += 12 + c;
            fill = 0;
        }

        /** Writes the last chunk and the trailer; the bytes written must be the announced image size. */
        public void finish() throws IOException {
            flushChunk();
            if (written != imageBytes) throw new IOException("image is " + written + " bytes, announced " + imageBytes);
            ByteBuffer t = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            t.putInt(0).put(END).putLong(written).putInt((int) total.getValue());
            out.write(t.array());
            out.flush();
            compressedBytes += 24;
        }

        /** Bytes of the container so far (header, chunks, trailer). */
        public long compressedBytes() { return compressedBytes; }
    }

    /** Reads and checks an image, chunk by chunk. Not thread-safe. */
    public static final class Reader {
        private final DataInputStream in;
        private final HibernateCompressor comp;
        private final long imageBytes;
        private final byte[] cmp = new byte[HibernateCompressor.CMP_SIZE];
        private final byte[] unc = new byte[HibernateCompressor.UNC_SIZE];
        private final CRC32 total = new CRC32();
        private long read;
        private int chunk;
        private boolean ended;
        private final boolean wholeStream;

        /**
         * @param wholeStream the stream is the image alone (an upload, a download): bytes after the
         *                    trailer are corruption; on a disk the rest of the device follows
         */
        public Reader(InputStream in, boolean wholeStream) throws IOException, Refused {
            this.in = new DataInputStream(in);
            this.wholeStream = wholeStream;
            byte[] h = new byte[HEADER];
            int n = this.in.readNBytes(h, 0, HEADER);
            ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
            if (n < 8 || !java.util.Arrays.equals(h, 0, 8, MAGIC, 0, 8)) throw new Refused("not a hibernation image");
            if (n < HEADER) throw new Refused("truncated image (header)");
            CRC32 c = new CRC32();
            c.update(h, 0, 28);
            if (b.getInt(28) != (int) c.getValue()) throw new Refused("corrupt image header");
            int alg = b.getInt(8);
            if (alg != 0 && alg != 1) throw new Refused("unknown compression " + alg);
            this.comp = new HibernateCompressor(alg == 1 ? HibernateCompressor.Algorithm.LZ4 : HibernateCompressor.Algorithm.LZO);
            this.imageBytes = b.getLong(16);
            if (imageBytes <= 0 || imageBytes % PAGE != 0) throw new Refused("corrupt image header");
        }

        /** The image's size in bytes, as its header announces. */
        public long imageBytes() { return imageBytes; }

        /**
         * The next chunk's uncompressed bytes in {@link #buffer()}, its length returned; 0 after
         * the trailer, which is checked (size and CRC of the whole image, nothing after it).
         */
        public int next() throws IOException, Refused {
            if (ended) return 0;
            try {
                int uncLen = Integer.reverseBytes(in.readInt());
                if (uncLen == 0) {
                    byte[] t = new byte[20];
                    in.readFully(t);
                    ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
                    if (!java.util.Arrays.equals(t, 0, 8, END, 0, 8)) throw new Refused("corrupt image (chunk " + chunk + ")");
                    if (b.getLong(8) != imageBytes || read != imageBytes) throw new Refused("truncated image (" + read + " of " + imageBytes + " bytes)");
                    if (b.getInt(16) != (int) total.getValue()) throw new Refused("corrupt image (image checksum)");
                    if (wholeStream && in.read() >= 0) throw new Refused("corrupt image (data after the end)");
                    ended = true;
                    return 0;
                }
                int cmpLen = Integer.reverseBytes(in.readInt());
                int crc = Integer.reverseBytes(in.readInt());
                if (uncLen < 0 || uncLen > unc.length || uncLen % PAGE != 0 || cmpLen <= 0 || cmpLen > cmp.length) {
                    throw new Refused("corrupt image (chunk " + chunk + ")");
                }
                in.readFully(cmp, 0, cmpLen);
                int got = comp.decompress(cmp, 0, cmpLen, unc);
                CRC32 c = new CRC32();
                if (got == uncLen) c.update(unc, 0, uncLen);
                if (got != uncLen || (int) c.getValue() != crc) throw new Refused("corrupt image (chunk " + chunk + " checksum)");
                total.update(unc, 0, uncLen);
                read += uncLen;
                if (read > imageBytes) throw new Refused("corrupt image (longer than announced)");
                chunk++;
                return uncLen;
            } catch (EOFException e) {
                throw new Refused("truncated image (" + read + " of " + imageBytes + " bytes)");
            }
        }

        public byte[] buffer() { return unc; }
    }

    /** Reads and checks a stream that is one image and nothing else; returns the image size. */
    public static long verify(InputStream in) throws IOException, Refused {
        Reader r = new Reader(in, true);
        while (r.next() > 0) { }
        return r.imageBytes();
    }
}
