package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hotmem.kernel.Errno;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.api.Test;

class BootBlocksTest {
    @Test
    void bootBlocksAndValidZonesAreAsRecorded() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        assertEquals("8000000", g.read("/sys/devices/system/memory/block_size_bytes").strip());
        assertEquals("online", g.read("/sys/devices/system/memory/auto_online_blocks").strip());
        assertEquals("none", g.block(0, "valid_zones"));
        assertEquals("DMA32", g.block(1, "valid_zones"));
        assertEquals("DMA32", g.block(23, "valid_zones"));
        assertEquals("Normal", g.block(39, "valid_zones"));
        assertEquals("00000027", g.block(39, "phys_index"));
        assertNull(g.fs.lookup("/sys/devices/system/memory/memory24"));
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void offliningMemory0FailsWithEinvalAndNoMessage() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        assertEquals(Errno.EINVAL, g.state(0, "offline"));
        assertEquals(List.of(), g.log());
        assertEquals("online", g.block(0, "state"));
    }

    @Test
    void offliningMemory23FailsOnTheReservedTailAsMemoryHoles() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        assertEquals(Errno.EINVAL, g.state(23, "offline"));
        assertEquals(List.of("memory offlining [mem 0xb8000000-0xbfffffff] failed due to memory holes"), g.log());
    }

    @Test
    void offliningMemory32FailsWithEbusyOnThePageTablePage612() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        assertEquals(Errno.EBUSY, g.state(32, "offline"));
        List<String> log = g.log();
        assertEquals("page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x100000", log.get(0));
        assertEquals("flags: 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)", log.get(1));
        assertEquals("page_type: f2(table)", log.get(2));
        assertEquals("page dumped because: unmovable page", log.get(5));
        assertEquals("memory offlining [mem 0x100000000-0x107ffffff] failed due to failure to isolate range", log.get(6));
        assertEquals("online", g.block(32, "state"));
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void offliningMemory39FailsOnTheFirstReservedPage() {
        TestGuest g61 = new TestGuest(KernelVersion.V6_1);
        assertEquals(Errno.EBUSY, g61.state(39, "offline"));
        List<String> log = g61.log();
        assertEquals("page:(____ptrval____) refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x13ff01", log.get(0));
        assertEquals("flags: 0x17ffffc0001000(reserved|node=0|zone=2|lastcpupid=0x1fffff)", log.get(1));
        assertEquals("raw: 0017ffffc0001000 ffffea0004ffc048 ffffea0004ffc048 0000000000000000", log.get(2));
        assertEquals("memory offlining [mem 0x138000000-0x13fffffff] failed due to failure to isolate range", log.get(5));
        TestGuest g612 = new TestGuest(KernelVersion.V6_12);
        assertEquals(Errno.EBUSY, g612.state(39, "offline"));
        assertEquals("page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x13ff02", g612.log().get(0));
    }

    @Test
    void offliningAndOnliningDma32AndNormalBootBlocksRestoresManaged() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        for (int n = 1; n <= 22; n++) {
            assertNull(g.state(n, "offline"), "memory" + n);
            assertEquals(List.of("Offlined Pages 32768"), g.log());
        }
        assertEquals("DMA32 Movable", g.block(10, "valid_zones"));
        assertEquals(1044480, g.zone(ZoneType.DMA32).spannedPages());
        for (int n = 33; n <= 38; n++) {
            assertNull(g.state(n, "offline"), "memory" + n);
        }
        assertEquals("Normal Movable", g.block(36, "valid_zones"));
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
        for (int n = 1; n <= 22; n++) {
            assertNull(g.state(n, "online"));
        }
        for (int n = 33; n <= 38; n++) {
            assertNull(g.write("/sys/devices/system/memory/memory" + n + "/online", "1"));
        }
        assertEquals("DMA32", g.block(10, "valid_zones"));
        assertEquals("Normal", g.block(36, "valid_zones"));
        assertEquals(756365, g.zone(ZoneType.DMA32).managedPages());
        assertEquals(243904, g.zone(ZoneType.NORMAL).managedPages());
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }
}
