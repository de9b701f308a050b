package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Errno;

/**
 * Pageblock isolation (mm/page_isolation.c) as memory offlining uses it
 * (MEMORY_OFFLINE | REPORT_FAILURE).
 *
 * <p>Invariant: a pageblock is ISOLATE iff it was isolated by a caller that has not undone
 * it; every free chunk inside an isolated pageblock sits on the ISOLATE free list, so the
 * allocator never hands it out. The zone's nr_isolate_pageblock counts isolated pageblocks.
 * Guarded by the zone lock (the caller holds mem_hotplug_lock for write as well).
 *
 * <p>The memory isolation notifier chain (memory_isolate_notify(MEM_ISOLATE_COUNT), 2.6.33 to
 * 5.6, used only by the pseries CMM of that time): each notifier counts the pages of a
 * pageblock that it owns and will release at MEM_GOING_OFFLINE, and has_unmovable_pages()
 * tolerates that many unmovable pages. Empty unless such a driver registers (6.1 has no chain).
 * {@code isolateNotifiers} is guarded by its register/unregister callers (module load/unload).
 */
public final class PageIsolation {
    private final MemoryModel mm;
    private final List<IsolateNotifier> isolateNotifiers = new ArrayList<>();

    /** A memory isolation notifier: MEM_ISOLATE_COUNT's {@code pages_found} for one range. */
    @FunctionalInterface
    public interface IsolateNotifier {
        long countPages(long startPfn, long nrPages);
    }

    /** Models register_memory_isolate_notifier(). */
    public void registerIsolateNotifier(IsolateNotifier nb) {
        isolateNotifiers.add(nb);
    }

    /** Models unregister_memory_isolate_notifier(). */
    public void unregisterIsolateNotifier(IsolateNotifier nb) {
        isolateNotifiers.remove(nb);
    }

    PageIsolation(MemoryModel mm) {
        this.mm = mm;
    }

    /**
     * Models has_unmovable_pages() for one pageblock: the first page that blocks isolation,
     * or -1. CMA pageblocks and PageReserved pages are unmovable in any zone; in
     * ZONE_MOVABLE everything else is assumed movable; free chunks are skipped whole;
     * LRU pages (pinned or not), PageOffline and hwpoisoned pages pass; kernel allocations fail.
     */
    public long hasUnmovablePages(long pbStart) {
        return hasUnmovablePages(pbStart, 0);
    }

    /**
     * has_unmovable_pages(zone, page, count) of 2.6.35-5.6: as above, but the first {@code count}
     * unmovable kernel pages are tolerated (the isolation notifiers' {@code pages_found}).
     */
    public long hasUnmovablePages(long pbStart, long count) {
        long found = 0;
        if (mm.pageblockMigratetype(pbStart) == MigrateType.CMA) {
            return pbStart;
        }
        Zone zone = mm.zoneOf(pbStart);
        long end = pbStart + mm.arch.pageblockPages();
        for (long pfn = pbStart; pfn < end; ) {
            int info = mm.info(pfn);
            int kind = PageState.kind(info);
            if (kind == PageState.RESERVED) {
                return pfn;
            }
            if (zone.type != ZoneType.MOVABLE) {
                switch (kind) {
                    case PageState.BUDDY -> {
                        pfn += 1L << mm.buddyOrder(pfn);
                        continue;
                    }
                    case PageState.FREE_TAIL, PageState.LRU, PageState.OFFLINE, PageState.VMEMMAP -> {
                    }
                    default -> {
                        if ((info & PageState.HWPOISON) == 0) {
                            if (++found > count) {
                                return pfn;
                            }
                            pfn++; // counted one by one (a run may hold more pages than the notifiers own)
                            continue;
                        }
                    }
                }
            }
            pfn = mm.runEnd(pfn);
        }
        return -1;
    }

