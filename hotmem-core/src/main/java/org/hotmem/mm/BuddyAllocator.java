package org.hotmem.mm;

/**
 * The buddy allocator's free-list code of one machine, as in mm/page_alloc.c: queueing and
 * unlinking free chunks, __free_one_page() merging, expand() splitting, __rmqueue() with
 * __rmqueue_fallback() stealing, move_freepages_block() and take_page_off_buddy(). The lists
 * and counts themselves are each zone's {@link FreeArea}; the per-page metadata is
 * {@link MemoryModel}'s.
 *
 * <p>Invariants: a free chunk of order o is naturally aligned, lies inside one section and
 * one zone, and is on exactly one list of its zone's {@link FreeArea}; its head page is
 * PageBuddy with owner word {@code order | migratetype << 8} (the list it is on) and its
 * other 2^o - 1 pages are free tails. Two free buddies of the same order in the same zone
 * are merged unless a pageblock boundary between them separates an isolated (or otherwise
 * unmergeable) migratetype from another.
 *
 * <p>Guarded by: this class has no state of its own; everything it changes (free lists, page
 * words, pageblock migratetypes) is guarded by the zone lock of the zone concerned, which
 * the callers take (or run before the scheduler starts, single-threaded, as boot does).
 */
final class BuddyAllocator {
    private static final MigrateType[][] FALLBACKS = {
        {MigrateType.RECLAIMABLE, MigrateType.MOVABLE}, // UNMOVABLE
        {MigrateType.RECLAIMABLE, MigrateType.UNMOVABLE}, // MOVABLE
        {MigrateType.UNMOVABLE, MigrateType.MOVABLE}, // RECLAIMABLE
    };

    private final MemoryModel mm;

    BuddyAllocator(MemoryModel mm) {
        this.mm = mm;
    }

    /** Models migratetype_is_mergeable() in mm/page_alloc.c: mt < MIGRATE_PCPTYPES. */
    static boolean mergeable(MigrateType mt) {
        return mt == MigrateType.UNMOVABLE || mt == MigrateType.MOVABLE || mt == MigrateType.RECLAIMABLE;
    }

    /**
     * Models add_to_free_list()/add_to_free_list_tail() in mm/page_alloc.c (6.12:
     * __add_to_free_list()), and marks the chunk's head Buddy and its other pages free tails
     * (free pages hold no content: token 0).
     */
    void addToFreeList(Zone z, long pfn, int order, MigrateType mt, boolean tail) {
        z.freeArea.add(pfn, order, mt, tail);
        mm.fillPages(pfn, pfn + (1L << order), PageState.BUDDY, order | (mt.ordinal() << 8), PageState.FREE_TAIL, 0);
    }

    /** Models del_page_from_free_list() in mm/page_alloc.c. */
    void delFromFreeList(Zone z, long pfn) {
        if (!z.freeArea.remove(pfn, mm.buddyOrder(pfn), mm.buddyListType(pfn))) {
            throw new IllegalStateException("buddy: pfn 0x" + Long.toHexString(pfn) + " not on its free list");
        }
    }

    /**
     * Models __free_one_page() in mm/page_alloc.c: merges with free buddies of the same
     * order (same zone; not across an isolated pageblock boundary) and queues the result on
     * the free list of its pageblock's migratetype, at the tail when {@code toTail}
     * (FPI_TO_TAIL: memblock_free_all, onlining) else at the head.
     */
    void freeOnePage(long pfn, int order, boolean toTail) {
        Zone z = mm.zoneOf(pfn);
        mm.counters.freed(order);
        mm.bumpGeneration();
        MigrateType mt = mm.pageblockMigratetype(pfn);
        while (order < mm.arch.maxOrder()) {
            long buddy = pfn ^ (1L << order);
            MemSection bs = mm.section(buddy);
            if (bs == null || !bs.hasMemmap() || bs != mm.section(pfn)) {
                break;
            }
            if (mm.kind(buddy) != PageState.BUDDY || mm.buddyOrder(buddy) != order
                    || bs.pbZone[mm.pbIdx(buddy)] != mm.section(pfn).pbZone[mm.pbIdx(pfn)]) {
                break;
            }
            if (order >= mm.arch.pageblockOrder() - 1) {
                MigrateType bmt = mm.pageblockMigratetype(buddy);
                if (mt != bmt && (!mergeable(mt) || !mergeable(bmt))) {
                    break;
                }
            }
            delFromFreeList(z, buddy);
            pfn = Math.min(pfn, buddy);
            order++;
        }
        addToFreeList(z, pfn, order, mt, toTail);
    }

    /**
     * Models __free_pages_core() in mm/page_alloc.c: hands a range of never-freed pages (boot
     * memory or onlined memory) to the buddy allocator in the largest naturally aligned
     * chunks, to the tail of the free lists, and adds them to managed_pages.
     */
    void freePagesCore(long start, long end) {
        long pfn = start;
        while (pfn < end) {
            int order = pfn == 0 ? mm.arch.maxOrder() : Math.min(mm.arch.maxOrder(), Long.numberOfTrailingZeros(pfn));
            while (pfn + (1L << order) > end) {
                order--;
            }
            mm.zoneOf(pfn).managedPages += 1L << order;
            freeOnePage(pfn, order, true);
            pfn += 1L << order;
        }
    }

