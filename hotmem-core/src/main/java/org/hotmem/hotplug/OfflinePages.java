package org.hotmem.hotplug;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Ratelimit;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MigrateType;
import org.hotmem.mm.MmCosts;
import org.hotmem.mm.PageIsolation;
import org.hotmem.mm.Zone;

/**
 * The offline path of mm/memory_hotplug.c: offline_pages() with its range checks, the isolation
 * of the range (start_isolate_page_range()), MEM_GOING_OFFLINE / MEM_CANCEL_OFFLINE / MEM_OFFLINE,
 * the migration loop (scan_movable_pages() + do_migrate_range() until test_pages_isolated()
 * passes) with its fast-forward through identical hopeless passes, and the {@link OfflineOperation}
 * bookkeeping tools read. Blocks, their device locks and mem_hotplug_begin() stay with
 * {@link MemoryHotplug}, which calls {@link #offlinePages} from memory_block_offline().
 *
 * <p>Invariants: an {@link OfflineOperation} is in {@code activeOfflines} exactly while its
 * offline_pages() call runs the isolation/migration steps; when it leaves, its retries are added
 * to {@code finishedOfflineRetries}, so {@link #offlineRetries()} never loses or double-counts a
 * pass. {@code lastOffline} is the most recently started call. A failed call leaves the range
 * un-isolated and the zone as it found it.
 *
 * <p>Locking: {@code activeOfflines}, {@code finishedOfflineRetries} and {@code lastOffline} are
 * written only by offline_pages(), whose caller holds device_hotplug_lock, the block's device lock
 * and mem_hotplug_lock (write); tools read them between scheduling points (the kernel's
 * single-runner discipline). Every isolation, scan, migration and pageblock/section update is done
 * under zone->lock, taken here around each step exactly as Linux takes it (never across a
 * notifier call, cond_resched() or a sleep).
 */
final class OfflinePages {
    private final MemoryHotplug hp;
    private final MemoryModel mm;
    private final Kernel kernel;
    private final Dmesg log;
    /** offline_pages() calls in progress, and the retries of the finished ones (tools' counters). */
    private final List<OfflineOperation> activeOfflines = new ArrayList<>();
    private long finishedOfflineRetries;
    private OfflineOperation lastOffline;
    /** do_migrate_range()'s static migrate_rs: its failure reports, 10 per 5 s. */
    private final Ratelimit migrateRs = Ratelimit.defaults("do_migrate_range");

    OfflinePages(MemoryHotplug hp) {
        this.hp = hp;
        this.mm = hp.mm;
        this.kernel = hp.kernel;
        this.log = hp.log;
    }

    /**
     * Retries of offline_pages()' migration loop so far, over all calls (finished and running):
     * passes that left a page unmigrated and had to go round again. See {@link OfflineOperation}.
     */
    long offlineRetries() {
        long n = finishedOfflineRetries;
        for (OfflineOperation op : activeOfflines) {
            n += op.retries(kernel.now());
        }
        return n;
    }

    /** The offline_pages() calls running now (one per block being offlined). */
    List<OfflineOperation> activeOfflines() {
        return List.copyOf(activeOfflines);
    }

    /** The most recent offline_pages() call (running or finished), or null. */
    OfflineOperation lastOffline() {
        return lastOffline;
    }

    private KernelException offlineFailed(long start, long end, String reason, Errno errno) {
        log.debug(String.format("memory offlining [mem %#010x-%#010x] failed due to %s", start << mm.arch().pageShift(), (end << mm.arch().pageShift()) - 1, reason));
        return new KernelException(errno);
    }

