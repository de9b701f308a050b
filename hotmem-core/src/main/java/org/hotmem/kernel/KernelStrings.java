package org.hotmem.kernel;

/**
 * The kernel's string-to-value helpers, the one number parser every sysfs store, module
 * parameter and boot parameter of the model uses. Models lib/kstrtox.c ({@code kstrtoull},
 * {@code kstrtoll}, {@code kstrtoul}, {@code kstrtouint}, {@code kstrtoint}, {@code kstrtobool})
 * and {@code sysfs_streq()} of lib/string.c.
 *
 * <p>Rules, as in Linux: at most one leading {@code '+'} (and {@code '-'} for the signed
 * variants); base 0 picks 16 for {@code 0x} followed by a hex digit, 8 for a leading {@code 0},
 * else 10; base 16 skips an optional {@code 0x}; no white space before the number; one trailing
 * {@code '\n'} is accepted and nothing after it. Overflow is detected while the digits are
 * read, so it wins over trailing garbage ({@code ERANGE}); no digits or garbage is
 * {@code EINVAL}; a value that does not fit the narrower type is {@code ERANGE}.
 *
 * <p>The text is a C string: a NUL byte ends it (the sysfs buffer is NUL-terminated after
 * {@code count} bytes, and a parser never looks past the first NUL).
 *
 * <p>Stateless.
 */
public final class KernelStrings {
    private KernelStrings() {
    }

    /** The C string {@code s} holds: everything before its first NUL. */
    public static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    /** Models sysfs_streq(): equal up to one trailing newline on either side; a NUL ends each string. */
    public static boolean sysfsStreq(String buf, String word) {
        return stripOneNewline(cString(buf)).equals(stripOneNewline(cString(word)));
    }

    /** Removes one trailing newline. */
    public static String stripOneNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /** Models kstrtoull(): an unsigned 64-bit value held in a long (compare with Long.compareUnsigned). */
    public static long kstrtoull(String s, int base) {
        String t = cString(s);
        return parseUnsigned(t.startsWith("+") ? t.substring(1) : t, base);
    }

    /** Models kstrtoul() (unsigned long is 64 bits on x86-64). */
    public static long kstrtoul(String s, int base) {
        return kstrtoull(s, base);
    }

    /** Models kstrtoll(). */
    public static long kstrtoll(String s, int base) {
        String t = cString(s);
        if (t.startsWith("-")) {
            long v = parseUnsigned(t.substring(1), base);
            if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) {
                throw new KernelException(Errno.ERANGE);
            }
            return -v;
        }
        long v = kstrtoull(t, base);
        if (v < 0) {
            throw new KernelException(Errno.ERANGE);
        }
        return v;
    }

    /** Models kstrtouint(): an unsigned 32-bit value held in an int. */
    public static int kstrtouint(String s, int base) {
        long v = kstrtoull(s, base);
        if (Long.compareUnsigned(v, 0xffff_ffffL) > 0) {
            throw new KernelException(Errno.ERANGE);
        }
        return (int) v;
    }

    /** Models kstrtoint(). */
    public static int kstrtoint(String s, int base) {
        long v = kstrtoll(s, base);
        if (v != (int) v) {
            throw new KernelException(Errno.ERANGE);
        }
        return (int) v;
    }

    /**
     * Models kstrtobool(): first character y/Y/t/T/1 is true, n/N/f/F/0 false, "on"/"off" in
     * any case; anything else, the empty string included, is EINVAL. Only the first one or two
     * characters are looked at ({@code "yes please"} is true).
     */
    public static boolean kstrtobool(String s) {
        String t = cString(s);
        char c0 = t.isEmpty() ? 0 : t.charAt(0);
        char c1 = t.length() < 2 ? 0 : t.charAt(1);
        switch (c0) {
            case 'y', 'Y', 't', 'T', '1':
                return true;
            case 'n', 'N', 'f', 'F', '0':
                return false;
            case 'o', 'O':
                if (c1 == 'n' || c1 == 'N') {
                    return true;
                }
                if (c1 == 'f' || c1 == 'F') {
                    return false;
                }
                break;
            default:
                break;
        }
        throw new KernelException(Errno.EINVAL);
    }

    /** Models _kstrtoull(): radix fix-up, _parse_integer(), one trailing newline. */
    private static long parseUnsigned(String s, int base) {
        int i = 0;
        int n = s.length();
        if (base == 0) {
            if (n > 0 && s.charAt(0) == '0') {
                base = n > 2 && (s.charAt(1) | 0x20) == 'x' && Character.digit(s.charAt(2), 16) >= 0 ? 16 : 8;
            } else {
                base = 10;
            }
        }
        if (base == 16 && n > 1 && s.charAt(0) == '0' && (s.charAt(1) | 0x20) == 'x') {
            i = 2;
        }
        long res = 0;
        boolean overflow = false;
        int digits = 0;
        for (; i < n; i++, digits++) {
            int val = digitValue(s.charAt(i));
            if (val < 0 || val >= base) {
                break;
            }
            if ((res & (~0L << 60)) != 0 && Long.compareUnsigned(res, Long.divideUnsigned(-1L - val, base)) > 0) {
                overflow = true;
            }
            res = res * base + val;
        }
        if (overflow) {
            throw new KernelException(Errno.ERANGE);
        }
        if (digits == 0) {
            throw new KernelException(Errno.EINVAL);
        }
        if (i < n && s.charAt(i) == '\n') {
            i++;
        }
        if (i < n) {
            throw new KernelException(Errno.EINVAL);
        }
        return res;
    }

    private static int digitValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lc = (char) (c | 0x20);
        return lc >= 'a' && lc <= 'f' ? lc - 'a' + 10 : -1;
    }
}
