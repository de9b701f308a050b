package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Arch;
import org.hotmem.mm.BootE820;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MmCosts;
import org.junit.jupiter.api.Test;

/** Offlining takes virtual time for its work (MmCosts), and hopeless retry loops are cheap to simulate. */
class OfflineTimeTest {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;
    static final int BLOCK_PAGES = (int) Arch.X86_64.pagesPerBlock();

    /** A 1 GiB guest with a DIMM of {@code dimm} bytes at 4 GiB onlined Movable. */
    static TestGuest withMovableDimm(long dimm) {
        TestGuest g = new TestGuest(KernelVersion.V6_12, "memory_hotplug.memmap_on_memory=1", BootE820.pc1G());
        assertNull(g.write("/sys/devices/system/memory/auto_online_blocks", "online_movable"));
        assertNull(g.add(4 * GIB, dimm, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        g.log();
        return g;
    }

    /** Fills every free page with anonymous memory (Movable first, as GFP_HIGHUSER_MOVABLE does). */
    static List<Integer> fill(TestGuest g, AddressSpace as) {
        List<Integer> slots = new ArrayList<>();
        try {
            for (long t = 1; ; t++) slots.add(as.add(t));
        } catch (KernelException e) {
            assertEquals(Errno.ENOMEM, e.errno());
        }
        return slots;
    }

    @Test
    void offliningABlockFullOfDataTakesTheMigrationTimeOfItsPages() {
        TestGuest g = withMovableDimm(GIB);
        AddressSpace as = g.mm.newAddressSpace("app", Gfp.MOVABLE_ANON);
        int first = 32; // the DIMM's first block; memmap_on_memory: 512 vmemmap pages, the rest data
        int data = 0;
        for (long t = 1; data < BLOCK_PAGES - 512; t++) {
            int s = as.add(t);
            if (as.pfn(s) / BLOCK_PAGES == first) data++;
        }
        long t0 = g.kernel.now();
        long migrated0 = g.mm.vmCounters().pgmigrateSuccess();
        assertNull(g.state(first, "offline"));
        long took = g.kernel.now() - t0;
        MmCosts c = g.mm.costs();
        assertEquals(data, g.mm.vmCounters().pgmigrateSuccess() - migrated0);
        long work = data * (c.isolateNsPerPage() + c.migrateNsPerPage());
        assertTrue(took >= work, took + " < " + work);
        assertTrue(took < work + c.offlineFixedNs() + 10 * c.scan(BLOCK_PAGES) + 10 * c.passNs(), "took " + took);
        assertEquals(0, g.hp.lastOffline().retries(g.kernel.now()));
        assertEquals(data, g.hp.lastOffline().migrated());
    }

    @Test
    void eightGibShortfallHeldForAnHourIsSimulatedInWellUnderASecond() {
        TestGuest g = withMovableDimm(8 * GIB);
        AddressSpace as = g.mm.newAddressSpace("db", Gfp.MOVABLE_ANON);
        fill(g, as); // the DIMM's 8 GiB cannot go anywhere: every page of the guest is in use
        long fail0 = g.mm.vmCounters().pgmigrateFail();
        Errno[] result = {Errno.EPERM};
        g.kernel.spawn("offliner", 0, () -> {
            try {
                g.hp.offlineAndRemoveMemory(4 * GIB, 8 * GIB);
                result[0] = null;
            } catch (KernelException e) {
                result[0] = e.errno();
            }
        });
        g.kernel.runFor(1_000_000L);
        assertEquals("going-offline", g.block(32, "state"));
        OfflineOperation op = g.hp.lastOffline();
        long start = op.startNs();

        int switches0 = g.kernel.trace().switches();
        g.kernel.runFor(3600L * 1_000_000_000L);
        int switches = g.kernel.trace().switches() - switches0;
        // the loop sleeps through passes that cannot change anything: an hour of retrying is a
        // few hundred scheduling events (360), not one per pass (over a million)
        assertTrue(switches < 10_000, "an hour of retrying took " + switches + " task switches");
        assertEquals("going-offline", g.block(32, "state"));

        // every pass isolates the block's 32256 data pages and fails its first target allocation
        MmCosts c = g.mm.costs();
        long dataPages = BLOCK_PAGES - 512;
        long pass = c.passNs() + c.scan(dataPages) + dataPages * c.isolateNsPerPage() + c.allocFailNs();
        long firstPass = start + c.offlineFixedNs() + c.scan(dataPages);
        long expected = (g.kernel.now() - firstPass) / pass;
        long retries = g.hp.offlineRetries();
        assertTrue(Math.abs(retries - expected) <= 1, retries + " retries, expected " + expected);
        assertTrue(retries > 1_000_000, "retries " + retries);

        // the database exits: the loop sees it at the end of the pass in flight, then the DIMM goes
        as.freeAll();
        g.kernel.runUntilIdle();
        assertNull(result[0]);
        assertEquals(null, g.hp.block(32));
        long total = g.hp.offlineRetries();
        assertTrue(total >= retries && total <= retries + 2, total + " vs " + retries);
        // ENOMEM fails one page per pass (migrate_pages stops at the first failed allocation)
        assertEquals(total, g.mm.vmCounters().pgmigrateFail() - fail0);
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void signalEndsAHopelessOfflineWithEintrAfterThePassInFlight() {
        TestGuest g = withMovableDimm(GIB);
        AddressSpace as = g.mm.newAddressSpace("db", Gfp.MOVABLE_ANON);
        fill(g, as);
        Errno[] result = {null};
        Task t = g.kernel.spawn("offliner", 0, () -> {
            try {
                g.hp.deviceOffline(32);
            } catch (KernelException e) {
                result[0] = e.errno();
            }
        });
        g.kernel.runFor(60L * 1_000_000_000L);
        long retries = g.hp.offlineRetries();
        assertTrue(retries > 10_000, "retries " + retries);
        g.kernel.sendSignal(t, Task.SIGINT);
        g.kernel.runUntilIdle();
        assertEquals(Errno.EINTR, result[0]);
        assertEquals("online", g.block(32, "state"));
        assertTrue(g.hp.offlineRetries() - retries <= 1);
        assertTrue(g.log().stream().anyMatch(l -> l.endsWith("failed due to signal backoff")));
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void longtermPinMigratesAMovablePageToAKernelZone() {
        TestGuest g = withMovableDimm(GIB);
        AddressSpace as = g.mm.newAddressSpace("rdma", Gfp.MOVABLE_ANON);
        int slot = as.add(0x1234);
        long pfn = as.pfn(slot);
        assertTrue(g.mm.longtermUnpinnable(pfn), "GFP_HIGHUSER_MOVABLE prefers ZONE_MOVABLE");
        long migrated0 = g.mm.vmCounters().pgmigrateSuccess();
        as.pinLongterm(slot);
        assertTrue(as.pfn(slot) != pfn);
        assertTrue(g.mm.zoneOf(as.pfn(slot)).type().isKernelZone());
        assertTrue(g.mm.isPinned(as.pfn(slot)));
        assertEquals(0x1234, as.read(slot));
        assertEquals(migrated0 + 1, g.mm.vmCounters().pgmigrateSuccess());
        // so the DIMM stays unpluggable while the pin is held
        assertNull(g.state(32, "offline"));
        assertTrue(g.invariants().isEmpty(), g.invariants().toString());
    }

    @Test
    void longtermPinFailsWithEnomemWhenNoKernelZoneHasRoom() {
        TestGuest g = withMovableDimm(GIB);
        AddressSpace kernelZones = g.mm.newAddressSpace("filler", Gfp.LONGTERM_PIN);
        try {
            while (true) kernelZones.add(1);
        } catch (KernelException e) {
            assertEquals(Errno.ENOMEM, e.errno());
        }
        AddressSpace as = g.mm.newAddressSpace("rdma", Gfp.MOVABLE_ANON);
        int slot = as.add(7);
        long pfn = as.pfn(slot);
        KernelException e = org.junit.jupiter.api.Assertions.assertThrows(KernelException.class, () -> as.pinLongterm(slot));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(pfn, as.pfn(slot));
        assertTrue(!g.mm.isPinned(pfn));
    }
}
