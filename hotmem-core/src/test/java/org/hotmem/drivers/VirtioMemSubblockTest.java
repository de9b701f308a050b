package org.hotmem.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.hotmem.hotplug.MemoryBlock;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * virtio-mem in Sub Block Mode: unplugged subblocks of an online block are PageOffline and never
 * in the buddy (online_page_callback), unplugging fake-offlines online subblocks with
 * alloc_contig_range() (migrating movable pages, skipping busy subblocks in a kernel zone),
 * emptied blocks are removed, and the retry timer backs off from 50 s to 300 s.
 */
class VirtioMemSubblockTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1L << 20;
    private static final long SEC = 1_000_000_000L;
    /** memory40, the first block of a virtio-mem device on a 4 GiB pc guest. */
    private static final long MB40 = 40L * 32768;
    private static final long SB_PAGES = 512;

    private static Machine boot(KernelVersion v, String autoOnline) {
        return Machine.boot(new MachineConfig("4G,slots=4,maxmem=16G", "memhp_default_state=" + autoOnline,
                List.of("-object memory-backend-ram,id=vmem0,size=2G -device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0"),
                v, 3));
    }

    private static void resize(Machine m, long bytes) {
        ObjectNode args = JSON.createObjectNode();
        args.put("path", "vm0").put("property", "requested-size").put("value", bytes);
        assertEquals("{\"return\":{}}", m.qmp("qom-set", args).toString());
        m.runFor(3 * SEC);
    }

    private static long size(Machine m) {
        ObjectNode args = JSON.createObjectNode();
        args.put("path", "vm0").put("property", "size");
        return m.qmp("qom-get", args).get("return").asLong();
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void unpluggedSubblocksOfAnOnlineBlockArePageOfflineAndNotManaged(KernelVersion v) {
        Machine m = boot(v, "online_movable");
        resize(m, 64 * MIB);
        MemoryModel mm = m.mm();
        assertEquals(MemoryBlock.State.ONLINE, m.hotplug().block(40).state());
        assertEquals(32, m.virtioMemDrivers().get(0).pluggedSubblocks(40));
        assertEquals("MOVABLE_PARTIAL", m.virtioMemDrivers().get(0).blockState(40));
        for (long pfn = MB40; pfn < MB40 + 32768; pfn += SB_PAGES) {
            assertEquals(pfn >= MB40 + 32 * SB_PAGES, mm.pageOffline(pfn), "pfn " + Long.toHexString(pfn));
        }
        assertEquals(16384, mm.zoneOf(MB40).managedPages());
        assertEquals(ZoneType.MOVABLE, mm.zoneOf(MB40).type());

        // offline and online again by hand: the unplugged half stays PageOffline
        org.hotmem.conformance.GuestShell sh = new org.hotmem.conformance.GuestShell(m.kernel(), m.fs());
        assertEquals(0, sh.run("echo offline > /sys/devices/system/memory/memory40/state").result().rc());
        assertEquals(MemoryBlock.State.OFFLINE, m.hotplug().block(40).state());
        assertEquals("OFFLINE_PARTIAL", m.virtioMemDrivers().get(0).blockState(40));
        assertEquals(0, sh.run("echo online_movable > /sys/devices/system/memory/memory40/state").result().rc());
        assertEquals(16384, mm.zoneOf(MB40).managedPages());
        assertTrue(mm.pageOffline(MB40 + 63 * SB_PAGES));
        assertFalse(mm.pageOffline(MB40));

        // plugging the rest fake-onlines the PageOffline half into the buddy
        resize(m, 128 * MIB);
        assertEquals(32768, mm.zoneOf(MB40).managedPages());
        assertFalse(mm.pageOffline(MB40 + 63 * SB_PAGES));
        assertEquals("MOVABLE", m.virtioMemDrivers().get(0).blockState(40));
    }

    @Test
    void unplugInMovableMigratesTheWorkloadAndRemovesTheBlock() {
        Machine m = boot(KernelVersion.V6_12, "online_movable");
        resize(m, 128 * MIB);
        AddressSpace as = m.mm().newAddressSpace("app", Gfp.MOVABLE_ANON);
        int inBlock = 0;
        for (int i = 0; i < 40_000; i++) {
            as.add(0x1000L + i);
            long pfn = as.pfn(i);
            if (pfn >= MB40 && pfn < MB40 + 32768) {
                inBlock++;
            }
        }
        assertTrue(inBlock > 0, "the workload should live partly in the virtio-mem block");
        long migratedBefore = m.mm().vmCounters().pgmigrateSuccess();
        resize(m, 0);
        assertEquals(0, size(m));
        assertNull(m.hotplug().block(40));
        assertTrue(m.mm().vmCounters().pgmigrateSuccess() - migratedBefore >= inBlock);
        for (int i = 0; i < 40_000; i++) {
            assertEquals(0x1000L + i, as.read(i));
        }
    }

    @Test
    void normalZoneUnplugIsBestEffortAndTheRetryTimerBacksOff() {
        Machine m = boot(KernelVersion.V6_12, "online_kernel");
        resize(m, 128 * MIB);
        assertEquals(ZoneType.NORMAL, m.mm().zoneOf(MB40).type());
        long busy = MB40 + 5 * SB_PAGES + 17;
        m.mm().reservePage(busy); // an unmovable page in subblock 5
        resize(m, 0);
        VirtioMemDriver d = m.virtioMemDrivers().get(0);
        assertEquals(2 * MIB, size(m), "only the busy subblock stays plugged");
        assertEquals(1, d.pluggedSubblocks(40));
        assertEquals("KERNEL_PARTIAL", d.blockState(40));
        assertTrue(d.retryPending());
        assertEquals(50_000, d.retryTimerMs());
        m.runFor(45 * SEC); // resize() let 3 s pass already
        assertEquals(50_000, d.retryTimerMs(), "the first retry comes after 50 s");
        m.runFor(5 * SEC);
        assertEquals(100_000, d.retryTimerMs());
        m.runFor(100 * SEC);
        assertEquals(200_000, d.retryTimerMs());
        m.runFor(200 * SEC);
        assertEquals(300_000, d.retryTimerMs());
        m.runFor(300 * SEC);
        assertEquals(300_000, d.retryTimerMs(), "capped at 300 s");
        assertEquals(2 * MIB, size(m));
    }

    @Test
    void requestsAreBusyWhileAMigrationRuns() {
        Machine m = boot(KernelVersion.V6_1, "online_movable");
        assertEquals("{\"return\":{}}", m.qmp("migrate", JSON.createObjectNode().put("uri", "exec:cat > /dev/null")).toString());
        resize(m, 128 * MIB);
        VirtioMemDriver d = m.virtioMemDrivers().get(0);
        assertEquals(0, size(m));
        assertTrue(d.retryPending());
        assertEquals("{\"return\":{}}", m.qmp("migrate_cancel", null).toString());
        m.runFor(40 * SEC);
        assertEquals(0, size(m), "nothing happens before the retry timer fires");
        m.runFor(10 * SEC);
        assertEquals(128 * MIB, size(m));
        assertFalse(d.retryPending());
    }
}