    /**
     * Models set_migratetype_isolate(): fails with -EBUSY if the pageblock is already
     * isolated or holds an unmovable page (dumped with "unmovable page" into {@code report}
     * when given); else marks it ISOLATE and moves its free chunks to the ISOLATE lists.
     *
     * @return 0 or -EBUSY
     */
    public int setMigratetypeIsolate(long pbStart, List<String> report) {
        Zone zone = mm.zoneOf(pbStart);
        if (mm.pageblockMigratetype(pbStart) == MigrateType.ISOLATE) {
            return -Errno.EBUSY.number();
        }
        long pagesFound = 0;
        for (IsolateNotifier nb : isolateNotifiers) {
            pagesFound += nb.countPages(pbStart, mm.arch.pageblockPages());
        }
        long bad = hasUnmovablePages(pbStart, pagesFound);
        if (bad >= 0) {
            if (report != null) {
                report.addAll(mm.dumpPage(bad, "unmovable page"));
            }
            return -Errno.EBUSY.number();
        }
        mm.setPageblockMigratetype(pbStart, MigrateType.ISOLATE);
        mm.buddy.moveFreePagesBlock(zone, pbStart, MigrateType.ISOLATE);
        zone.nrIsolatePageblock++;
        return 0;
    }

    /** Models unset_migratetype_isolate(): back to mt (offline/online pass MIGRATE_MOVABLE in 6.1/6.12). */
    public void unsetMigratetypeIsolate(long pbStart, MigrateType mt) {
        if (mm.pageblockMigratetype(pbStart) != MigrateType.ISOLATE) {
            return;
        }
        Zone zone = mm.zoneOf(pbStart);
        mm.setPageblockMigratetype(pbStart, mt);
        mm.buddy.moveFreePagesBlock(zone, pbStart, mt);
        zone.nrIsolatePageblock--;
    }

    /**
     * Models start_isolate_page_range() of 6.x: isolates the first pageblock, then the last,
     * then the ones in between; on any failure undoes what it isolated and returns -EBUSY.
     * Page dumps of a failure are appended to {@code report}.
     */
    public int startIsolatePageRange(long start, long end, List<String> report) {
        List<Long> order = new ArrayList<>();
        long first = start;
        long last = end - mm.arch.pageblockPages();
        order.add(first);
        if (last != first) {
            order.add(last);
        }
        for (long pb = first + mm.arch.pageblockPages(); pb < last; pb += mm.arch.pageblockPages()) {
            order.add(pb);
        }
        List<Long> done = new ArrayList<>();
        for (long pb : order) {
            if (setMigratetypeIsolate(pb, report) != 0) {
                for (long d : done) {
                    unsetMigratetypeIsolate(d, MigrateType.MOVABLE);
                }
                return -Errno.EBUSY.number();
            }
            done.add(pb);
        }
        return 0;
    }

    /** Models undo_isolate_page_range(). */
    public void undoIsolatePageRange(long start, long end, MigrateType mt) {
        for (long pb = start; pb < end; pb += mm.arch.pageblockPages()) {
            unsetMigratetypeIsolate(pb, mt);
        }
    }

    /**
     * Models test_pages_isolated(MEMORY_OFFLINE): 0 if every pageblock is ISOLATE and every
     * page is free (buddy), hwpoisoned or PageOffline; else -EBUSY.
     */
    public int testPagesIsolated(long start, long end) {
        for (long pb = start; pb < end; pb += mm.arch.pageblockPages()) {
            if (mm.pageblockMigratetype(pb) != MigrateType.ISOLATE) {
                return -Errno.EBUSY.number();
            }
        }
        for (long pfn = start; pfn < end; ) {
            int info = mm.info(pfn);
            int kind = PageState.kind(info);
            if (kind == PageState.BUDDY) {
                pfn += 1L << mm.buddyOrder(pfn);
            } else if (kind != PageState.FREE_TAIL && kind != PageState.OFFLINE && (info & PageState.HWPOISON) == 0) {
                return -Errno.EBUSY.number();
            } else {
                pfn = mm.runEnd(pfn);
            }
        }
        return 0;
    }

    /**
     * Models scan_movable_pages(): the first LRU page in [start, end), -ENOENT if none.
     */
    public long scanMovablePages(long start, long end) {
        for (long pfn = start; pfn < end; ) {
            int kind = mm.kind(pfn);
            if (kind == PageState.LRU) {
                return pfn;
            }
            pfn = kind == PageState.BUDDY ? pfn + (1L << mm.buddyOrder(pfn)) : mm.runEnd(pfn);
        }
        return -Errno.ENOENT.number();
    }

    /** How many failed pfns a pass keeps for do_migrate_range()'s report: one ratelimit burst. */
    public static final int FAILED_PFNS_KEPT = 10;

