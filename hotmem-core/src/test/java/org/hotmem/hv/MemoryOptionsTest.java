package org.hotmem.hv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryOptionsTest {

    @Test
    void suffixesAreBinaryAndCaseInsensitive() {
        assertEquals(new MemoryOptions(4L << 30, 8, 16L << 30), MemoryOptions.parse("4G,slots=8,maxmem=16G"));
        assertEquals(4L << 30, MemoryOptions.parse("4g").ramSize());
        assertEquals(3584L << 20, MemoryOptions.parse("3.5G").ramSize());
        assertEquals(1L << 30, MemoryOptions.parse("size=1024M").ramSize());
        assertEquals(2L << 30, MemoryOptions.parse("2097152k").ramSize());
    }

    @Test
    void aNumberWithoutSuffixMeansMebibytes() {
        assertEquals(4096L << 20, MemoryOptions.parse("4096").ramSize());
    }

    @Test
    void zeroMeansTheMachineDefault() {
        assertEquals(128L << 20, MemoryOptions.parse("0").ramSize());
    }

    @Test
    void sizesAreRoundedUpTo8KiB() {
        assertEquals(8192, MemoryOptions.parse("1B").ramSize());
    }

    @Test
    void badSizeGivesQemusText() {
        QemuConfigException e = assertThrows(QemuConfigException.class, () -> MemoryOptions.parse("4X"));
        assertTrue(e.getMessage().startsWith("-m 4X: Parameter 'size' expects a non-negative number below 2^64"),
                e.getMessage());
        assertEquals("-m 1.5: Parameter 'size' expects a non-negative number below 2^64",
                assertThrows(QemuConfigException.class, () -> MemoryOptions.parse("1.5")).getMessage().lines()
                        .findFirst().orElseThrow());
    }

    @Test
    void unknownKeyIsAnInvalidParameter() {
        assertEquals("-m 4G,foo=1: Invalid parameter 'foo'",
                assertThrows(QemuConfigException.class, () -> MemoryOptions.parse("4G,foo=1")).getMessage());
    }

    @Test
    void maxmemBelowRamIsRefused() {
        assertEquals("invalid value of maxmem: maximum memory size (0x40000000) must be at least the initial memory size (0x100000000)",
                assertThrows(QemuConfigException.class, () -> MemoryOptions.parse("4G,slots=2,maxmem=1G")).getMessage());
    }

    @Test
    void slotsWithMaxmemEqualToRamAreRefused() {
        assertEquals("invalid value of maxmem: memory slots were specified but maximum memory size (0x100000000) is equal to the initial memory size (0x100000000)",
                assertThrows(QemuConfigException.class, () -> MemoryOptions.parse("4G,slots=2,maxmem=4G")).getMessage());
    }

    @Test
    void slotsWithoutMaxmemAreRefused() {
        assertEquals("slots specified but no max-size",
                assertThrows(QemuConfigException.class, () -> MemoryOptions.parse("4G,slots=2")).getMessage());
    }

    @Test
    void hugeValuesAreOutOfRange() {
        assertEquals("-m 20E: Value '20E' is out of range for parameter 'size'",
                assertThrows(QemuConfigException.class, () -> MemoryOptions.parse("20E")).getMessage());
    }
}
