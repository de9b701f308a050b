package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hotmem.kernel.Kernel;
import org.junit.jupiter.api.Test;

class BootLayoutTest {
    static MemoryModel boot(KernelVersion v, boolean movableNode) {
        Kernel k = Kernel.withSeed(1);
        return MemoryModel.boot(BootE820.pc4G(), new MmBootOptions(movableNode, -1), v, k, null);
    }

    static String sum(MemoryModel mm) {
        StringBuilder sb = new StringBuilder();
        for (Zone z : mm.node(0).zones()) {
            sb.append(z.name()).append(' ').append(z.startPfn()).append(' ').append(z.spannedPages()).append(' ')
                    .append(z.presentPages()).append(' ').append(z.managedPages()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void managedCountsOf612BootMatchTheRecording() {
        MemoryModel mm = boot(KernelVersion.V6_12, false);
        System.out.println(sum(mm));
        mm.kernel().dmesg().lines().forEach(System.out::println);
        assertEquals(3840, mm.node(0).zone(ZoneType.DMA).managedPages());
        assertEquals(756365, mm.node(0).zone(ZoneType.DMA32).managedPages());
        assertEquals(243904, mm.node(0).zone(ZoneType.NORMAL).managedPages());
    }

    @Test
    void managedCountsOf61BootMatchTheRecording() {
        MemoryModel mm = boot(KernelVersion.V6_1, false);
        System.out.println(sum(mm));
        assertEquals(3840, mm.node(0).zone(ZoneType.DMA).managedPages());
        assertEquals(754602, mm.node(0).zone(ZoneType.DMA32).managedPages());
        assertEquals(243907, mm.node(0).zone(ZoneType.NORMAL).managedPages());
    }

    @Test
    void movableNodeLeavesThreeMorePagesInNormal() {
        assertEquals(243907, boot(KernelVersion.V6_12, true).node(0).zone(ZoneType.NORMAL).managedPages());
        assertEquals(243910, boot(KernelVersion.V6_1, true).node(0).zone(ZoneType.NORMAL).managedPages());
    }

    @Test
    void zoneSpansAndPresentPagesFollowTheE820() {
        MemoryModel mm = boot(KernelVersion.V6_12, false);
        Zone dma = mm.node(0).zone(ZoneType.DMA);
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        assertEquals(1, dma.startPfn());
        assertEquals(4095, dma.spannedPages());
        assertEquals(3998, dma.presentPages());
        assertEquals(4096, dma32.startPfn());
        assertEquals(1044480, dma32.spannedPages());
        assertEquals(782304, dma32.presentPages());
        assertEquals(0x100000, normal.startPfn());
        assertEquals(262144, normal.presentPages());
        assertTrue(mm.node(0).zone(ZoneType.MOVABLE).isEmpty());
    }

    @Test
    void lastNormalPageblockHoldsTheFirstReservedPageWhereLinuxHasIt() {
        MemoryModel mm61 = boot(KernelVersion.V6_1, false);
        assertEquals(0x13ff01, mm61.isolation().hasUnmovablePages(0x13fe00));
        MemoryModel mm612 = boot(KernelVersion.V6_12, false);
        assertEquals(0x13ff02, mm612.isolation().hasUnmovablePages(0x13fe00));
        assertEquals(0x100000, mm612.isolation().hasUnmovablePages(0x100000));
        assertEquals(PageState.KERNEL, mm612.kind(0x100000));
    }
}
