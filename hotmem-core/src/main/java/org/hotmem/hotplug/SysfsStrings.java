package org.hotmem.hotplug;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;

/** The string helpers sysfs store functions use: sysfs_streq(), kstrtobool(), kstrtouint(). */
public final class SysfsStrings {
    private SysfsStrings() {
    }

    /** Removes one trailing newline, as sysfs_streq() tolerates. */
    public static String stripOneNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Models kstrtobool(): first character y/Y/t/T/1 → true, n/N/f/F/0 → false, "on"/"off"
     * (any case) → true/false; anything else (including empty) → EINVAL.
     */
    public static boolean kstrtobool(String s) {
        if (s.isEmpty()) {
            throw new KernelException(Errno.EINVAL);
        }
        switch (s.charAt(0)) {
            case 'y', 'Y', 't', 'T', '1':
                return true;
            case 'n', 'N', 'f', 'F', '0':
                return false;
            case 'o', 'O':
                if (s.length() > 1) {
                    char c = s.charAt(1);
                    if (c == 'n' || c == 'N') {
                        return true;
                    }
                    if (c == 'f' || c == 'F') {
                        return false;
                    }
                }
                break;
            default:
                break;
        }
        throw new KernelException(Errno.EINVAL);
    }

    /** Models kstrtouint(s, 0): decimal, 0x hex or leading-0 octal, one trailing newline; else EINVAL / ERANGE. */
    public static int kstrtouint(String s) {
        String t = stripOneNewline(s);
        int radix = 10;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            t = t.substring(1);
        }
        if (t.isEmpty() || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new KernelException(Errno.EINVAL);
        }
        try {
            long v = Long.parseLong(t, radix);
            if (v > 0xffffffffL) {
                throw new KernelException(Errno.ERANGE);
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new KernelException(t.length() > 12 ? Errno.ERANGE : Errno.EINVAL);
        }
    }
}
