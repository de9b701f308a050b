package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.api.Test;

class OfflineMigrationTest {
    static final long GIB = 1L << 30;

    /** Fills block 41 (Movable, the only Movable block besides 40) with pages of an owner. */
    static AddressSpace fillMovable(TestGuest g, int pages) {
        assertNull(g.state(40, "online_movable"));
        AddressSpace as = g.mm.newAddressSpace("proc", Gfp.MOVABLE_ANON);
        g.run(() -> {
            for (int i = 0; i < pages; i++) {
                as.add(0xabc0000000L + i);
            }
        });
        return as;
    }

    @Test
    void offliningBlockWithMovablePagesMigratesThemAndOwnersStillReadTheirTokens() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_12);
        AddressSpace as = fillMovable(g, 5000);
        assertTrue(as.pfn(0) >= 40L * 32768 && as.pfn(0) < 41L * 32768);
        assertNull(g.state(41, "online_movable"));
        assertNull(g.state(40, "offline"));
        for (int i = 0; i < 5000; i++) {
            assertEquals(0xabc0000000L + i, as.read(i));
            assertTrue(as.pfn(i) >= 41L * 32768, "slot " + i + " still in memory40");
        }
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void blockWithLongtermPinnedPageStaysGoingOfflineUntilUnpinned() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_1);
        assertNull(g.state(40, "online_kernel"));
        assertNull(g.state(41, "online_kernel"));
        AddressSpace as = g.mm.newAddressSpace("rdma", Gfp.LONGTERM_PIN);
        int slot = addUntilASlotLandsIn(g, as, 0x5000, 40);
        as.pinLongterm(slot);
        Errno[] result = {Errno.EPERM};
        KFile state = g.fs.lookupFile("/sys/devices/system/memory/memory40/state");
        g.kernel.spawn("offliner", 0, () -> {
            try {
                state.write("offline\n");
                result[0] = null;
            } catch (KernelException e) {
                result[0] = e.errno();
            }
        });
        g.kernel.runFor(50_000_000L);
        assertEquals("going-offline", g.block(40, "state"));
        as.unpin(slot);
        g.kernel.runUntilIdle();
        assertNull(result[0]);
        assertEquals("offline", g.block(40, "state"));
        assertEquals(0x5000 + slot, as.read(slot));
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void signalDuringOfflineOfPinnedBlockGivesEintrAndLeavesItOnline() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_12);
        assertNull(g.state(40, "online_kernel"));
        assertNull(g.state(41, "online_kernel"));
        AddressSpace as = g.mm.newAddressSpace("vfio", Gfp.LONGTERM_PIN);
        int slot = addUntilASlotLandsIn(g, as, 0x7000, 40);
        as.pinLongterm(slot);
        long managedBefore = g.zone(ZoneType.NORMAL).managedPages();
        g.log();
        Errno[] result = {null};
        KFile state = g.fs.lookupFile("/sys/devices/system/memory/memory40/state");
        Task t = g.kernel.spawn("offliner", 0, () -> {
            try {
                state.write("offline\n");
            } catch (KernelException e) {
                result[0] = e.errno();
            }
        });
        g.kernel.runFor(20_000_000L);
        assertEquals("going-offline", g.block(40, "state"));
        g.kernel.sendSignal(t, Task.SIGINT);
        g.kernel.runUntilIdle();
        assertEquals(Errno.EINTR, result[0]);
        assertEquals("online", g.block(40, "state"));
        assertTrue(g.log().contains("memory offlining [mem 0x140000000-0x147ffffff] failed due to signal backoff"));
        assertEquals(managedBefore, g.zone(ZoneType.NORMAL).managedPages());
        assertEquals(0x7000 + slot, as.read(slot));
        assertEquals(0, g.zone(ZoneType.NORMAL).nrIsolatePageblock());
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void notifierVetoOnGoingOnlineGivesEpermAndCancelEvents() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_12);
        List<String> seenA = new ArrayList<>();
        List<String> seenB = new ArrayList<>();
        g.hp.registerMemoryNotifier((ev, pfn, nr) -> {
            seenB.add(ev.name());
            return MemoryNotifier.NOTIFY_OK;
        }, 0);
        g.hp.registerMemoryNotifier((ev, pfn, nr) -> {
            seenA.add(ev.name());
            return ev == MemoryNotifier.Event.MEM_GOING_ONLINE ? MemoryNotifier.NOTIFY_BAD : MemoryNotifier.NOTIFY_OK;
        }, 10);
        assertEquals(Errno.EPERM, g.state(40, "online_movable"));
        // 6.12 brackets memory_block_online() with MEM_PREPARE_ONLINE ... MEM_FINISH_OFFLINE (to every notifier)
        assertEquals(List.of("MEM_PREPARE_ONLINE", "MEM_GOING_ONLINE", "MEM_CANCEL_ONLINE", "MEM_FINISH_OFFLINE"), seenA);
        assertEquals(List.of("MEM_PREPARE_ONLINE", "MEM_CANCEL_ONLINE", "MEM_FINISH_OFFLINE"), seenB);
        assertEquals("offline", g.block(40, "state"));
        assertEquals(0, g.zone(ZoneType.MOVABLE).spannedPages());
        assertTrue(g.log().contains("online_pages [mem 0x140000000-0x147ffffff] failed"));
    }

    @Test
    void notifierErrnoOnGoingOfflineIsReturnedAndBlockStaysOnline() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_1);
        assertNull(g.state(40, "online_movable"));
        g.hp.registerMemoryNotifier((ev, pfn, nr) ->
                ev == MemoryNotifier.Event.MEM_GOING_OFFLINE ? MemoryNotifier.fromErrno(-12) : MemoryNotifier.NOTIFY_OK, 0);
        assertEquals(Errno.ENOMEM, g.state(40, "offline"));
        assertEquals("online", g.block(40, "state"));
        assertTrue(g.log().contains("memory offlining [mem 0x140000000-0x147ffffff] failed due to notifier failure"));
    }

    @Test
    void memmapOnMemoryReservesTheFirstPageblockOfEachBlock() {
        TestGuest g61 = new TestGuest(KernelVersion.V6_1, "memory_hotplug.memmap_on_memory=1");
        assertNull(g61.add(5 * GIB, 128L << 20, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        assertNull(g61.add(5 * GIB + (128L << 20), 512L << 20, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        g61.log();
        assertNull(g61.state(40, "online_movable"));
        assertEquals(32768, g61.zone(ZoneType.MOVABLE).presentPages());
        assertEquals(32256, g61.zone(ZoneType.MOVABLE).managedPages());
        assertNull(g61.state(42, "online_movable"));
        assertEquals(32256 + 32768, g61.zone(ZoneType.MOVABLE).managedPages());
        g61.log();
        assertNull(g61.state(40, "offline"));
        assertEquals(List.of("Offlined Pages 32256"), g61.log());
        assertNull(g61.state(42, "offline"));
        assertTrue(g61.log().contains("Offlined Pages 32768"));
        TestGuest g612 = new TestGuest(KernelVersion.V6_12, "memory_hotplug.memmap_on_memory=1 memhp_default_state=offline");
        assertNull(g612.add(5 * GIB, 512L << 20, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        assertNull(g612.state(41, "online_kernel"));
        assertEquals(243904 + 32256, g612.zone(ZoneType.NORMAL).managedPages());
        g612.log();
        assertNull(g612.state(41, "offline"));
        assertEquals(List.of("Offlined Pages 32256"), g612.log());
        assertTrue(g612.invariants().isEmpty(), g612.invariants().toString());
    }

    /** Adds pages with tokens firstToken, firstToken+1, ... until one lands in the block; its slot. */
    private static int addUntilASlotLandsIn(TestGuest g, AddressSpace as, long firstToken, int block) {
        int[] slot = {-1};
        g.run(() -> {
            for (int i = 0; i < 300000 && slot[0] < 0; i++) {
                int s = as.add(firstToken + i);
                if (as.pfn(s) / 32768 == block) {
                    slot[0] = s;
                }
            }
        });
        return slot[0];
    }
}
