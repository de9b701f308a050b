package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hotmem.kernel.Errno;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.api.Test;

/** The zone-spans conformance scenario, step by step (same results in 6.1 and 6.12). */
class ZoneSpansTest {
    static final long GIB = 1L << 30;

    static String span(Zone z) {
        return (z.populated() ? z.startPfn() : "-") + " " + z.spannedPages() + " " + z.presentPages() + " " + z.managedPages();
    }

    static TestGuest twoDimms(KernelVersion v) {
        TestGuest g = new TestGuest(v);
        assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "offline"));
        assertNull(g.add(5 * GIB, GIB, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        assertNull(g.add(6 * GIB, GIB, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        g.log();
        return g;
    }

    @Test
    void zoneSpansScenarioReproducesTheRecording() {
        for (KernelVersion v : KernelVersion.values()) {
            TestGuest g = twoDimms(v);
            Zone normal = g.zone(ZoneType.NORMAL);
            Zone movable = g.zone(ZoneType.MOVABLE);
            assertEquals("Normal Movable", g.block(40, "valid_zones"));
            assertEquals("offline", g.block(55, "state"));
            // Z1
            assertNull(g.state(44, "online_movable"));
            List<String> log = g.log();
            assertEquals("Fallback order for Node 0: 0 ", log.get(0));
            assertTrue(log.get(1).startsWith("Built 1 zonelists, mobility grouping on.  Total pages: "));
            assertEquals("Policy zone: Normal", log.get(2));
            assertEquals("Normal Movable", g.block(45, "valid_zones"));
            assertEquals("1441792 32768 32768 32768", span(movable));
            // Z2
            assertNull(g.state(47, "online_movable"));
            assertEquals(List.of(), g.log());
            assertEquals("Movable Normal", g.block(45, "valid_zones"));
            assertEquals("Movable Normal", g.block(46, "valid_zones"));
            assertEquals("1441792 131072 65536 65536", span(movable));
            // Z3
            assertNull(g.state(45, "online"));
            assertEquals("Movable", g.block(45, "valid_zones"));
            // Z4
            assertNull(g.state(46, "online_kernel"));
            assertEquals("Normal", g.block(46, "valid_zones"));
            assertEquals("1048576 491520 294912", span(normal).substring(0, span(normal).lastIndexOf(' ')));
            // Z5
            assertEquals("Normal Movable", g.block(41, "valid_zones"));
            assertNull(g.write("/sys/devices/system/memory/memory41/online", "1"));
            assertEquals("Normal", g.block(41, "valid_zones"));
            // Z6
            assertNull(g.state(40, "online_movable"));
            assertEquals("1310720 262144 131072 131072", span(movable));
            // Z7
            assertEquals("Normal Movable", g.block(42, "valid_zones"));
            assertEquals("Normal Movable", g.block(48, "valid_zones"));
            assertNull(g.state(42, "online"));
            assertEquals("Normal", g.block(42, "valid_zones"));
            // Z8
            assertNull(g.state(50, "online_kernel"));
            assertEquals("Normal Movable", g.block(49, "valid_zones"));
            assertEquals(622592, normal.spannedPages());
            // Z9
            assertNull(g.state(47, "offline"));
            assertEquals(List.of("Offlined Pages 32768"), g.log());
            assertEquals("1310720 196608 98304 98304", span(movable));
            assertNull(g.state(40, "offline"));
            assertEquals("1441792 65536 65536 65536", span(movable));
            assertNull(g.state(50, "offline"));
            assertEquals(491520, normal.spannedPages());
            assertEquals(360448, normal.presentPages());
            // Z10
            assertNull(g.state(41, "offline"));
            assertNull(g.state(42, "offline"));
            assertNull(g.state(44, "offline"));
            assertNull(g.state(45, "offline"));
            log = g.log();
            assertEquals("Offlined Pages 32768", log.get(log.size() - 4));
            assertTrue(log.contains("Policy zone: Normal"), log.toString());
            assertEquals("- 0 0 0", span(movable));
            assertTrue(g.invariants().isEmpty(), g.invariants().toString());
        }
    }

    @Test
    void movableNodeMakesMovableTheDefaultForFreshBlocks() {
        TestGuest g = new TestGuest(KernelVersion.V6_1, "movable_node");
        assertNull(g.add(5 * GIB, GIB / 2, 0));
        assertEquals("Movable Normal", g.block(40, "valid_zones"));
        assertNull(g.state(40, "online"));
        assertEquals("Movable", g.block(40, "valid_zones"));
        assertEquals(243910, g.zone(ZoneType.NORMAL).managedPages());
    }

    @Test
    void memhpDefaultStateOnlineAutoOnlinesIntoNormal() {
        TestGuest g = new TestGuest(KernelVersion.V6_1, "memhp_default_state=online");
        assertEquals("online", g.read("/sys/devices/system/memory/auto_online_blocks").strip());
        assertNull(g.add(5 * GIB, GIB / 4, 0));
        assertEquals("Normal", g.block(40, "valid_zones"));
        assertEquals("online", g.block(41, "state"));
    }

    @Test
    void sixTwelveAutoOnlinesByDefaultAndRedundantOnlineIsEinval() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        assertNull(g.add(5 * GIB, GIB / 2, 0));
        assertEquals("online", g.block(40, "state"));
        assertEquals(Errno.EINVAL, g.state(40, "online_movable"));
        assertNull(g.write("/sys/devices/system/memory/memory40/online", "1"));
    }

    @Test
    void autoOnlineMovableAndKernelPlaceDimms() {
        TestGuest g = new TestGuest(KernelVersion.V6_1);
        assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "online_movable"));
        assertNull(g.add(5 * GIB, GIB / 4, 0));
        assertEquals("Movable", g.block(40, "valid_zones"));
        assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "online"));
        assertNull(g.add(5 * GIB + GIB / 4, GIB / 4, 0));
        assertEquals("Normal", g.block(42, "valid_zones"));
        assertEquals(Errno.EINVAL, g.write("/sys/devices/system/memory/auto_online_blocks", "bogus"));
        assertEquals("online", g.read("/sys/devices/system/memory/auto_online_blocks").strip());
    }
}