    /**
     * What one do_migrate_range() pass did.
     *
     * @param walked   pfns walked from the start of the pass to the end of the range
     * @param isolated LRU pages isolated for migration (all of them are, before migrate_pages runs)
     * @param migrated pages migrated
     * @param pinned   pages migrate_pages() gave up on because they are pinned (-EAGAIN after its retries)
     * @param nomem    whether a target allocation failed (-ENOMEM: migrate_pages stops there and
     *                 the rest are put back untried)
     * @param failedPfns the first {@value #FAILED_PFNS_KEPT} of the pages left on the source list
     *                 (pinned, or untried after -ENOMEM; in pfn order), which do_migrate_range() reports
     */
    public record MigrateRangeResult(long walked, long isolated, long migrated, long pinned, boolean nomem,
                                     List<Long> failedPfns) {
        public MigrateRangeResult {
            failedPfns = List.copyOf(failedPfns);
        }

        /** Pages left unmigrated that migrate_pages() counted as failed (PGMIGRATE_FAIL). */
        public long failed() {
            return pinned + (nomem ? 1 : 0);
        }

        /** Pages left on the source list (not migrated): do_migrate_range() reports each, ratelimited. */
        public long unmigrated() {
            return isolated - migrated;
        }

        /** migrate_pages()' return value when pages are left: -ENOMEM, or the number that failed. */
        public long ret() {
            return nomem ? -Errno.ENOMEM.number() : pinned;
        }

        /** The CPU time of this pass under {@code c}. */
        public long cost(MmCosts c) {
            return c.passNs() + c.scan(walked) + isolated * c.isolateNsPerPage() + migrated * c.migrateNsPerPage()
                    + pinned * c.pinnedFailNsPerPage() + (nomem ? c.allocFailNs() : 0);
        }
    }

    /**
     * Models do_migrate_range() + migrate_pages(MIGRATE_SYNC, MR_MEMORY_HOTPLUG): isolates every
     * LRU page of [start, end) and migrates them in order. A pinned page fails (-EAGAIN, after
     * migrate_pages' retries); a failed target allocation (-ENOMEM) ends the pass, the remaining
     * pages are put back untried ("When memory is low, don't bother to try to migrate other
     * pages"). Failures are counted in pgmigrate_fail and left for the caller's retry loop.
     */
    public MigrateRangeResult doMigrateRange(long start, long end) {
        List<Long> failedPfns = new ArrayList<>();
        long isolated = 0;
        long migrated = 0;
        long pinned = 0;
        boolean nomem = false;
        for (long pfn = start; pfn < end; pfn++) {
            if (mm.kind(pfn) != PageState.LRU) {
                pfn = mm.runEnd(pfn) - 1;
                continue;
            }
            isolated++;
            int r = nomem ? -Errno.ENOMEM.number() : mm.migratePage(pfn);
            if (r == 0) {
                migrated++;
                continue;
            }
            if (r == -Errno.ENOMEM.number()) {
                nomem = true;
            } else {
                pinned++;
            }
            if (failedPfns.size() < FAILED_PFNS_KEPT) {
                failedPfns.add(pfn);
            }
        }
        MigrateRangeResult res = new MigrateRangeResult(end - start, isolated, migrated, pinned, nomem, failedPfns);
        mm.counters.pgmigrateFail(res.failed());
        return res;
    }

    /**
     * Models __offline_isolated_pages(): takes every free chunk of [start, end) off the free
     * lists and poisons the pages. Returns the number of pages to un-manage (PageOffline
     * pages are skipped: they were not managed).
     */
    public long offlineIsolatedPages(long start, long end) {
        long count = 0;
        for (long pfn = start; pfn < end; ) {
            int kind = mm.kind(pfn);
            if (kind == PageState.BUDDY) {
                int o = mm.buddyOrder(pfn);
                mm.buddy.delFromFreeList(mm.zoneOf(pfn), pfn);
                mm.fillPages(pfn, pfn + (1L << o), PageState.POISONED, 0);
                count += 1L << o;
                pfn += 1L << o;
            } else {
                long run = Math.min(end, mm.runEnd(pfn));
                if (kind != PageState.OFFLINE) {
                    count += run - pfn;
                }
                mm.fillPages(pfn, run, PageState.POISONED, 0);
                pfn = run;
            }
        }
        return count;
    }
}
