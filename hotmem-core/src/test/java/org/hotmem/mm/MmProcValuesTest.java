package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hotmem.kernel.Kernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The values of the mm text files follow from the model's state. */
class MmProcValuesTest {
    private static MemoryModel boot(KernelVersion v) {
        return MemoryModel.boot(BootE820.pc4G(), new MmBootOptions(false, -1), v, Kernel.withSeed(1), null);
    }

    private static long field(String text, String key) {
        for (String l : text.split("\n")) {
            if (l.startsWith(key)) {
                return Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no " + key + " in\n" + text);
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void khugepagedRaisesMinFreeKbytesToElevenPageblocksPerZone(KernelVersion v) {
        MemoryModel mm = boot(v);
        // 3 populated zones x (2 + 3*3) pageblocks x 2 MiB, as both recorded guests show (16894 pages of min)
        assertEquals(67584, mm.minFreeKbytes());
        long sumMin = 0;
        for (Zone z : mm.node(0).zones()) {
            if (z.type().isKernelZone()) {
                sumMin += z.minWmark();
            }
        }
        assertTrue(sumMin <= 16896 && sumMin >= 16893, "min watermarks split 16896 pages: " + sumMin);
    }

    @Test
    void emptyMovableZoneGetsHighmemLikeWatermarksOnlyIn612() {
        Zone m612 = boot(KernelVersion.V6_12).node(0).zone(ZoneType.MOVABLE);
        assertEquals(32, m612.minWmark());
        assertEquals(32, m612.promoWmark());
        Zone m61 = boot(KernelVersion.V6_1).node(0).zone(ZoneType.MOVABLE);
        assertEquals(0, m61.minWmark());
        assertEquals(0, m61.highWmark());
    }

    @Test
    void lowmemReserveIsTheUpperManagedPagesAtCoreInitcallDividedByTheRatio() {
        MemoryModel mm = boot(KernelVersion.V6_12);
        Zone dma = mm.node(0).zone(ZoneType.DMA);
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        // init_per_zone_wmark_min() runs before the initrd and the init sections are freed (all in DMA32 at 4G);
        // those later frees do not recompute the reserves.
        long lateFreed = 0;
        boolean afterInitcall = false;
        for (String l : mm.kernel().dmesg().lines()) {
            afterInitcall |= l.contains("software IO TLB: mapped");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Freeing .* memory: (\\d+)K$").matcher(l);
            if (afterInitcall && m.find()) {
                lateFreed += Long.parseLong(m.group(1)) / 4;
            }
        }
        assertTrue(lateFreed > 1000, "initrd + initmem + decrypted + gap pages: " + lateFreed);
        long dma32AtInitcall = dma32.managedPages() - lateFreed;
        assertEquals(dma32AtInitcall / 256, dma.lowmemReserve(ZoneType.DMA32));
        assertEquals((dma32AtInitcall + normal.managedPages()) / 256, dma.lowmemReserve(ZoneType.NORMAL));
        assertEquals(normal.managedPages() / 256, dma32.lowmemReserve(ZoneType.NORMAL));
        assertEquals(0, normal.lowmemReserve(ZoneType.MOVABLE));
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void memAvailableIsFreeAboveTheReservesPlusHalfThePageCache(KernelVersion v) {
        MemoryModel mm = boot(v);
        String mi = MmProcFiles.meminfo(mm);
        long free = field(mi, "MemFree:") / 4;
        long file = (field(mi, "Active(file):") + field(mi, "Inactive(file):")) / 4;
        long expected = free - mm.totalreservePages() + (file - file / 2);
        assertEquals(expected * 4, field(mi, "MemAvailable:"));
        assertTrue(field(mi, "MemAvailable:") < field(mi, "MemFree:"));
    }

    @Test
    void kernelAllocationsShowAsSlabAndPageTablesAndCountAsPgalloc() {
        MemoryModel mm = boot(KernelVersion.V6_12);
        String before = MmProcFiles.meminfo(mm);
        long pgalloc = mm.vmCounters().pgalloc(ZoneType.NORMAL);
        long slab = mm.allocPages(Gfp.KERNEL, 2, PageState.KERNEL_SLAB);
        mm.allocPages(Gfp.KERNEL, 0, PageState.KERNEL_PAGE_TABLE);
        String after = MmProcFiles.meminfo(mm);
        assertEquals(field(before, "SUnreclaim:") + 16, field(after, "SUnreclaim:"));
        assertEquals(field(before, "Slab:") + 16, field(after, "Slab:"));
        assertEquals(field(before, "PageTables:") + 4, field(after, "PageTables:"));
        assertEquals(pgalloc + 5, mm.vmCounters().pgalloc(ZoneType.NORMAL));
        long pgfree = mm.vmCounters().pgfree();
        mm.freePages(slab);
        assertEquals(field(before, "SUnreclaim:"), field(MmProcFiles.meminfo(mm), "SUnreclaim:"));
        assertEquals(pgfree + 4, mm.vmCounters().pgfree());
    }

    @Test
    void shmemPagesCountAsCachedShmemAndAnonLru() {
        MemoryModel mm = boot(KernelVersion.V6_12);
        String before = MmProcFiles.meminfo(mm);
        AddressSpace tmpfs = mm.newAddressSpace("tmpfs", Gfp.PAGE_CACHE, AddressSpace.Backing.SHMEM);
        for (int i = 0; i < 10; i++) {
            tmpfs.add(i);
        }
        String after = MmProcFiles.meminfo(mm);
        assertEquals(field(before, "Shmem:") + 40, field(after, "Shmem:"));
        assertEquals(field(before, "Cached:") + 40, field(after, "Cached:"));
        assertEquals(field(before, "Active(anon):") + 40, field(after, "Active(anon):"));
        assertEquals(field(before, "AnonPages:"), field(after, "AnonPages:"));
        assertEquals(field(before, "MemFree:") - 40, field(after, "MemFree:"));
    }

    @Test
    void poisonedFreePageShowsInHardwareCorrupted() {
        MemoryModel mm = boot(KernelVersion.V6_12);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        long pfn = normal.startPfn() + normal.spannedPages() / 2;
        while (mm.kind(pfn) != PageState.BUDDY && mm.kind(pfn) != PageState.FREE_TAIL) {
            pfn++;
        }
        assertEquals(0, field(MmProcFiles.meminfo(mm), "HardwareCorrupted:"));
        mm.poisonFreePage(pfn);
        assertEquals(4, field(MmProcFiles.meminfo(mm), "HardwareCorrupted:"));
    }

    @Test
    void hotAddedSectionIsDirectMappedWith2MPagesAndItsMemmapCounted() {
        MemoryModel mm = boot(KernelVersion.V6_12);
        String mi = MmProcFiles.meminfo(mm);
        String vm = MmProcFiles.vmstat(mm);
        mm.sparseAddSections(0x140000, Arch.X86_64.pagesPerSection(), false, 0);
        assertEquals(field(mi, "DirectMap2M:") + 131072, field(MmProcFiles.meminfo(mm), "DirectMap2M:"));
        assertEquals(field(mi, "DirectMap4k:"), field(MmProcFiles.meminfo(mm), "DirectMap4k:"));
        assertEquals(field(vm, "nr_memmap_pages ") + 512, field(MmProcFiles.vmstat(mm), "nr_memmap_pages "));
        assertEquals(16384, field(vm, "nr_memmap_boot_pages "));
    }

    @Test
    void dirtyThresholdsAreRatiosOfDirtyableMemoryInPageSizeUnits() {
        MemoryModel mm = boot(KernelVersion.V6_12);
        String vm = MmProcFiles.vmstat(mm);
        long free = field(vm, "nr_free_pages ");
        long file = field(vm, "nr_active_file ") + field(vm, "nr_inactive_file ");
        long dirtyable = free - mm.totalreservePages() + file + 1;
        assertEquals(819 * dirtyable / 4096, field(vm, "nr_dirty_threshold "));
        assertEquals(409 * dirtyable / 4096, field(vm, "nr_dirty_background_threshold "));
    }

    @Test
    void nodeMeminfoMatchesTheGlobalFiguresOnASingleNode() {
        MemoryModel mm = boot(KernelVersion.V6_1);
        String mi = MmProcFiles.meminfo(mm);
        String node = MmProcFiles.nodeMeminfo(mm, mm.node(0));
        assertEquals(field(mi, "MemTotal:"), field(node, "Node 0 MemTotal:"));
        assertEquals(field(mi, "MemFree:"), field(node, "Node 0 MemFree:"));
        assertEquals(field(mi, "MemTotal:") - field(mi, "MemFree:"), field(node, "Node 0 MemUsed:"));
        assertEquals(field(mi, "Slab:"), field(node, "Node 0 Slab:"));
        assertTrue(node.contains("Node 0 HugePages_Total:     0\n"));
        assertEquals("10\n", MmProcFiles.nodeDistance(mm, mm.node(0)));
    }
}