    /**
     * Models expand() in mm/page_alloc.c: splits a chunk taken off a list, giving out
     * [pfn, pfn + 2^low) and queueing the upper halves.
     */
    private void expand(Zone z, long pfn, int low, int high, MigrateType mt) {
        while (high > low) {
            high--;
            long half = pfn + (1L << high);
            addToFreeList(z, half, high, mt, false);
        }
    }

    /** Models __rmqueue_smallest() in mm/page_alloc.c. Returns pfn or -1. */
    private long rmqueueSmallest(Zone z, int order, MigrateType mt) {
        for (int o = order; o < mm.arch.nrOrders(); o++) {
            long pfn = z.freeArea.first(o, mt);
            if (pfn < 0) {
                continue;
            }
            delFromFreeList(z, pfn);
            expand(z, pfn, order, o, mt);
            return pfn;
        }
        return -1;
    }

    /**
     * Models __rmqueue_fallback() in mm/page_alloc.c: takes the largest free chunk of a
     * fallback migratetype and, as can_steal_fallback() allows (order >= pageblock_order / 2,
     * or an unmovable / reclaimable request), claims its pageblock(s) for the requested type,
     * moving their free pages over (steal_suitable_fallback / move_freepages_block).
     */
    private boolean rmqueueFallback(Zone z, int order, MigrateType mt) {
        for (int o = mm.arch.maxOrder(); o >= order; o--) {
            for (MigrateType f : FALLBACKS[mt.ordinal()]) {
                long pfn = z.freeArea.first(o, f);
                if (pfn < 0) {
                    continue;
                }
                boolean steal = o >= mm.arch.pageblockOrder() / 2 || mt == MigrateType.UNMOVABLE || mt == MigrateType.RECLAIMABLE;
                if (steal) {
                    long pbStart = pfn & ~(mm.arch.pageblockPages() - 1L);
                    long pbEnd = Math.max(pbStart + mm.arch.pageblockPages(), pfn + (1L << o));
                    for (long pb = pbStart; pb < pbEnd; pb += mm.arch.pageblockPages()) {
                        mm.setPageblockMigratetype(pb, mt);
                        moveFreePagesBlock(z, pb, mt);
                    }
                } else {
                    delFromFreeList(z, pfn);
                    addToFreeList(z, pfn, o, mt, false);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Models move_freepages_block() in mm/page_alloc.c: requeues every free chunk inside the
     * pageblock on the lists of mt (tail). Returns the number of pages moved.
     */
    int moveFreePagesBlock(Zone z, long pbStart, MigrateType mt) {
        int moved = 0;
        long end = pbStart + mm.arch.pageblockPages();
        long pfn = pbStart;
        while (pfn < end) {
            int k = mm.kind(pfn);
            if (k == PageState.BUDDY) {
                int o = mm.buddyOrder(pfn);
                delFromFreeList(z, pfn);
                addToFreeList(z, pfn, o, mt, true);
                pfn += 1L << o;
                moved += 1 << o;
            } else {
                pfn = mm.runEnd(pfn);
            }
        }
        return moved;
    }

    /** Models __rmqueue() in mm/page_alloc.c: the requested list, else fallback. Returns pfn or -1. */
    long rmqueue(Zone z, int order, MigrateType mt) {
        long pfn = rmqueueSmallest(z, order, mt);
        if (pfn < 0 && mt != MigrateType.ISOLATE && rmqueueFallback(z, order, mt)) {
            pfn = rmqueueSmallest(z, order, mt);
        }
        return pfn;
    }

    /**
     * Models take_page_off_buddy() in mm/page_alloc.c: takes one specific free page out of
     * the buddy allocator, splitting its chunk (break_down_buddy_pages()) so that the rest
     * stays free on the lists of the chunk's migratetype.
     *
     * @throws IllegalStateException if pfn is not free
     */
    void takeFreePage(long pfn) {
        long head = pfn;
        while (mm.kind(head) != PageState.BUDDY) {
            if (mm.kind(head) != PageState.FREE_TAIL) {
                throw new IllegalStateException("pfn 0x" + Long.toHexString(pfn) + " is not free");
            }
            head--;
        }
        int order = mm.buddyOrder(head);
        MigrateType mt = mm.buddyListType(head);
        Zone z = mm.zoneOf(head);
        delFromFreeList(z, head);
        long cur = head;
        // split so that pfn ends up alone; queue the rest
        for (int o = order; o > 0; o--) {
            long half = cur + (1L << (o - 1));
            if (pfn >= half) {
                addToFreeList(z, cur, o - 1, mt, false);
                cur = half;
            } else {
                addToFreeList(z, half, o - 1, mt, false);
            }
        }
    }
}
