package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Arch;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;
import org.junit.jupiter.api.Test;

/**
 * Hot-added memory that holds nothing costs no per-page words in hotmem: offline, online and
 * free, or offline again, its sections' pageblocks stay patterns; a page allocated in it
 * materialises its pageblock only, and freeing it (the chunk merging back to MAX_ORDER) drops
 * the words again.
 */
class LazyMemmapTest {
    static final long GIB = 1L << 30;

    private static int materialised(MemoryModel mm, long startPfn, long pages) {
        int n = 0;
        for (long pfn = startPfn; pfn < startPfn + pages; pfn += Arch.X86_64.pagesPerSection()) {
            n += mm.section(pfn).materialisedPageblocks();
        }
        return n;
    }

    @Test
    void memoryThatHoldsNothingHasNoPerPageWordsThroughOnlineUseAndOffline() {
        TestGuest g = new TestGuest(KernelVersion.V6_12, "memory_hotplug.memmap_on_memory=1");
        assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "offline"));
        long start = 8 * GIB;
        long startPfn = start >>> Arch.X86_64.pageShift();
        long pages = GIB >>> Arch.X86_64.pageShift();
        assertNull(g.add(start, GIB, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        assertEquals(0, materialised(g.mm, startPfn, pages), "offline, with self-hosted memmap");
        int first = (int) (start / Arch.X86_64.blockSizeBytes());
        for (int b = first; b < first + 8; b++) {
            assertNull(g.state(b, "online_movable"));
        }
        assertEquals(0, materialised(g.mm, startPfn, pages), "online and free");
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());

        AddressSpace as = g.mm.newAddressSpace("anon", Gfp.MOVABLE_ANON);
        int[] slot = new int[1];
        g.run(() -> slot[0] = as.add(0x1234));
        long pfn = as.pfn(slot[0]);
        assertTrue(pfn >= startPfn && pfn < startPfn + pages, "the page comes from ZONE_MOVABLE: pfn 0x" + Long.toHexString(pfn));
        assertEquals(PageState.LRU, g.mm.kind(pfn));
        assertEquals(0x1234, as.read(slot[0]));
        assertEquals(1, materialised(g.mm, startPfn, pages), "one page in use: its pageblock only");
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());

        g.run(() -> as.free(slot[0]));
        assertEquals(0, materialised(g.mm, startPfn, pages), "freed: the chunk merged back to MAX_ORDER");
        for (int b = first; b < first + 8; b++) {
            assertNull(g.state(b, "offline"));
        }
        assertEquals(0, materialised(g.mm, startPfn, pages), "offline again");
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }
}
