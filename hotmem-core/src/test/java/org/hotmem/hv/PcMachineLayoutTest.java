package org.hotmem.hv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PcMachineLayoutTest {

    private static PcMachineLayout layout(String m) {
        return PcMachineLayout.of(MemoryOptions.parse(m));
    }

    /** The SRAT memory entries of a machine in Linux's line format (node = PXM here). */
    static List<String> sratLines(String m, String... numa) {
        MemoryOptions mem = MemoryOptions.parse(m);
        java.util.Map<String, MemoryBackend> backends = new java.util.HashMap<>();
        for (int i = 0; i < 8; i++) {
            backends.put("m" + i + "-1G", new MemoryBackend("m" + i + "-1G", 1L << 30));
            backends.put("m" + i + "-2G", new MemoryBackend("m" + i + "-2G", 2L << 30));
        }
        NumaConfig nc = NumaConfig.parse(List.of(numa), backends::get, mem);
        return PcMachineLayout.of(mem).srat(nc).memory().stream()
                .map(e -> String.format("ACPI: SRAT: Node %d PXM %d [mem %#010x-%#010x]%s", e.proximityDomain(),
                        e.proximityDomain(), e.base(), e.end() - 1, e.hotpluggable() ? " hotplug" : ""))
                .toList();
    }

    @Test
    void fourGibMachinePrintsTheRecordedE820Map() {
        assertEquals(List.of(
                "BIOS-provided physical RAM map:",
                "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
                "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved",
                "BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved",
                "BIOS-e820: [mem 0x0000000000100000-0x00000000bffdffff] usable",
                "BIOS-e820: [mem 0x00000000bffe0000-0x00000000bfffffff] reserved",
                "BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved",
                "BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] usable",
                "BIOS-e820: [mem 0x000000fd00000000-0x000000ffffffffff] reserved"),
                layout("4G,slots=8,maxmem=16G").e820LogLines());
    }

    @Test
    void fourGibMachinePrintsTheRecordedSratLines() {
        assertEquals(List.of(
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0xbfffffff]",
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x13fffffff]",
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x140000000-0x63fffffff] hotplug"),
                sratLines("4G,slots=8,maxmem=16G"));
    }

    @Test
    void oneGibMachineKeepsAllRamBelow4GAndPutsDeviceMemoryAt4G() {
        PcMachineLayout l = layout("1G,slots=8,maxmem=8G");
        assertEquals(1L << 30, l.below4g());
        assertEquals(0, l.above4g());
        assertEquals(4L << 30, l.deviceMemoryBase());
        assertEquals((7L + 8) << 30, l.deviceMemorySize());
        assertEquals(List.of(
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x3fffffff]",
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x4bfffffff] hotplug"),
                sratLines("1G,slots=8,maxmem=8G"));
        List<String> e820 = l.e820LogLines();
        assertTrue(e820.contains("BIOS-e820: [mem 0x0000000000100000-0x000000003ffdffff] usable"), e820.toString());
        assertTrue(e820.contains("BIOS-e820: [mem 0x000000003ffe0000-0x000000003fffffff] reserved"), e820.toString());
        // QEMU 7.2 reserves the AMD HyperTransport window whatever the RAM size (TCG: 40 phys bits).
        assertEquals("BIOS-e820: [mem 0x000000fd00000000-0x000000ffffffffff] reserved", e820.get(e820.size() - 1));
    }

    @Test
    void threeGibIsBelowTheTraditionalSplitSoEverythingStaysLow() {
        PcMachineLayout l = layout("3G,slots=4,maxmem=8G");
        assertEquals(3L << 30, l.below4g());
        assertEquals(0, l.above4g());
        assertEquals(4L << 30, l.deviceMemoryBase());
    }

    @Test
    void threeAndAHalfGibMovesTheSplitTo3GibWithGigabyteAlignment() {
        PcMachineLayout l = layout("3584M,slots=2,maxmem=8G");
        assertEquals(3L << 30, l.below4g());
        assertEquals(512L << 20, l.above4g());
        // 4 GiB + 512 MiB rounded up to 1 GiB
        assertEquals(5L << 30, l.deviceMemoryBase());
        assertTrue(l.e820LogLines().contains("BIOS-e820: [mem 0x0000000100000000-0x000000011fffffff] usable"));
    }

    @Test
    void twoGibAndSixGibAndSixtyFourGibFollowTheSameRules() {
        assertEquals(2L << 30, layout("2G,slots=8,maxmem=8G").below4g());
        PcMachineLayout six = layout("6G,slots=8,maxmem=16G");
        assertEquals(3L << 30, six.above4g());
        assertEquals(7L << 30, six.deviceMemoryBase());
        assertEquals("ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x1bfffffff]", sratLines("6G,slots=8,maxmem=16G").get(2));
        PcMachineLayout big = layout("64G,slots=4,maxmem=128G");
        assertEquals(61L << 30, big.above4g());
        assertEquals(65L << 30, big.deviceMemoryBase());
        assertEquals((64L + 4) << 30, big.deviceMemorySize());
    }

    @Test
    void withoutMaxmemThereIsNoDeviceMemoryAndNoSrat() {
        PcMachineLayout l = layout("2G");
        assertFalse(l.hasDeviceMemory());
        assertTrue(sratLines("2G").isEmpty());
    }

    @Test
    void twoNodesSplitTheRamInNodeOrderAndTheHotplugWindowGoesToTheLastNode() {
        assertEquals(List.of(
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]",
                "ACPI: SRAT: Node 1 PXM 1 [mem 0x80000000-0xbfffffff]",
                "ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff]",
                "ACPI: SRAT: Node 1 PXM 1 [mem 0x140000000-0x63fffffff] hotplug"),
                sratLines("4G,slots=8,maxmem=16G", "node,nodeid=0,memdev=m0-2G", "node,nodeid=1,memdev=m1-2G"));
    }

    @Test
    void aMemorylessLastNodeGetsOnlyTheHotplugWindow() {
        assertEquals(List.of(
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
                "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]",
                "ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x4ffffffff] hotplug"),
                sratLines("2G,slots=2,maxmem=16G", "node,memdev=m0-2G", "node"));
    }

    @Test
    void addressSpaceBeyondFortyBitsIsRefusedLikeQemu() {
        QemuConfigException e = assertThrows(QemuConfigException.class, () -> layout("4G,slots=8,maxmem=1020G"));
        assertTrue(e.getMessage().startsWith("Address space limit 0xffffffffff < 0x"), e.getMessage());
        assertTrue(e.getMessage().endsWith("phys-bits too low (40)"), e.getMessage());
    }

    @Test
    void tooManySlotsAreRefused() {
        assertEquals("unsupported amount of memory slots: 300",
                assertThrows(QemuConfigException.class, () -> layout("1G,slots=300,maxmem=8G")).getMessage());
    }
}
