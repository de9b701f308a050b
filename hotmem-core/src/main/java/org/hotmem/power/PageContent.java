package org.hotmem.power;

import java.nio.ByteOrder;

/**
 * The 4096 bytes of a page, synthesised from its 64-bit content token (DESIGN.md principle 5):
 * the token little-endian in the first 8 bytes, the rest a deterministic fill chosen by the
 * token with a realistic mix of zero runs, repeated text-like runs and incompressible words. A
 * token of 0 is an all-zero page. {@link #tokenField} reads the token back and {@link #isPageOf}
 * tells whether the rest is the fill that token implies (else no model page has these bytes).
 *
 * <p>Kernel pages (tokens with the model's kernel prefix) are filled with more structure
 * (pointer-like words) than user pages. Stateless and allocation-free.
 */
public final class PageContent {
    public static final int PAGE_SIZE = 4096;
    private static final int WORDS = PAGE_SIZE / 8;
    /** The prefix of the model's kernel-page tokens ("kern"). */
    private static final long KERNEL_PREFIX = 0x6b65726eL;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private PageContent() {
    }

    private static final java.lang.invoke.VarHandle LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Writes the page of {@code token} into {@code out} at {@code off} (4096 bytes). */
    public static void fill(long token, byte[] out, int off) {
        if (token == 0) {
            java.util.Arrays.fill(out, off, off + PAGE_SIZE, (byte) 0);
            return;
        }
        LONG.set(out, off, token);
        boolean kernel = (token >>> 32) == KERNEL_PREFIX;
        long s = token;
        for (int w = 1; w < WORDS; ) {
            s += GOLDEN;
            long r = mix(s);
            int run = 8 + (int) ((r >>> 60) & 7) * 8; // 8..64 words per run
            int kind = (int) ((r >>> 56) & 15);
            int end = Math.min(WORDS, w + run);
            if (kind < (kernel ? 7 : 6)) {
                java.util.Arrays.fill(out, off + w * 8, off + end * 8, (byte) 0);
                w = end;
            } else if (kind < (kernel ? 13 : 11)) {
                long v = kernel ? 0xffff888000000000L | (r & 0xfffff000L) : (r & 0x5f5f5f5f5f5f5f5fL) | 0x2020202020202020L;
                for (; w < end; w++) LONG.set(out, off + w * 8, kernel ? v + ((long) (w & 7) << 6) : v);
            } else {
                for (; w < end; w++) {
                    s += GOLDEN;
                    LONG.set(out, off + w * 8, mix(s));
                }
            }
        }
    }

    /** The token in the first 8 bytes of the page at {@code off}. */
    public static long tokenField(byte[] page, int off) {
        return (long) LONG.get(page, off);
    }

    /**
     * Whether the page at {@code off} is exactly the page of its token field, checked against
     * {@code scratch} (a 4096-byte buffer the caller reuses).
     */
    public static boolean isPageOf(byte[] page, int off, byte[] scratch) {
        fill(tokenField(page, off), scratch, 0);
        return java.util.Arrays.equals(page, off, off + PAGE_SIZE, scratch, 0, PAGE_SIZE);
    }

    /** splitmix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
