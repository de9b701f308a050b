package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.hotmem.conformance.GuestShell;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MigrateType;
import org.hotmem.mm.PageState;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kernel allocations follow the zonelist: once a hot-added block creates ZONE_NORMAL on a VM
 * that booted without it, what guest commands make the kernel allocate (each process's page
 * tables, the dentries and inodes of its path walks) comes from Normal: the first unmovable and
 * the first reclaimable allocation each steal the largest free chunk (the lowest of the block
 * onlined first), and that block can no longer go offline while the others can. The numbers
 * are those of the recordings zonelist-2g-immediate and zonelist-2g-reverse (both kernels).
 */
class ZonelistKernelAllocationTest {
    private static final String M = "/sys/devices/system/memory";
    private static final long PAGEBLOCK = 512;

    private static int sh(GuestShell sh, String cmd) {
        return sh.run(cmd).result().rc();
    }

    /** A 2 GiB guest with a 1 GiB DIMM (memory32-39) whose blocks are onlined online_kernel in {@code order}. */
    private static Machine onlined(KernelVersion v, GuestShell[] shell, int... order) {
        Machine m = MachineTest.boot("2G,slots=8,maxmem=8G", "", v);
        shell[0] = new GuestShell(m.kernel(), m.fs());
        assertEquals(0, sh(shell[0], "echo offline > " + M + "/auto_online_blocks"));
        MachineTest.addDimm(m, "1", 1L << 30);
        MachineTest.waitEvent(m, "ACPI_DEVICE_OST", 10_000_000_000L);
        for (int b : order) {
            assertEquals(0, sh(shell[0], "echo online_kernel > " + M + "/memory" + b + "/state"));
        }
        assertEquals(0, sh(shell[0], "memblocks 32 33 34 35 36 37 38 39"));
        return m;
    }

    private static Map<MigrateType, Integer> pageblocks(Machine m, long startPfn, long pages) {
        Map<MigrateType, Integer> count = new EnumMap<>(MigrateType.class);
        for (long pfn = startPfn; pfn < startPfn + pages; pfn += PAGEBLOCK) {
            count.merge(m.mm().pageblockMigratetype(pfn), 1, Integer::sum);
        }
        return count;
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void commandsStealTwoPageblocksPerTypeAtTheNewZonesStartAndPinItsFirstBlock(KernelVersion v) {
        GuestShell[] shell = new GuestShell[1];
        Machine m = onlined(v, shell, 32, 33, 34, 35, 36, 37, 38, 39);
        long first = 0x100000;
        // recorded /proc/pagetypeinfo, Normal right after onlining: Unmovable 2, Movable 508, Reclaimable 2
        assertEquals(Map.of(MigrateType.UNMOVABLE, 2, MigrateType.MOVABLE, 508, MigrateType.RECLAIMABLE, 2),
                pageblocks(m, first, 8 * 32768));
        assertEquals(MigrateType.UNMOVABLE, m.mm().pageblockMigratetype(first), "page tables at the zone's first pfn");
        boolean slabInFirstBlock = false;
        for (long pfn = first; pfn < first + 32768; pfn++) {
            if (m.mm().kind(pfn) == PageState.KERNEL && m.mm().ownerWord(pfn) % 256 == PageState.KERNEL_SLAB) {
                slabInFirstBlock = true;
                break;
            }
        }
        assertTrue(slabInFirstBlock, "a dentry/inode slab page in memory32 after the commands");
        assertEquals(1, sh(shell[0], "echo offline > " + M + "/memory32/state"));
        assertEquals(0, sh(shell[0], "echo offline > " + M + "/memory33/state"));
        assertEquals(ZoneType.NORMAL, m.mm().zoneOf(first).type());
        List<String> log = MachineTest.strip(m.drainKernelLog());
        assertTrue(log.contains("page dumped because: unmovable page"), log.toString());
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void theBlockOnlinedFirstIsPinnedNotTheLowest(KernelVersion v) {
        GuestShell[] shell = new GuestShell[1];
        Machine m = onlined(v, shell, 39, 38, 37, 36, 35, 34, 33, 32);
        for (int b = 32; b < 39; b++) {
            assertEquals(0, sh(shell[0], "echo offline > " + M + "/memory" + b + "/state"), "memory" + b);
        }
        assertEquals(1, sh(shell[0], "echo offline > " + M + "/memory39/state"));
        assertEquals(MigrateType.UNMOVABLE, m.mm().pageblockMigratetype(0x138000));
        assertTrue(MachineTest.strip(m.drainKernelLog())
                .contains("memory offlining [mem 0x138000000-0x13fffffff] failed due to failure to isolate range"));
    }

    @Test
    void aProcessFreesItsPageTablesWhenItExits() {
        GuestShell[] shell = new GuestShell[1];
        Machine m = onlined(KernelVersion.V6_1, shell, 32);
        String before = shell[0].run("grep PageTables /proc/meminfo").result().output();
        assertEquals(before, shell[0].run("grep PageTables /proc/meminfo").result().output());
        long pageTablePages = 0;
        for (long pfn = 0x100000; pfn < 0x108000; pfn++) {
            if (m.mm().kind(pfn) == PageState.KERNEL && m.mm().ownerWord(pfn) % 256 == PageState.KERNEL_PAGE_TABLE) {
                pageTablePages++;
            }
        }
        assertEquals(0, pageTablePages, "no page table of an exited command stays in memory32");
    }
}
