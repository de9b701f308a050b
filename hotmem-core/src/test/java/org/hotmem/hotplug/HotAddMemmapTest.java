package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.hotmem.kernel.Errno;
import org.hotmem.mm.Arch;
import org.hotmem.mm.BootE820;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.PageState;
import org.junit.jupiter.api.Test;

/**
 * The memmap of hot-added memory (struct pages: 2 MiB per 128 MiB section) is allocated from the
 * guest's own memory unless memmap_on_memory puts it on the hot-added memory.
 */
class HotAddMemmapTest {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    static TestGuest oneGiB(String cmdline) {
        TestGuest g = new TestGuest(KernelVersion.V6_12, cmdline, BootE820.pc1G());
        assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "offline"));
        g.log();
        return g;
    }

    @Test
    void hotAddWithoutMemmapOnMemoryTakes512FreePagesPerSectionAndRemoveGivesThemBack() {
        TestGuest g = oneGiB("");
        long free0 = g.mm.totalFreePages();
        assertNull(g.add(4 * GIB, 128 * MIB, MemoryHotplug.MHP_NONE));
        // 512 pages of struct page + the direct map's PMD table for the new GiB
        assertEquals(512 + 1, free0 - g.mm.totalFreePages());
        long free1 = g.mm.totalFreePages();
        assertNull(g.add(4 * GIB + 128 * MIB, 256 * MIB, MemoryHotplug.MHP_NONE));
        assertEquals(2 * 512, free1 - g.mm.totalFreePages());
        assertEquals(3 * 512 + 1, g.mm.hotplugMemmapPages());
        g.run(() -> g.hp.removeMemory(4 * GIB, 128 * MIB));
        g.run(() -> g.hp.removeMemory(4 * GIB + 128 * MIB, 256 * MIB));
        assertEquals(free0, g.mm.totalFreePages());
        assertEquals(0, g.mm.hotplugMemmapPages());
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void memmapIsAnUnmovableKernelAllocationThatBlocksIsolationOfItsPageblockUntilRemoved() {
        TestGuest g = oneGiB("");
        long maxPfn = g.mm.maxPfn();
        boolean[] wasKernel = new boolean[(int) maxPfn];
        for (long pfn = 0; pfn < maxPfn; pfn++) {
            wasKernel[(int) pfn] = g.mm.pfnValid(pfn) && g.mm.kind(pfn) == PageState.KERNEL;
        }
        assertNull(g.add(4 * GIB, 128 * MIB, MemoryHotplug.MHP_NONE));
        long memmap = -1;
        for (long pfn = 0; pfn < maxPfn && memmap < 0; pfn++) {
            if (g.mm.pfnValid(pfn) && g.mm.kind(pfn) == PageState.KERNEL && !wasKernel[(int) pfn]
                    && (g.mm.ownerWord(pfn) >>> 8) == 9) {
                memmap = pfn;
            }
        }
        assertTrue(memmap >= 0, "no order-9 memmap block in boot memory");
        // has_unmovable_pages() stops at it: its pageblock (and so its boot block) cannot be isolated
        long pageblock = memmap & ~(Arch.X86_64.pageblockPages() - 1L);
        assertEquals(memmap, g.mm.isolation().hasUnmovablePages(pageblock));
        g.run(() -> g.hp.removeMemory(4 * GIB, 128 * MIB));
        assertEquals(-1, g.mm.isolation().hasUnmovablePages(pageblock));
    }

    @Test
    void oneGiBGuestCannotHotAdd64GiBWithoutMemmapOnMemoryAndNothingIsLeftBehind() {
        TestGuest g = oneGiB("");
        long free0 = g.mm.totalFreePages();
        int blocks0 = g.hp.blocks().size();
        assertEquals(Errno.ENOMEM, g.add(4 * GIB, 64 * GIB, MemoryHotplug.MHP_NONE));
        assertEquals(blocks0, g.hp.blocks().size());
        assertEquals(free0, g.mm.totalFreePages());
        assertEquals(0, g.mm.hotplugMemmapPages());
        assertFalse(g.mm.pfnValid(4 * GIB >>> Arch.X86_64.pageShift()));
        List<String> log = g.log();
        assertTrue(log.contains("test: vmemmap alloc failure: order:9, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), "
                + "nodemask=(null),cpuset=/,mems_allowed=0"), log.toString());
        // the range is free again: a smaller add fits
        assertNull(g.add(4 * GIB, 256 * MIB, MemoryHotplug.MHP_NONE));
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void oneGiBGuestHotAdds64GiBWithMemmapOnMemory() {
        TestGuest g = oneGiB("memory_hotplug.memmap_on_memory=1");
        long free0 = g.mm.totalFreePages();
        assertNull(g.add(4 * GIB, 64 * GIB, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        assertEquals("offline", g.block(32, "state"));
        assertEquals("offline", g.block(32 + 511, "state"));
        // only page tables: 64 direct-map PMD tables (one per GiB) and the vmemmap PMD table for 64-128 GiB
        assertEquals(65, free0 - g.mm.totalFreePages());
        assertEquals(65, g.mm.hotplugMemmapPages());
    }
}
