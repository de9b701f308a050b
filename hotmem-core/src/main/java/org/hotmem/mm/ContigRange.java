package org.hotmem.mm;

import org.hotmem.kernel.Errno;

/**
 * Allocation and release of a given physical range, as virtio-mem uses them to take single
 * subblocks of online memory away from the buddy allocator: alloc_contig_range() and
 * free_contig_range() in mm/page_alloc.c, and the PageOffline marking a driver puts on such a
 * range (virtio_mem_set_fake_offline()/virtio_mem_clear_fake_offline()).
 *
 * <p>Invariants: a successful {@link #allocContigRange} leaves every page of the range off the
 * free lists (kind KERNEL, owner {@link PageState#KERNEL_OTHER}) and every pageblock of it back
 * to MIGRATE_MOVABLE; a failed one leaves the range as it found it apart from pages it migrated
 * away. Free chunks that straddle the range are split, their outer parts stay free. PageOffline
 * pages carry in their owner word whether they were ever handed to the buddy (Linux's
 * PageDirty() on fake-offline pages): 1 = never onlined. Guarded by the zone lock, taken here
 * around each step as Linux takes it; the caller holds its own driver lock.
 */
public final class ContigRange {
    /** Owner word of a PageOffline page that was kept offline when its block was onlined. */
    static final int NEVER_ONLINED = 1;
    /** __alloc_contig_migrate_range(): migration passes before giving up with -EBUSY. */
    static final int MIGRATE_TRIES = 5;

    private final MemoryModel mm;

    ContigRange(MemoryModel mm) {
        this.mm = mm;
    }

    /**
     * Models alloc_contig_range(start, end, MIGRATE_MOVABLE, GFP_KERNEL): isolates the
     * pageblocks (start_isolate_page_range() without failure reports: unmovable pages give
     * -EBUSY), migrates the LRU pages away (__alloc_contig_migrate_range(): up to five passes;
     * a pinned page gives -EBUSY, no target page -ENOMEM), checks that every page is free
     * (test_pages_isolated()) and takes the free chunks off the lists (isolate_freepages_range()).
     * {@code start} and {@code end} are pageblock-aligned and lie in one zone.
     *
     * @return 0, -EBUSY or -ENOMEM
     */
    public int allocContigRange(long start, long end) {
        Zone zone = mm.zoneOf(start);
        int rc;
        mm.zoneLock(zone);
        try {
            rc = mm.isolation.startIsolatePageRange(start, end, null);
        } finally {
            mm.zoneUnlock(zone);
        }
        if (rc != 0) {
            return rc;
        }
        rc = migrateRange(start, end);
        mm.zoneLock(zone);
        try {
            if (rc == 0 && !allFree(start, end)) {
                rc = -Errno.EBUSY.number();
            }
            if (rc == 0) {
                takeFreeChunks(zone, start, end);
            }
            mm.isolation.undoIsolatePageRange(start, end, MigrateType.MOVABLE);
        } finally {
            mm.zoneUnlock(zone);
        }
        return rc;
    }

    /** Models __alloc_contig_migrate_range(). */
    private int migrateRange(long start, long end) {
        for (int tries = 0; tries < MIGRATE_TRIES; tries++) {
            if (mm.isolation.scanMovablePages(start, end) < 0) {
                return 0;
            }
            PageIsolation.MigrateRangeResult r = mm.isolation.doMigrateRange(start, end);
            if (r.nomem()) {
                return -Errno.ENOMEM.number();
            }
        }
        return mm.isolation.scanMovablePages(start, end) < 0 ? 0 : -Errno.EBUSY.number();
    }

    private boolean allFree(long start, long end) {
        for (long pfn = start; pfn < end; ) {
            int kind = mm.kind(pfn);
            if (kind != PageState.BUDDY && kind != PageState.FREE_TAIL) {
                return false;
            }
            pfn = kind == PageState.BUDDY ? pfn + (1L << mm.buddyOrder(pfn)) : mm.runEnd(pfn);
        }
        return true;
    }

    /** Takes every free chunk overlapping [start, end) off the lists; the parts outside go back free. */
    private void takeFreeChunks(Zone zone, long start, long end) {
        long pfn = start;
        while (mm.kind(pfn) != PageState.BUDDY) {
            pfn--; // a chunk that begins below start (straddling into the range)
        }
        while (pfn < end) {
            int order = mm.buddyOrder(pfn);
            long chunkEnd = pfn + (1L << order);
            mm.buddy.delFromFreeList(zone, pfn);
            requeue(zone, pfn, start);
            requeue(zone, end, chunkEnd);
            long from = Math.max(pfn, start);
            long to = Math.min(chunkEnd, end);
            mm.fillPages(from, to, PageState.KERNEL, PageState.KERNEL_OTHER);
            pfn = chunkEnd;
        }
        mm.bumpGeneration();
    }

    /** Puts the pageblock-aligned free range [from, to) back on its pageblocks' lists. */
    private void requeue(Zone zone, long from, long to) {
        long pb = mm.arch.pageblockPages();
        for (long p = from; p < to; p += pb) {
            mm.buddy.addToFreeList(zone, p, mm.arch.pageblockOrder(), mm.pageblockMigratetype(p), false);
        }
    }

    /**
     * Models free_contig_range() for a range this class allocated, or the release of a
     * never-onlined PageOffline range through generic_online_page() (to the tail of the lists,
     * counted managed: __free_pages_core()). Returns the pages freed that were allocated by
     * {@link #allocContigRange} (the caller adds them to managed_pages, as virtio-mem does).
     */
    public long freeContigRange(long start, long end) {
        Zone zone = mm.zoneOf(start);
        long allocated = 0;
        mm.zoneLock(zone);
        try {
            for (long pfn = start; pfn < end; pfn += mm.arch.pageblockPages()) {
                long next = pfn + mm.arch.pageblockPages();
                if (mm.kind(pfn) == PageState.OFFLINE && mm.ownerWord(pfn) == NEVER_ONLINED) {
                    mm.buddy.freePagesCore(pfn, next);
                } else {
                    mm.fillPages(pfn, next, PageState.KERNEL, PageState.KERNEL_OTHER);
                    for (long p = pfn; p < next; p++) {
                        mm.buddy.freeOnePage(p, 0, false);
                    }
                    allocated += next - pfn;
                }
            }
        } finally {
            mm.zoneUnlock(zone);
        }
        return allocated;
    }

    /**
     * Marks [start, end) PageOffline: virtio_mem_set_fake_offline(). {@code onlined} false
     * for pages kept from the buddy while their block was onlined (PageDirty in Linux).
     */
    public void setPageOffline(long start, long end, boolean onlined) {
        mm.fillPages(start, end, PageState.OFFLINE, onlined ? 0 : NEVER_ONLINED);
    }
}
