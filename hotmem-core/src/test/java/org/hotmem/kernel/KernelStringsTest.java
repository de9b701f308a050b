package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The kstrto* rules of lib/kstrtox.c, case by case. */
class KernelStringsTest {
    private static Errno errnoOf(Runnable r) {
        return assertThrows(KernelException.class, r::run).errno();
    }

    @Test
    void kstrtouintAcceptsPlusBasesAndOneNewline() {
        assertEquals(301, KernelStrings.kstrtouint("301\n", 0));
        assertEquals(5, KernelStrings.kstrtouint("+5", 0));
        assertEquals(16, KernelStrings.kstrtouint("0x10", 0));
        assertEquals(16, KernelStrings.kstrtouint("0X10\n", 0));
        assertEquals(8, KernelStrings.kstrtouint("010", 0));
        assertEquals(0, KernelStrings.kstrtouint("0", 0));
        assertEquals(-1, KernelStrings.kstrtouint("4294967295", 0));
        assertEquals(10, KernelStrings.kstrtouint("010", 10));
        assertEquals(16, KernelStrings.kstrtouint("0x10", 16));
    }

    @Test
    void kstrtouintRejectsWhatLinuxRejectsWithItsErrno() {
        for (String bad : new String[] {"", "\n", "+", "-1", " 1", "1 ", "1\n\n", "++1", "0x", "0xg", "08", "1a",
                "0x10", "abc", "1.5", "\t1"}) {
            int base = bad.equals("0x10") ? 10 : 0;
            assertEquals(Errno.EINVAL, errnoOf(() -> KernelStrings.kstrtouint(bad, base)), "'" + bad + "'");
        }
        for (String big : new String[] {"4294967296", "123456789012345", "18446744073709551615", "18446744073709551616",
                "99999999999999999999x", "0x1ffffffffffffffff"}) {
            assertEquals(Errno.ERANGE, errnoOf(() -> KernelStrings.kstrtouint(big, 0)), big);
        }
    }

    @Test
    void aNulEndsTheString() {
        assertEquals(7, KernelStrings.kstrtouint("7\0garbage", 0));
        assertEquals(Errno.EINVAL, errnoOf(() -> KernelStrings.kstrtouint("\0" + "7", 0)));
        assertTrue(KernelStrings.sysfsStreq("online\0xyz", "online"));
    }

    @Test
    void kstrtoullAndKstrtollCoverTheWholeRange() {
        assertEquals(-1L, KernelStrings.kstrtoull("18446744073709551615", 0));
        assertEquals(-1L, KernelStrings.kstrtoull("0xffffffffffffffff", 0));
        assertEquals(Errno.ERANGE, errnoOf(() -> KernelStrings.kstrtoull("18446744073709551616", 0)));
        assertEquals(Long.MIN_VALUE, KernelStrings.kstrtoll("-9223372036854775808", 0));
        assertEquals(Errno.ERANGE, errnoOf(() -> KernelStrings.kstrtoll("-9223372036854775809", 0)));
        assertEquals(Errno.ERANGE, errnoOf(() -> KernelStrings.kstrtoll("9223372036854775808", 0)));
        assertEquals(Errno.EINVAL, errnoOf(() -> KernelStrings.kstrtoll("-+1", 0)));
        assertEquals(-1, KernelStrings.kstrtoint("-1", 0));
        assertEquals(Errno.ERANGE, errnoOf(() -> KernelStrings.kstrtoint("2147483648", 0)));
    }

    @Test
    void kstrtoboolLooksAtTheFirstCharacters() {
        for (String t : new String[] {"1", "y", "Yes", "t", "TRUE", "on", "ON\n", "1junk"}) {
            assertTrue(KernelStrings.kstrtobool(t), t);
        }
        for (String f : new String[] {"0", "n", "No", "f", "off", "OfF"}) {
            assertFalse(KernelStrings.kstrtobool(f), f);
        }
        for (String bad : new String[] {"", "\n", "o", "2", "-1", " y", "enable"}) {
            assertEquals(Errno.EINVAL, errnoOf(() -> KernelStrings.kstrtobool(bad)), bad);
        }
    }
}
