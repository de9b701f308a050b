package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hotmem.mm.Arch;
import org.hotmem.mm.BootE820;
import org.hotmem.mm.E820Entry;
import org.hotmem.mm.E820Type;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.api.Test;

/**
 * Two machines of different geometry in one JVM: an x86-64 {@code pc} guest (4 KiB pages,
 * 128 MiB blocks of one section) and a toy ppc64 guest with 64 KiB pages, 16 MiB sections and
 * 256 MiB memory blocks of 16 sections, its 2 GiB of boot memory from the device tree as on the
 * recorded pseries guest. Each boots, hot-adds memory, onlines and offlines it, with the model's
 * invariants checked after every step; sysfs, /proc and dmesg speak each machine's geometry.
 */
class TwoArchitecturesTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    static TestGuest pseriesToy() {
        return new TestGuest(Arch.PPC64_PSERIES_64K, KernelVersion.V6_1, "",
                List.of(new E820Entry(0, 2 * GIB, E820Type.USABLE)));
    }

    /** The whole kernel log from boot, without timestamps. */
    static List<String> bootLog(TestGuest g) {
        return g.kernel.dmesg().since(0).stream().map(l -> l.replaceFirst("^\\[[^]]*\\] ", "")).toList();
    }

    static void assertInvariants(TestGuest g) {
        List<String> broken = g.invariants();
        assertTrue(broken.isEmpty(), broken.toString());
    }

    static long meminfoKb(TestGuest g, String label) {
        for (String l : g.read("/proc/meminfo").split("\n")) {
            if (l.startsWith(label + ":")) {
                return Long.parseLong(l.substring(label.length() + 1).replace("kB", "").strip());
            }
        }
        throw new AssertionError("no " + label + " in /proc/meminfo");
    }

    /** The value of "field" in zoneinfo's section for node 0's zone. */
    static long zoneinfo(TestGuest g, String zone, String field) {
        String[] sections = g.read("/proc/zoneinfo").split("(?=Node 0, zone )");
        for (String s : sections) {
            if (s.startsWith("Node 0, zone " + String.format("%8s", zone))) {
                for (String l : s.split("\n")) {
                    String t = l.strip();
                    if (t.startsWith(field + " ")) {
                        return Long.parseLong(t.substring(field.length()).strip());
                    }
                }
            }
        }
        throw new AssertionError("no " + field + " for zone " + zone);
    }

    @Test
    void pseriesGeometryBootsWith256MiBBlocksOfSixteenSectionsAndOnlyNormalAndMovable() {
        TestGuest g = pseriesToy();
        List<String> boot = bootLog(g);
        assertEquals("10000000", g.read("/sys/devices/system/memory/block_size_bytes").strip());
        // 2 GiB of boot memory = memory0..7, phys_index = the block number, all online
        assertEquals(8, g.hp.blocks().size());
        assertEquals("00000007", g.block(7, "phys_index"));
        assertEquals("online", g.block(7, "state"));
        assertEquals(4096, g.hp.block(7).nrPages());
        // the lines of the recorded pseries boot that follow from the geometry
        int zr = boot.indexOf("Zone ranges:");
        assertTrue(zr >= 0, boot.toString());
        assertEquals("  Normal   [mem 0x0000000000000000-0x000000007fffffff]", boot.get(zr + 1));
        assertEquals("Movable zone start for each node", boot.get(zr + 2));
        assertTrue(boot.contains("Initmem setup node 0 [mem 0x0000000000000000-0x000000007fffffff]"), boot.toString());
        assertTrue(boot.contains("Built 1 zonelists, mobility grouping on.  Total pages: 32736"), boot.toString());
        assertTrue(boot.contains("Dentry cache hash table entries: 262144 (order: 5, 2097152 bytes, linear)"), boot.toString());
        assertTrue(boot.contains("Inode-cache hash table entries: 131072 (order: 4, 1048576 bytes, linear)"), boot.toString());
        assertFalse(boot.stream().anyMatch(l -> l.contains("DMA") || l.contains("e820") || l.startsWith("x86/mm")
                || l.contains("NUMA") || l.startsWith("RAMDISK")), boot.toString());
        assertTrue(boot.stream().anyMatch(l -> l.startsWith("Memory: ") && l.contains("/2097152K available")), boot.toString());
        // /proc/zoneinfo counts 64 KiB pages and has no DMA zones: 2 GiB = 32768 pages
        String zoneinfo = g.read("/proc/zoneinfo");
        assertFalse(zoneinfo.contains("DMA"), zoneinfo);
        assertTrue(zoneinfo.contains("Node 0, zone  Movable"), zoneinfo);
        assertTrue(zoneinfo.contains("        protection: (0, 0)\n"), zoneinfo);
        assertEquals(32768, zoneinfo(g, "Normal", "spanned"));
        assertEquals(32768, zoneinfo(g, "Normal", "present"));
        assertEquals(g.zone(ZoneType.NORMAL).managedPages() * 64, meminfoKb(g, "MemTotal"));
        // buddyinfo: orders 0..8 (ARCH_FORCE_MAX_ORDER 9 with 64 KiB pages)
        String buddy = g.read("/proc/buddyinfo").strip();
        assertEquals(2 + 9, buddy.split("\\s+").length - 2, buddy);
        assertTrue(g.read("/proc/pagetypeinfo").contains("Page block order: 5\nPages per block:  32\n"));
        assertInvariants(g);
    }

    @Test
    void pseriesToyHotAddsOnlinesAndOfflinesTwoBlocksOf4096Pages() {
        TestGuest g = pseriesToy();
        assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "offline"));
        long total0 = meminfoKb(g, "MemTotal");
        g.log();
        assertNull(g.add(2 * GIB, 512 * MIB, MemoryHotplug.MHP_NONE));
        assertInvariants(g);
        assertEquals(10, g.hp.blocks().size());
        assertEquals("00000008", g.block(8, "phys_index"));
        assertEquals("00000009", g.block(9, "phys_index"));
        assertEquals("offline", g.block(8, "state"));
        assertEquals("Normal Movable", g.block(8, "valid_zones"));
        assertNull(g.state(8, "online_movable"));
        assertInvariants(g);
        assertEquals("online", g.block(8, "state"));
        assertEquals(total0 + 262144, meminfoKb(g, "MemTotal"));
        assertEquals(32768, g.zone(ZoneType.MOVABLE).startPfn());
        assertEquals(4096, zoneinfo(g, "Movable", "present"));
        assertNull(g.state(9, "online"));
        assertInvariants(g);
        assertEquals(32768 + 4096, zoneinfo(g, "Normal", "present"));
        g.log();
        assertNull(g.state(8, "offline"));
        assertInvariants(g);
        assertEquals("offline", g.block(8, "state"));
        assertEquals(total0 + 262144, meminfoKb(g, "MemTotal"));
        List<String> offlineLog = g.log();
        assertTrue(offlineLog.stream().anyMatch(l -> l.contains("Offlined Pages 4096")), offlineLog.toString());
        assertNull(g.state(9, "offline"));
        g.run(() -> g.hp.removeMemory(2 * GIB, 512 * MIB));
        assertInvariants(g);
        assertEquals(8, g.hp.blocks().size());
        assertEquals(total0, meminfoKb(g, "MemTotal"));
    }

    @Test
    void anX86MachineAndAPseriesToyRunSideBySideEachWithItsOwnGeometry() {
        TestGuest pc = new TestGuest(Arch.X86_64, KernelVersion.V6_12, "", BootE820.pc4G());
        TestGuest ppc = pseriesToy();
        assertEquals("8000000", pc.read("/sys/devices/system/memory/block_size_bytes").strip());
        assertEquals("10000000", ppc.read("/sys/devices/system/memory/block_size_bytes").strip());
        assertTrue(bootLog(pc).contains("x86/mm: Memory block size: 128MB"));
        assertTrue(bootLog(pc).contains("  DMA32    [mem 0x0000000001000000-0x00000000ffffffff]"), bootLog(pc).toString());
        assertEquals(32768, pc.hp.block(39).nrPages());
        assertEquals(4096, ppc.hp.block(7).nrPages());
        // the same operations on both: hot-add one block above boot memory, online it movable, offline it, remove it
        for (TestGuest g : List.of(pc, ppc)) {
            String name = g.mm.arch().name();
            assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "offline"), name);
            long total = meminfoKb(g, "MemTotal");
            long bytes = g.mm.arch().blockSizeBytes();
            long at = 8 * GIB;
            int id = (int) (at / bytes);
            assertNull(g.add(at, bytes, MemoryHotplug.MHP_NONE), name);
            assertEquals(String.format("%08x", id), g.block(id, "phys_index"), name);
            assertNull(g.state(id, "online_movable"), name);
            assertEquals(total + (bytes >> 10), meminfoKb(g, "MemTotal"), name);
            assertEquals(g.mm.arch().pagesPerBlock(), g.zone(ZoneType.MOVABLE).presentPages(), name);
            assertInvariants(g);
            g.log();
            assertNull(g.state(id, "offline"), name);
            assertTrue(g.log().contains("Offlined Pages " + g.mm.arch().pagesPerBlock()), name);
            assertEquals(total, meminfoKb(g, "MemTotal"), name);
            assertInvariants(g);
            g.run(() -> g.hp.removeMemory(at, bytes));
            assertInvariants(g);
        }
    }
}