    /** Models offline_pages() in mm/memory_hotplug.c. Caller holds mem_hotplug_lock (write). */
    void offlinePages(long start, long nr, Zone zone, MemoryGroup group) {
        long end = start + nr;
        if (nr <= 0 || start % mm.arch().pageblockPages() != 0 || end % mm.arch().pagesPerSection() != 0) {
            throw new KernelException(Errno.EINVAL);
        }
        if (hp.systemRamPages(start, end) != nr) {
            throw offlineFailed(start, end, "memory holes", Errno.EINVAL);
        }
        if (mm.zoneIndexOf(start) != zone.type().ordinal() || mm.zoneIndexOf(end - 1) != zone.type().ordinal()) {
            throw offlineFailed(start, end, "multizone range", Errno.EINVAL);
        }
        OfflineOperation op = new OfflineOperation(start, nr, kernel.now());
        activeOfflines.add(op);
        lastOffline = op;
        try {
            isolateAndMigrate(start, nr, zone, op);
        } finally {
            op.endNs = kernel.now();
            activeOfflines.remove(op);
            finishedOfflineRetries += op.retries;
        }
        long managed;
        mm.zoneLock(zone);
        try {
            managed = mm.isolation().offlineIsolatedPages(start, end);
            mm.setSectionsOnline(start & -mm.arch().pagesPerSection(), end, false);
            mm.adjustIsolatePageblocks(zone, -(nr / mm.arch().pageblockPages()));
        } finally {
            mm.zoneUnlock(zone);
        }
        log.debug("Offlined Pages " + nr);
        mm.adjustManagedPageCount(zone, -managed);
        hp.adjustPresent(zone, group, start, -nr);
        mm.setupPerZoneWmarks();
        // 6.12 marks the node memoryless before the rebuild so that it leaves the fallback lists; 6.1 after it
        boolean clearFirst = mm.version().has(KernelFeature.NODE_STATES_CLEARED_BEFORE_ZONELISTS);
        if (clearFirst) {
            mm.nodeStatesClearNode(zone.node());
        }
        if (!zone.populated()) {
            mm.buildAllZonelists(null, mm.totalPagesForZonelistMessage());
        }
        if (!clearFirst) {
            mm.nodeStatesClearNode(zone.node());
        }
        hp.notifierChain.memoryNotify(MemoryNotifier.Event.MEM_OFFLINE, start, nr);
        mm.removePfnRangeFromZone(zone, start, nr);
    }

    /**
     * Steps 3-7 of offline_pages(): isolate the range, MEM_GOING_OFFLINE, then the migration loop
     * until test_pages_isolated() passes; each step's CPU time is charged with
     * {@link Kernel#consume} at the figures of {@link MemoryModel#costs()}. On failure the range
     * is un-isolated (and MEM_CANCEL_OFFLINE sent if MEM_GOING_OFFLINE was) and the error thrown.
     */
    private void isolateAndMigrate(long start, long nr, Zone zone, OfflineOperation op) {
        long end = start + nr;
        MmCosts costs = mm.costs();
        List<String> dump = new ArrayList<>();
        int ret;
        mm.zoneLock(zone);
        try {
            ret = mm.isolation().startIsolatePageRange(start, end, dump);
        } finally {
            mm.zoneUnlock(zone);
        }
        for (String l : dump) {
            log.warn(l);
        }
        if (ret != 0) {
            throw offlineFailed(start, end, "failure to isolate range", Errno.EBUSY);
        }
        kernel.consume(costs.offlineFixedNs() + costs.scan(nr)); // lru_cache_disable, zone_pcp_disable, has_unmovable_pages
        int nret = MemoryNotifier.toErrno(hp.notifierChain.memoryNotify(MemoryNotifier.Event.MEM_GOING_OFFLINE, start, nr));
        if (nret != 0) {
            undoOffline(zone, start, nr);
            throw offlineFailed(start, end, "notifier failure", Errno.fromNumber(-nret));
        }
        while (true) {
            long pfn = start;
            while (true) {
                if (kernel.signalPending()) {
                    undoOffline(zone, start, nr);
                    throw offlineFailed(start, end, "signal backoff", Errno.EINTR);
                }
                kernel.preemptionPoint(); // cond_resched()
                long scanFrom = pfn;
                long found;
                mm.zoneLock(zone);
                try {
                    found = mm.isolation().scanMovablePages(pfn, end);
                } finally {
                    mm.zoneUnlock(zone);
                }
                if (found < 0) {
                    kernel.consume(costs.passNs() + costs.scan(end - scanFrom));
                    break;
                }
                pfn = found;
                PageIsolation.MigrateRangeResult r;
                mm.zoneLock(zone);
                try {
                    r = mm.isolation().doMigrateRange(pfn, end);
                } finally {
                    mm.zoneUnlock(zone);
                }
                op.migrated += r.migrated();
                long passNs = r.cost(costs) + costs.scan(found - scanFrom);
                if (r.failed() == 0) {
                    kernel.consume(passNs);
                    continue;
                }
                op.retries++;
                long seen = mm.generation();
                kernel.consume(passNs);
                reportUnmigrated(r); // when migrate_pages() has returned, at the end of the pass
                if (r.migrated() == 0 && mm.generation() == seen) {
                    sleepThroughIdenticalPasses(op, seen, passNs, r);
                }
            }
            int t;
            mm.zoneLock(zone);
            try {
                t = mm.isolation().testPagesIsolated(start, end);
            } finally {
                mm.zoneUnlock(zone);
            }
            kernel.consume(costs.scan(nr));
            if (t == 0) {
                break;
            }
            op.retries++;
        }
    }

