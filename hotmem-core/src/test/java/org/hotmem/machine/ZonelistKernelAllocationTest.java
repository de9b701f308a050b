package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hotmem.conformance.GuestShell;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MigrateType;
import org.hotmem.mm.PageState;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.api.Test;

/**
 * Kernel allocations follow the zonelist: once a hot-added block creates ZONE_NORMAL on a VM
 * that booted without it, the slabs that guest commands make the kernel allocate come from
 * Normal, at its lowest pageblocks, and that block can no longer go offline.
 */
class ZonelistKernelAllocationTest {
    private static final String M = "/sys/devices/system/memory";

    private static int sh(GuestShell sh, String cmd) {
        return sh.run(cmd).result().rc();
    }

    @Test
    void dentriesOfLaterCommandsLandInTheNewNormalZoneAndPinItsFirstBlock() {
        Machine m = MachineTest.boot("2G,slots=8,maxmem=8G", "", KernelVersion.V6_12);
        GuestShell shell = new GuestShell(m.kernel(), m.fs());
        assertEquals(0, sh(shell, "echo offline > " + M + "/auto_online_blocks"));
        MachineTest.addDimm(m, "1", 1L << 30);
        MachineTest.waitEvent(m, "ACPI_DEVICE_OST", 10_000_000_000L);
        for (int b = 32; b < 40; b++) {
            assertEquals(0, sh(shell, "echo online_kernel > " + M + "/memory" + b + "/state"));
        }
        assertEquals(0, sh(shell, "memblocks 32 33 34 35 36 37 38 39"));
        long first = 0x100000;
        boolean slabInFirstBlock = false;
        for (long pfn = first; pfn < first + 32768; pfn++) {
            if (m.mm().kind(pfn) == PageState.KERNEL && m.mm().ownerWord(pfn) % 256 == PageState.KERNEL_SLAB) {
                slabInFirstBlock = true;
                break;
            }
        }
        assertTrue(slabInFirstBlock, "a slab page in memory32 after the commands");
        assertEquals(MigrateType.RECLAIMABLE, m.mm().pageblockMigratetype(first));
        assertEquals(1, sh(shell, "echo offline > " + M + "/memory32/state"));
        assertEquals(0, sh(shell, "echo offline > " + M + "/memory33/state"));
        assertEquals(ZoneType.NORMAL, m.mm().zoneOf(first).type());
        List<String> log = MachineTest.strip(m.drainKernelLog());
        assertTrue(log.contains("page dumped because: unmovable page"), log.toString());
    }
}
