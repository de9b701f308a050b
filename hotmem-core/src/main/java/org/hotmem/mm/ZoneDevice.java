package org.hotmem.mm;

import java.util.Map;
import java.util.TreeMap;

import org.hotmem.kernel.SeqLock;

/**
 * The memory-model side of ZONE_DEVICE: the pfn → dev_pagemap index (pgmap_array of
 * mm/memremap.c), how a device range joins its node's ZONE_DEVICE zone
 * (move_pfn_range_to_zone() for ZONE_DEVICE, with the two historical placements of
 * init_currently_empty_zone()), the deferred memmap initialisation
 * (memmap_init_zone_device() in mm/mm_init.c) and the pages' references
 * (zone_device_page_init(), free_zone_device_page()). The control flow with its locks is
 * {@code org.hotmem.hotplug.Memremap}.
 *
 * <p>Seed 004's race lives in {@link #movePfnRangeToZone}: readers of a zone span use
 * zone->span_seqlock ({@link #readSpan}, as page_outside_zone_boundaries() does) without
 * mem_hotplug_lock. With {@link SpanInit#OUTSIDE_SPAN_LOCK} (v4.19–v4.20: move_pfn_range_to_zone()
 * called init_currently_empty_zone() before zone_span_writelock()) a reader between the two
 * writes sees the new zone_start_pfn with the old spanned_pages (0), a torn span that does not
 * contain the pages being initialised; {@link SpanInit#UNDER_SPAN_LOCK} (v5.0, commit
 * fa004ab7365f "mm, hotplug: move init_currently_empty_zone() under zone_span_lock protection",
 * reviewed by Oscar Salvador) writes both inside the write section, so a reader retries. Since
 * v5.14 (27cacaad16c5 "mm,memory_hotplug: drop unneeded locking") Linux takes no span lock here
 * and relies on mem_hotplug_lock; the model keeps the v5.0 write section as its default, which
 * changes nothing a reader under mem_hotplug_lock can see.
 *
 * <p>Invariants: every pfn of a mapped range maps to its pgmap in {@code pgmapArray}; its
 * section has a memmap and is never online (so pfn_to_online_page() is NULL and no memory
 * block exists); after memmap_init_zone_device() its pages are {@link PageState#ZONE_DEVICE}
 * with the page refcount in the owner word (0 for a free PRIVATE/COHERENT page), the altmap's
 * pages {@link PageState#VMEMMAP}; the ZONE_DEVICE span only grows.
 *
 * <p>Guarded by: {@code pgmapArray} by mem_hotplug_lock (write) for writers, RCU for readers
 * (get_dev_pagemap(); one runs at a time in hotmem); the span by mem_hotplug_lock (write) and
 * the zone's span seqlock per {@link SpanInit}; the page words of a range by its driver.
 */
public final class ZoneDevice {
    /** Where move_pfn_range_to_zone() runs init_currently_empty_zone() relative to zone_span_writelock(). */
    public enum SpanInit {
        /** v4.19–v4.20: before the write section (the span can be read torn). */
        OUTSIDE_SPAN_LOCK,
        /** v5.0–v5.13 (fa004ab7365f): inside it. */
        UNDER_SPAN_LOCK
    }

    private final MemoryModel mm;
    /** pgmap_array: first pfn of a range → its pgmap and the range's end pfn. */
    private final TreeMap<Long, Map.Entry<Long, DevPagemap>> pgmapArray = new TreeMap<>();
    private final SeqLock[] spanSeqlocks;
    private SpanInit spanInit = SpanInit.UNDER_SPAN_LOCK;

    ZoneDevice(MemoryModel mm) {
        this.mm = mm;
        spanSeqlocks = new SeqLock[mm.nodes.length * ZoneType.values().length];
        for (int i = 0; i < spanSeqlocks.length; i++) {
            spanSeqlocks[i] = new SeqLock(mm.kernel, "&zone->span_seqlock");
        }
    }

    public SpanInit spanInit() {
        return spanInit;
    }

    /** Chooses the historical or the fixed placement of init_currently_empty_zone(). */
    public void setSpanInit(SpanInit s) {
        spanInit = s;
    }

    /** zone->span_seqlock. */
    public SeqLock spanSeqlock(Zone z) {
        return spanSeqlocks[z.id()];
    }

    /**
     * Sets a pgmap's ref and completion: percpu_ref_init() + init_completion() in
     * memremap_pages(), or (nulls) percpu_ref_exit() at the end of memunmap_pages().
     */
    public static void bind(DevPagemap pgmap, org.hotmem.kernel.PercpuRef ref, org.hotmem.kernel.Completion done) {
        pgmap.ref = ref;
        pgmap.done = done;
    }

    /** Models xa_load(&pgmap_array, pfn): the pgmap mapping pfn, or null (no reference taken). */
    public DevPagemap pgmapOf(long pfn) {
        Map.Entry<Long, Map.Entry<Long, DevPagemap>> e = pgmapArray.floorEntry(pfn);
        return e != null && pfn < e.getValue().getKey() ? e.getValue().getValue() : null;
    }

    /** Models xa_store_range(&pgmap_array, start, end - 1, pgmap). */
    public void store(long startPfn, long endPfn, DevPagemap pgmap) {
        pgmapArray.put(startPfn, Map.entry(endPfn, pgmap));
    }

    /** Models xa_store_range(&pgmap_array, start, end - 1, NULL). */
    public void erase(long startPfn) {
        pgmapArray.remove(startPfn);
    }