    /**
     * do_migrate_range()'s report of the pages migrate_pages() left on the source list: for each,
     * ratelimited, {@code migrating pfn PFN failed ret:RET} and dump_page(page, "migration
     * failure"). Pages past the kept ones find the burst used up.
     */
    private void reportUnmigrated(PageIsolation.MigrateRangeResult r) {
        for (long pfn : r.failedPfns()) {
            if (migrateRs.allow(kernel)) {
                log.warn(String.format("migrating pfn %x failed ret:%d", pfn, r.ret()));
                mm.dumpPage(pfn, "migration failure").forEach(log::warn);
            }
        }
        migrateRs.refuse(r.unmigrated() - r.failedPfns().size());
    }

    /** How often a task sleeping through identical passes wakes up to look (virtual time). */
    private static final long SKIP_WAKE_NS = 10_000_000_000L;

    /**
     * The hopeless part of offline_pages()' loop, done cheaply. Linux retries forever: every pass
     * checks signal_pending(), calls cond_resched(), scans for movable pages and tries to migrate
     * them. A pass that migrated nothing leaves the range exactly as it found it, so the next pass
     * sees the same pages, makes the same attempts, fails the same way and takes the same CPU
     * time - unless something that can make a migration succeed changed in between: a page was
     * freed anywhere (memory for targets; this includes every migration and onlining) or unpinned
     * ({@link MemoryModel#generation()}), or a signal arrived. So instead of running those
     * identical passes the task sleeps until such a change or a signal, and then accounts for the
     * passes that would have run meanwhile: the sleep lasts as long as they would have (their CPU
     * time), each counts as a retry and adds its failures to pgmigrate_fail. The pass in flight when
     * the change came is completed as it was (hotmem lets the next pass see the change), then the
     * loop goes on with a real pass.
     */
    private void sleepThroughIdenticalPasses(OfflineOperation op, long seen, long passNs,
                                             PageIsolation.MigrateRangeResult r) {
        if (passNs <= 0) {
            // costs are off (MmCosts.FREE): passes take no time, so there is nothing to account;
            // the task looks again after 1 ms of virtual time or at the next change
            mm.waitForProgress(seen, 1_000_000L);
            return;
        }
        long t0 = kernel.now();
        op.skipPassNs = passNs;
        op.skipSinceNs = t0;
        long reported = 0; // skipped passes whose reports are accounted in migrate_rs
        try {
            // until a change or a signal (either way a real pass follows); woken every
            // SKIP_WAKE_NS so that the spinning task keeps a timer pending, as a busy CPU is not
            // idle, and when migrate_rs' interval ends: the identical pass then running reports
            // the same pages again
            while (mm.waitForProgress(seen, Math.max(1, Math.min(SKIP_WAKE_NS, migrateRs.reopensAt() - kernel.now()))) == 0) {
                reported = reportIfReopened(op, r, reported);
            }
            long inFlight = (kernel.now() - t0) % passNs;
            if (inFlight > 0) {
                kernel.consume(passNs - inFlight);
                reported = reportIfReopened(op, r, reported); // the pass in flight may end in a new interval
            }
        } finally {
            long passes = op.skippedUntil(kernel.now());
            op.skipSinceNs = -1;
            op.retries += passes;
            mm.vmCounters().pgmigrateFail(passes * r.failed());
            migrateRs.refuse(Math.max(0, passes - reported) * r.unmigrated());
        }
    }

    /**
     * The identical pass ending now reports its pages again if migrate_rs' interval is over; the
     * skipped passes before it found the burst used up. Returns the skipped passes accounted.
     */
    private long reportIfReopened(OfflineOperation op, PageIsolation.MigrateRangeResult r, long reported) {
        if (kernel.now() < migrateRs.reopensAt()) {
            return reported;
        }
        long passes = op.skippedUntil(kernel.now());
        migrateRs.refuse(Math.max(0, passes - reported - 1) * r.unmigrated());
        reportUnmigrated(r);
        return Math.max(reported, passes);
    }

    private void undoOffline(Zone zone, long start, long nr) {
        mm.zoneLock(zone);
        try {
            mm.isolation().undoIsolatePageRange(start, start + nr, MigrateType.MOVABLE);
        } finally {
            mm.zoneUnlock(zone);
        }
        hp.notifierChain.memoryNotify(MemoryNotifier.Event.MEM_CANCEL_OFFLINE, start, nr);
    }

}
