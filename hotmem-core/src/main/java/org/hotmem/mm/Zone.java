package org.hotmem.mm;

/**
 * struct zone: span, page counters, watermarks and the buddy free lists of one zone.
 *
 * <p>Invariants: {@code spannedPages == 0} iff the zone is empty (then {@code startPfn == 0});
 * {@code presentPages} = pages of online memory inside the span; {@code managedPages} =
 * pages handed to the buddy allocator (free or allocated from it); {@code freePages()} = sum of
 * the sizes of the chunks on the free lists ({@link FreeArea}); a chunk is on exactly one
 * list of (order, mt), where mt is its pageblock's migratetype when it was queued.
 *
 * <p>Guarded by: freeArea (free lists and free counts), nrIsolatePageblock by the zone lock; span fields by
 * mem_hotplug_lock (write) for writers, read locklessly (or under the span seqlock) by
 * readers, as in Linux since 5.14; present/managed by mem_hotplug_lock (write).
 */
public final class Zone {
    final Node node;
    final ZoneType type;
    /** zone_idx(): the zone's position among its node's configured zones (the zone bits of page->flags). */
    int idx = -1;
    long startPfn;
    long spannedPages;
    long presentPages;
    long presentEarlyPages;
    long managedPages;
    long cmaPages;
    long nrIsolatePageblock;
    long wmarkMin;
    long wmarkLow;
    long wmarkHigh;
    /** _watermark[WMARK_PROMO] (6.12 prints it; NUMA balancing's promotion target). */
    long wmarkPromo;
    /** lowmem_reserve[]: pages kept back against allocations that could use a higher zone. */
    final long[] lowmemReserve = new long[ZoneType.values().length];
    boolean initialized;
    /** free_area[] and NR_FREE_PAGES: the buddy free lists of this zone (zone lock). */
    final FreeArea freeArea;

    Zone(Node node, ZoneType type, int nrOrders) {
        this.node = node;
        this.type = type;
        this.freeArea = new FreeArea(nrOrders);
    }

    /** The zone's id in the pageblock zone bytes: nid * MAX_NR_ZONES + zone index (the zone bits of page->flags with the node's). */
    public int id() {
        return node.nid * ZoneType.values().length + type.ordinal();
    }

    public ZoneType type() {
        return type;
    }

    public Node node() {
        return node;
    }

    public String name() {
        return type.zoneName();
    }

    public long startPfn() {
        return startPfn;
    }

    public long spannedPages() {
        return spannedPages;
    }

    /** zone_end_pfn(). */
    public long endPfn() {
        return startPfn + spannedPages;
    }

    public long presentPages() {
        return presentPages;
    }

    public long presentEarlyPages() {
        return presentEarlyPages;
    }

    public long managedPages() {
        return managedPages;
    }

    public long freePages() {
        return freeArea.freePages();
    }

    public long cmaPages() {
        return cmaPages;
    }

    public long nrIsolatePageblock() {
        return nrIsolatePageblock;
    }

    public long highWmark() {
        return wmarkHigh;
    }

    public long lowWmark() {
        return wmarkLow;
    }

    public long minWmark() {
        return wmarkMin;
    }

    public long promoWmark() {
        return wmarkPromo;
    }

    /** lowmem_reserve[t]: the "protection" /proc/zoneinfo prints. */
    public long lowmemReserve(ZoneType t) {
        return lowmemReserve[t.ordinal()];
    }

    /** zone_is_empty(). */
    public boolean isEmpty() {
        return spannedPages == 0;
    }

    /** populated_zone(). */
    public boolean populated() {
        return presentPages != 0;
    }

    /** Models zone_intersects() in include/linux/mmzone.h: span-based, not presence-based. */
    public boolean intersects(long pfn, long nr) {
        if (isEmpty()) {
            return false;
        }
        if (startPfn >= pfn + nr || endPfn() <= pfn) {
            return false;
        }
        return true;
    }

    /** Number of free chunks of an order on all lists (what /proc/buddyinfo prints). */
    public long nrFree(int order) {
        return freeArea.nrFree(order);
    }

    /** Number of free chunks of an order and migratetype (/proc/pagetypeinfo). */
    public int nrFree(int order, MigrateType mt) {
        return freeArea.nrFree(order, mt);
    }

    @Override
    public String toString() {
        return "zone " + name() + " start=" + startPfn + " spanned=" + spannedPages + " present=" + presentPages + " managed=" + managedPages;
    }
}