    /**
     * Models get_dev_pagemap(pfn, NULL) in mm/memremap.c: the pgmap of pfn with a live
     * reference, or null when there is none or it is being torn down (its ref was killed).
     */
    public DevPagemap getDevPagemap(long pfn) {
        DevPagemap p = pgmapOf(pfn);
        return p != null && p.ref != null && p.ref.tryGetLive() ? p : null;
    }

    /** Models put_dev_pagemap(). */
    public void putDevPagemap(DevPagemap p) {
        p.ref.put();
    }

    /**
     * Models move_pfn_range_to_zone(zone, start, nr, altmap, MIGRATE_MOVABLE) for ZONE_DEVICE
     * (mm/memory_hotplug.c): grows the zone span (init_currently_empty_zone() +
     * resize_zone_range(), placed per {@link SpanInit}) and the node span
     * (resize_pgdat_range()), sets the pageblocks, and initialises only the altmap's pages
     * (memmap_init_range() skips the rest of a ZONE_DEVICE range: memmap_init_zone_device()
     * does it later). Caller holds mem_hotplug_lock (write) and runs in a task.
     */
    public void movePfnRangeToZone(Zone zone, long start, long nr, long altmapPages) {
        SeqLock seq = spanSeqlock(zone);
        if (spanInit == SpanInit.OUTSIDE_SPAN_LOCK) {
            if (zone.isEmpty()) {
                initCurrentlyEmptyZone(zone, start);
            }
            // the window before zone_span_writelock(): a span reader can run here
            mm.kernel.preemptionPoint();
            seq.writeLock();
            resizeZoneRange(zone, start, nr);
            seq.writeUnlock();
        } else {
            seq.writeLock();
            if (zone.isEmpty()) {
                initCurrentlyEmptyZone(zone, start);
            }
            resizeZoneRange(zone, start, nr);
            seq.writeUnlock();
        }
        ZoneSpans.resizePgdatRange(zone.node, start, nr);
        mm.spans.setPageblocks(zone, start, nr, MigrateType.MOVABLE);
        if (altmapPages > 0) {
            mm.fillPages(start, start + altmapPages, PageState.VMEMMAP, 0);
        }
    }

    /** Models init_currently_empty_zone() in mm/mm_init.c: zone_start_pfn and zone->initialized. */
    private static void initCurrentlyEmptyZone(Zone zone, long start) {
        zone.startPfn = start;
        zone.initialized = true;
    }

    /** Models resize_zone_range() in mm/memory_hotplug.c. */
    private static void resizeZoneRange(Zone zone, long start, long nr) {
        long oldEnd = zone.endPfn();
        if (zone.spannedPages == 0 || start < zone.startPfn) {
            zone.startPfn = start;
        }
        zone.spannedPages = Math.max(start + nr, oldEnd) - zone.startPfn;
    }

    /**
     * Models memmap_init_zone_device() in mm/mm_init.c (outside mem_hotplug_lock): every page
     * after the altmap's gets its zone and node links, page->pgmap and refcount 0
     * (PRIVATE/COHERENT: free until the driver hands it out) or 1; pageblocks MOVABLE.
     */
    public void memmapInitZoneDevice(Zone zone, long start, long nr, long altmapPages, DevPagemap pgmap) {
        pgmap.zone = zone;
        mm.fillPages(start + altmapPages, start + nr, PageState.ZONE_DEVICE, pgmap.type.driverOwned() ? 0 : 1);
    }

    /** The page refcount of a ZONE_DEVICE page. */
    public int pageRefcount(long pfn) {
        if (mm.kind(pfn) != PageState.ZONE_DEVICE) {
            throw new IllegalArgumentException(String.format("pfn 0x%x is no ZONE_DEVICE page", pfn));
        }
        return mm.ownerWord(pfn);
    }

    /**
     * Models zone_device_page_init() (include/linux/memremap.h, mm/memremap.c): a driver hands
     * out a free PRIVATE/COHERENT page: it takes a pgmap reference and the page refcount 1.
     */
    public void zoneDevicePageInit(long pfn) {
        DevPagemap p = pgmapOf(pfn);
        if (p == null || !p.type.driverOwned() || pageRefcount(pfn) != 0) {
            throw new IllegalStateException(String.format("zone_device_page_init: pfn 0x%x is not a free driver page", pfn));
        }
        p.ref.getMany(1);
        mm.setPage(pfn, PageState.ZONE_DEVICE, 1, 0);
    }

    /**
     * Models put_page() of a PRIVATE/COHERENT page down to 0: free_zone_device_page() calls
     * ops->page_free and drops the page's pgmap reference (the last one wakes memunmap_pages()).
     */
    public void putZoneDevicePage(long pfn) {
        DevPagemap p = pgmapOf(pfn);
        if (p == null || !p.type.driverOwned() || pageRefcount(pfn) != 1) {
            throw new IllegalStateException(String.format("put_page: pfn 0x%x is not a handed-out driver page", pfn));
        }
        mm.setPage(pfn, PageState.ZONE_DEVICE, 0, 0);
        p.ref.put();
    }

    /**
     * A span as a lockless reader takes it: zone_span_seqbegin()/zone_span_seqretry() around
     * zone_start_pfn and spanned_pages. Returns {start, spanned}. A scheduling point.
     */
    public long[] readSpan(Zone zone) {
        SeqLock seq = spanSeqlock(zone);
        while (true) {
            int s = seq.readBegin();
            long start = zone.startPfn;
            long spanned = zone.spannedPages;
            if (!seq.readRetry(s)) {
                return new long[] {start, spanned};
            }
        }
    }
}
