package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.hotmem.conformance.GuestShell;
import org.hotmem.hv.MachineType;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.PageState;
import org.junit.jupiter.api.Test;

/**
 * The pseries machine: the recorded boot layout (all ZONE_NORMAL, 256 MiB LMBs, managed pages),
 * DLPAR hot-add (the DLPAR code onlines the LMBs itself: Normal, or Movable with movable_node)
 * and hot-remove (DEVICE_DELETED after the last LMB), and the failed removal that re-adds and
 * sends no event.
 */
class PseriesMachineTest {
    static Machine boot(String cmdline, String... qemu) {
        return Machine.builder().machine(MachineType.PSERIES).memory("2G,slots=4,maxmem=8G").kernel(KernelVersion.V6_1)
                .cmdline(cmdline).qemu(qemu).boot();
    }

    static GuestShell.Outcome run(Machine m, String cmd, long timeoutNs) {
        return new GuestShell(m.kernel(), m.fs(), m.power(), m.programs()).run(cmd, timeoutNs);
    }

    static String sh(Machine m, String cmd) {
        return run(m, cmd, GuestShell.GUEST_TIMEOUT_NS).result().output();
    }

    static ObjectNode json(String s) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static List<String> log(Machine m) {
        return m.drainKernelLog().stream().map(l -> l.replaceFirst("^\\[[^]]*\\] ", "")).toList();
    }

    static final String DIMM1 = "{\"driver\": \"pc-dimm\", \"id\": \"dimm1\", \"memdev\": \"mem1\"}";

    @Test
    void twoGiBGuestBootsAllNormalInEightLmbsWithTheRecordedManagedPages() {
        Machine m = boot("");
        assertEquals("10000000\n", sh(m, "cat /sys/devices/system/memory/block_size_bytes"));
        assertEquals("node 0 Normal start_pfn=0(0x0) spanned=32768 present=32768 managed=31825\n"
                + "node 0 Movable start_pfn=- spanned=0 present=0 managed=0\n", sh(m, "zonesum"));
        String blocks = sh(m, "memblocks");
        assertEquals(8, blocks.lines().count());
        assertTrue(blocks.lines().allMatch(l -> l.endsWith("removable=1 node=0 valid_zones=Normal")), blocks);
        assertTrue(sh(m, "cat /proc/meminfo").startsWith("MemTotal:        2036800 kB\n"));
        assertEquals("offline\n", sh(m, "cat /sys/devices/system/memory/auto_online_blocks"));
    }

    @Test
    void dlparOnlinesHotAddedLmbsIntoNormalAndDeviceDeletedFollowsTheLastRemovedLmb() {
        Machine m = boot("", "-object", "memory-backend-ram,id=mem1,size=1G");
        log(m);
        assertEquals(json("{\"return\": {}}"), m.qmp("device_add", json(DIMM1)));
        m.runFor(1_000_000_000L);
        List<String> add = log(m);
        assertEquals("pseries-hotplug-mem: Attempting to hot-add 4 LMB(s) at index 80000008", add.get(0));
        assertTrue(add.contains("radix-mmu: Mapped 0x00000000b0000000-0x00000000c0000000 with 2.00 MiB pages"), add.toString());
        assertEquals("pseries-hotplug-mem: Memory at b0000000 (drc index 8000000b) was hot-added", add.get(add.size() - 1));
        assertTrue(sh(m, "memblocks 8 11").lines().allMatch(l -> l.contains("state=online") && l.endsWith("valid_zones=Normal")));
        assertTrue(sh(m, "zonesum").startsWith("node 0 Normal start_pfn=0(0x0) spanned=49152 present=49152 managed=48209\n"));
        assertEquals(json("{\"return\": {}}"), m.qmp("device_del", json("{\"id\": \"dimm1\"}")));
        assertTrue(m.drainEvents().isEmpty(), "no event before the guest removed the LMBs");
        m.runFor(1_000_000_000L);
        List<ObjectNode> ev = m.drainEvents();
        assertEquals(1, ev.size());
        assertEquals("DEVICE_DELETED", ev.get(0).get("event").asText());
        assertEquals("dimm1", ev.get(0).get("data").get("device").asText());
        List<String> rm = log(m);
        assertEquals(4, rm.stream().filter(l -> l.equals("Offlined Pages 4096")).count());
        assertEquals("pseries-hotplug-mem: Memory at 80000000 (drc index 80000008) was hot-removed", rm.get(rm.size() - 4));
        assertEquals("memory8 absent\n", sh(m, "memblocks 8"));
    }

    @Test
    void withMovableNodeTheDlparLmbsGoToZoneMovable() {
        Machine m = boot("movable_node", "-object", "memory-backend-ram,id=mem1,size=1G");
        m.qmp("device_add", json(DIMM1));
        m.runFor(1_000_000_000L);
        assertEquals("node 0 Normal start_pfn=0(0x0) spanned=32768 present=32768 managed=31825\n"
                + "node 0 Movable start_pfn=32768(0x8000) spanned=16384 present=16384 managed=16384\n", sh(m, "zonesum"));
    }

    @Test
    void aRemovalThatCannotOfflineReaddsNothingAndSendsNoEvent() {
        Machine m = boot("", "-object", "memory-backend-ram,id=mem1,size=512M");
        m.qmp("device_add", json(DIMM1));
        m.runFor(1_000_000_000L);
        // an unmovable kernel page in memory8: hot-added memory sits at the tail of the free lists
        List<Long> taken = new ArrayList<>();
        long inDimm = -1;
        while (inDimm < 0) {
            long pfn = m.mm().allocPages(Gfp.KERNEL, 0, PageState.KERNEL_SLAB);
            if (pfn >= 32768 && pfn < 36864) {
                inDimm = pfn;
            } else {
                taken.add(pfn);
            }
        }
        taken.forEach(m.mm()::freePages);
        log(m);
        m.qmp("device_del", json("{\"id\": \"dimm1\"}"));
        m.runFor(5_000_000_000L);
        List<String> l = log(m);
        assertEquals("pseries-hotplug-mem: Attempting to hot-remove 2 LMB(s) at 80000008", l.get(0));
        assertTrue(l.contains("memory offlining [mem 0x80000000-0x8fffffff] failed due to failure to isolate range"), l.toString());
        assertEquals("pseries-hotplug-mem: Memory indexed-count-remove failed, adding any removed LMBs", l.get(l.size() - 1));
        assertTrue(m.drainEvents().isEmpty());
        assertTrue(sh(m, "memblocks 8 9").lines().allMatch(b -> b.contains("state=online")));
        assertEquals("Memory unplug already in progress for device dimm1",
                m.qmp("device_del", json("{\"id\": \"dimm1\"}")).get("error").get("desc").asText());
    }

    @Test
    void dimmsMustBeWholeLmbs() {
        Machine m = boot("", "-object", "memory-backend-ram,id=mem1,size=384M");
        assertEquals("Hotplugged memory size must be a multiple of 256 MB",
                m.qmp("device_add", json(DIMM1)).get("error").get("desc").asText());
        assertFalse(sh(m, "memblocks 8").contains("online"));
    }
}
