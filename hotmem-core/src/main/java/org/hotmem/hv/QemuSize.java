package org.hotmem.hv;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * QEMU's size parser. Models {@code qemu_strtosz()} / {@code do_strtosz()} in util/cutils.c:
 * a decimal integer, optionally a decimal fraction, and one optional suffix
 * {@code B K M G T P E} (case-insensitive, powers of 1024). Hexadecimal ({@code 0x...}) is
 * accepted without fraction or suffix. A fraction needs a suffix other than {@code B}.
 * The result is rounded half up to whole bytes; anything that does not fit in 64 unsigned
 * bits is out of range.
 */
public final class QemuSize {

    /** Outcome of a parse failure, mirroring {@code -EINVAL} and {@code -ERANGE}. */
    public enum Failure { INVALID, OUT_OF_RANGE }

    /** Thrown by {@link #parse}; carries whether QEMU would say "invalid" or "out of range". */
    public static final class SizeFormatException extends Exception {
        private final Failure failure;

        SizeFormatException(Failure failure) {
            super(failure.name());
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private QemuSize() {
    }

    /**
     * Parses {@code text} as QEMU does; {@code defaultSuffix} is used when no suffix is given
     * ({@code 'B'} for qemu_strtosz, {@code 'M'} for qemu_strtosz_MiB).
     * Returns the size as an unsigned 64-bit value held in a long.
     */
    public static long parse(String text, char defaultSuffix) throws SizeFormatException {
        if (text == null || text.isEmpty()) {
            throw new SizeFormatException(Failure.INVALID);
        }
        int i = 0;
        int n = text.length();
        // qemu_strtou64 skips leading white space and accepts a sign; a '-' is rejected later.
        while (i < n && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i < n && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            if (text.charAt(i) == '-') {
                throw new SizeFormatException(Failure.INVALID);
            }
            i++;
        }
        int digitsStart = i;
        while (i < n && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i == digitsStart) {
            throw new SizeFormatException(Failure.INVALID);
        }
        BigInteger integral = new BigInteger(text.substring(digitsStart, i));
        if (integral.compareTo(U64_LIMIT) >= 0) {
            throw new SizeFormatException(Failure.OUT_OF_RANGE);
        }
        if (integral.signum() == 0 && i < n && (text.charAt(i) == 'x' || text.charAt(i) == 'X')) {
            int hexStart = i + 1;
            int j = hexStart;
            while (j < n && Character.digit(text.charAt(j), 16) >= 0) {
                j++;
            }
            if (j == hexStart || j != n) {
                throw new SizeFormatException(Failure.INVALID);
            }
            BigInteger hex = new BigInteger(text.substring(hexStart, j), 16);
            if (hex.compareTo(U64_LIMIT) >= 0) {
                throw new SizeFormatException(Failure.OUT_OF_RANGE);
            }
            return hex.longValue();
        }
        BigDecimal fraction = BigDecimal.ZERO;
        if (i < n && text.charAt(i) == '.') {
            int fracStart = i + 1;
            int j = fracStart;
            while (j < n && Character.isDigit(text.charAt(j))) {
                j++;
            }
            if (j < n && (text.charAt(j) == 'e' || text.charAt(j) == 'E')
                    && j + 1 < n && (Character.isDigit(text.charAt(j + 1)) || text.charAt(j + 1) == '-'
                    || text.charAt(j + 1) == '+')) {
                // strtod would read an exponent: QEMU refuses exponents in sizes.
                throw new SizeFormatException(Failure.INVALID);
            }
            if (j > fracStart) {
                fraction = new BigDecimal("0." + text.substring(fracStart, j));
            }
            i = j;
        }
        long mul;
        if (i < n && suffixMultiplier(text.charAt(i)) > 0) {
            mul = suffixMultiplier(text.charAt(i));
            i++;
        } else {
            mul = suffixMultiplier(defaultSuffix);
        }
        if (i != n) {
            throw new SizeFormatException(Failure.INVALID);
        }
        if (mul == 1 && fraction.signum() != 0) {
            throw new SizeFormatException(Failure.INVALID);
        }
        BigDecimal exact = new BigDecimal(integral).add(fraction).multiply(BigDecimal.valueOf(mul));
        BigInteger bytes = exact.setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
        if (bytes.compareTo(U64_LIMIT) >= 0) {
            throw new SizeFormatException(Failure.OUT_OF_RANGE);
        }
        return bytes.longValue();
    }

    /**
     * Models qemu_strtou64(text, NULL, 0): strtoull's syntax (leading blanks, a sign, 0x hex,
     * 0 octal), the whole text consumed; a '-' wraps as strtoull does; beyond 64 bits is
     * OUT_OF_RANGE.
     */
    public static long strtou64(String text) throws SizeFormatException {
        BigInteger v = strtox(text);
        if (v.abs().compareTo(U64_LIMIT) >= 0) {
            throw new SizeFormatException(Failure.OUT_OF_RANGE);
        }
        return v.longValue();
    }

    /** Models qemu_strtoi64(text, NULL, 0). */
    public static long strtoi64(String text) throws SizeFormatException {
        BigInteger v = strtox(text);
        if (v.bitLength() >= 64) {
            throw new SizeFormatException(Failure.OUT_OF_RANGE);
        }
        return v.longValue();
    }

    /** strtoll/strtoull with base 0 over the whole text: the exact value, or INVALID. */
    private static BigInteger strtox(String text) throws SizeFormatException {
        String t = text == null ? "" : text.stripLeading();
        boolean neg = t.startsWith("-");
        if (neg || t.startsWith("+")) {
            t = t.substring(1);
        }
        int radix = 10;
        if ((t.startsWith("0x") || t.startsWith("0X")) && t.length() > 2) {
            radix = 16;
            t = t.substring(2);
        } else if (t.startsWith("0") && t.length() > 1) {
            radix = 8;
            t = t.substring(1);
        }
        for (int i = 0; i < t.length(); i++) {
            if (Character.digit(t.charAt(i), radix) < 0 || t.charAt(i) >= 128) {
                throw new SizeFormatException(Failure.INVALID);
            }
        }
        if (t.isEmpty()) {
            throw new SizeFormatException(Failure.INVALID);
        }
        BigInteger v = new BigInteger(t, radix);
        return neg ? v.negate() : v;
    }

    private static long suffixMultiplier(char c) {
        return switch (Character.toUpperCase(c)) {
            case 'B' -> 1L;
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            case 'P' -> 1L << 50;
            case 'E' -> 1L << 60;
            default -> -1L;
        };
    }
}
