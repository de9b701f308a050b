package org.hotmem.mm;

/**
 * The zone and node span bookkeeping of memory hotplug, as in mm/memory_hotplug.c: growing
 * the spans when a range joins a zone (move_pfn_range_to_zone()), shrinking them when it
 * leaves (remove_pfn_range_from_zone(), shrink_zone_span(), update_pgdat_span()), and the
 * present-page counters (adjust_present_page_count()). It also (re)initialises the memmap
 * and pageblock bytes of the range, as move_pfn_range_to_zone() does via memmap_init_range().
 *
 * <p>Invariants: a zone's span only grows to cover a range moved to it, and a removal
 * shrinks it only at its ends, to the nearest online pageblock of the zone left (a hole in the
 * middle stays, as in Linux); an empty zone has startPfn == 0 and spannedPages == 0; after a
 * removal a node's span is the hull of its zones' spans; every pageblock of a range moved to a zone carries that zone's index until
 * the range is removed, when it becomes -1 and its pages are poisoned.
 *
 * <p>Guarded by: this class has no state of its own; the zone and node span fields, the
 * present counters, and the memmap of the range it changes are guarded by mem_hotplug_lock
 * held for write, which the hotplug package takes.
 */
final class ZoneSpans {
    private final MemoryModel mm;

    ZoneSpans(MemoryModel mm) {
        this.mm = mm;
    }

    /**
     * Models move_pfn_range_to_zone() in mm/memory_hotplug.c: grows the zone and node spans
     * (init_currently_empty_zone / resize_zone_range / resize_pgdat_range), initialises the
     * memmap of the range as reserved pages of the zone and sets the pageblocks to mt.
     */
    void movePfnRangeToZone(Zone zone, long start, long nr, MigrateType mt) {
        if (zone.isEmpty()) {
            zone.startPfn = start;
            zone.spannedPages = nr;
            zone.initialized = true;
        } else {
            long end = Math.max(zone.endPfn(), start + nr);
            zone.startPfn = Math.min(zone.startPfn, start);
            zone.spannedPages = end - zone.startPfn;
        }
        resizePgdatRange(zone.node, start, nr);
        setPageblocks(zone, start, nr, mt);
        mm.fillPages(start, start + nr, PageState.RESERVED, 0);
    }

    /** Models resize_pgdat_range(): grows the node's span to cover [start, start + nr). */
    static void resizePgdatRange(Node n, long start, long nr) {
        if (n.spannedPages == 0) {
            n.startPfn = start;
            n.spannedPages = nr;
        } else {
            long end = Math.max(n.startPfn + n.spannedPages, start + nr);
            n.startPfn = Math.min(n.startPfn, start);
            n.spannedPages = end - n.startPfn;
        }
    }

    /** The pageblocks of [start, start + nr) belong to {@code zone}, with migratetype {@code mt} (set_pageblock_migratetype()). */
    void setPageblocks(Zone zone, long start, long nr, MigrateType mt) {
        for (long pfn = start; pfn < start + nr; pfn += mm.arch.pageblockPages()) {
            MemSection s = mm.section(pfn);
            s.pbZone[mm.pbIdx(pfn)] = (byte) zone.id();
            s.pbMigrate[mm.pbIdx(pfn)] = (byte) mt.ordinal();
        }
    }

    /**
     * Models remove_pfn_range_from_zone() in mm/memory_hotplug.c: poisons the memmap and
     * shrinks the zone span (shrink_zone_span: to the next online pfn of this zone from the
     * start, or to the last one before the end; a hole in the middle stays), then
     * update_pgdat_span().
     */
    void removePfnRangeFromZone(Zone zone, long start, long nr) {
        for (long pfn = start; pfn < start + nr; pfn = mm.runEnd(pfn)) {
            if ((mm.info(pfn) & PageState.HWPOISON) != 0) {
                mm.counters.hwpoisonedPages--; // model: num_poisoned_pages_sub() happens here, not at section removal
            }
        }
        mm.fillPages(start, start + nr, PageState.POISONED, 0);
        for (long pfn = start; pfn < start + nr; pfn += mm.arch.pageblockPages()) {
            mm.section(pfn).pbZone[mm.pbIdx(pfn)] = -1;
        }
        if (zone.type == ZoneType.DEVICE) {
            return;
        }
        long end = start + nr;
        if (start == zone.startPfn) {
            long p = findOnlinePfn(zone, end, zone.endPfn(), true);
            if (p < 0) {
                zone.startPfn = 0;
                zone.spannedPages = 0;
            } else {
                long zEnd = zone.endPfn();
                zone.startPfn = p;
                zone.spannedPages = zEnd - p;
            }
        } else if (end == zone.endPfn()) {
            long p = findOnlinePfn(zone, zone.startPfn, start, false);
            if (p < 0) {
                zone.startPfn = 0;
                zone.spannedPages = 0;
            } else {
                zone.spannedPages = p + 1 - zone.startPfn;
            }
        }
        zone.node.updateSpan();
    }

    /**
     * Models find_smallest_section_pfn() / find_biggest_section_pfn() in
     * mm/memory_hotplug.c: an online pfn of this zone in [from, to), in pageblock steps.
     * Returns the first pfn (smallest) or the last pfn of the last such pageblock, or -1.
     */
    private long findOnlinePfn(Zone zone, long from, long to, boolean smallest) {
        int zi = zone.id();
        if (smallest) {
            for (long pfn = from; pfn < to; pfn += mm.arch.pageblockPages()) {
                MemSection s = mm.section(pfn);
                if (s != null && s.online && s.pbZone[mm.pbIdx(pfn)] == zi) {
                    return pfn;
                }
            }
        } else {
            for (long pfn = to - mm.arch.pageblockPages(); pfn >= from; pfn -= mm.arch.pageblockPages()) {
                MemSection s = mm.section(pfn);
                if (s != null && s.online && s.pbZone[mm.pbIdx(pfn)] == zi) {
                    return pfn + mm.arch.pageblockPages() - 1;
                }
            }
        }
        return -1;
    }

    /**
     * Models adjust_present_page_count() in mm/memory_hotplug.c: zone and node present pages,
     * and the zone's present_early_pages for boot sections.
     */
    void adjustPresentPageCount(Zone zone, long pfn, long nr) {
        zone.presentPages += nr;
        zone.node.presentPages += nr;
        MemSection s = mm.section(pfn);
        if (s != null && s.early) {
            zone.presentEarlyPages += nr;
        }
    }
}
