package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The derived geometry of {@link Arch} (include/linux/mmzone.h's definitions) and its two-level section table. */
class ArchTest {
    @Test
    void x86GeometryIsTodaysPcGuest() {
        Arch a = Arch.X86_64;
        assertEquals(4096, a.pageSize());
        assertEquals(32768, a.pagesPerSection());
        assertEquals(15, a.pfnSectionShift());
        assertEquals(512, a.pageblockPages());
        assertEquals(64, a.pageblocksPerSection());
        assertEquals(11, a.nrOrders());
        assertEquals(1, a.sectionsPerBlock());
        assertEquals(32768, a.pagesPerBlock());
        assertEquals(1L << 19, a.nrMemSections());
        assertEquals(4096, SectionTable.nrSectionRoots(a)); // the 32 KiB of root pointers KernelProfile lists
        assertEquals(List.of(ZoneType.DMA, ZoneType.DMA32, ZoneType.NORMAL, ZoneType.MOVABLE, ZoneType.DEVICE),
                List.copyOf(a.zones()));
    }

    @Test
    void pseries64kGeometry() {
        Arch a = Arch.PPC64_PSERIES_64K;
        assertEquals(65536, a.pageSize());
        assertEquals(256, a.pagesPerSection());
        assertEquals(32, a.pageblockPages());
        assertEquals(8, a.pageblocksPerSection());
        assertEquals(9, a.nrOrders());
        assertEquals(16, a.sectionsPerBlock());
        assertEquals(4096, a.pagesPerBlock());
        assertEquals(64, a.pageKb());
        assertEquals(1L << 27, a.nrMemSections());
        assertFalse(a.hasZone(ZoneType.DMA32));
        assertNull(a.blockSizeLogPrefix());
    }

    @Test
    void aLargestChunkThatWouldCrossASectionIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Arch("bad", 16, 24, 51, 256L << 20, 5, 9,
                EnumSet.of(ZoneType.NORMAL), Arch.BootMap.DEVICE_TREE, null));
        assertThrows(IllegalArgumentException.class, () -> new Arch("bad", 12, 27, 46, 192L << 20, 9, 10,
                EnumSet.of(ZoneType.NORMAL), Arch.BootMap.E820, null));
    }

    @Test
    void sectionTableAllocatesRootsOnUseAndListsSectionsInOrder() {
        Arch a = Arch.PPC64_PSERIES_64K;
        SectionTable t = new SectionTable(a);
        long far = a.nrMemSections() - 1;
        assertNull(t.get(far));
        assertNull(t.get(a.nrMemSections()));
        MemSection s1 = new MemSection(a, (int) far, false);
        MemSection s0 = new MemSection(a, 3, false);
        t.set(far, s1);
        t.set(3, s0);
        assertEquals(List.of(s0, s1), t.all());
        t.set(far, null);
        assertEquals(List.of(s0), t.all());
        assertEquals(3L * 256, s0.startPfn());
    }
}
