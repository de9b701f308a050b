package org.hotmem.power;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code struct swsusp_header} (kernel/power/swap.c): the swap header page while an image is on
 * the swap area, packed into its last bytes: {@code hw_sig} (u32), {@code crc32} (u32),
 * {@code image} (sector_t: the swap offset of the first swap-map page), {@code flags} (u32),
 * {@code orig_sig[10]} (the swap signature it replaced) and {@code sig[10]} ({@code S1SUSPEND}).
 * A view over one page's bytes; the rest of the page is left as mkswap wrote it.
 */
final class SwsuspHeader {
    static final String HIBERNATE_SIG = "S1SUSPEND";
    static final int SF_PLATFORM_MODE = 1;
    static final int SF_NOCOMPRESS_MODE = 2;
    static final int SF_CRC32_MODE = 4;
    static final int SF_HW_SIG = 8;
    static final int SF_COMPRESSION_ALG_LZ4 = 16;

    private static final int SIG = PageContent.PAGE_SIZE - 10;
    private static final int ORIG_SIG = SIG - 10;
    private static final int FLAGS = ORIG_SIG - 4;
    private static final int IMAGE = FLAGS - 8;
    private static final int CRC32 = IMAGE - 4;
    private static final int HW_SIG = CRC32 - 4;

    final byte[] page;
    private final ByteBuffer b;

    SwsuspHeader(byte[] page) {
        this.page = page;
        this.b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    }

    String sig() { return text(Arrays.copyOfRange(page, SIG, SIG + 10)); }
    String origSig() { return text(Arrays.copyOfRange(page, ORIG_SIG, ORIG_SIG + 10)); }
    boolean isSwapSignature() { return sig().equals("SWAP-SPACE") || sig().equals(SwapArea.SWAPSPACE2); }
    boolean isHibernateSignature() { return Arrays.equals(Arrays.copyOfRange(page, SIG, SIG + 10), bytes10(HIBERNATE_SIG)); }
    long image() { return b.getLong(IMAGE); }
    int flags() { return b.getInt(FLAGS); }
    int crc32() { return b.getInt(CRC32); }
    int hwSig() { return b.getInt(HW_SIG); }

    /** Models mark_swapfiles(): keeps the swap signature in orig_sig and puts the image's header in. */
    void mark(long image, int flags, int crc32) {
        System.arraycopy(page, SIG, page, ORIG_SIG, 10);
        System.arraycopy(bytes10(HIBERNATE_SIG), 0, page, SIG, 10);
        b.putLong(IMAGE, image);
        b.putInt(FLAGS, flags);
        b.putInt(CRC32, crc32);
        b.putInt(HW_SIG, 0);
    }

    /** swsusp_check()/swsusp_unmark(): puts the original swap signature back. */
    void restoreOrigSig() {
        System.arraycopy(page, ORIG_SIG, page, SIG, 10);
    }

    static byte[] bytes10(String s) {
        byte[] out = new byte[10];
        byte[] in = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(in, 0, out, 0, Math.min(10, in.length));
        return out;
    }

    /** A fixed-size char field as text, up to its first NUL. */
    static String text(byte[] field) {
        int n = 0;
        while (n < field.length && field[n] != 0) n++;
        return new String(field, 0, n, StandardCharsets.ISO_8859_1);
    }
}
