package org.hotmem.mm;

import java.util.LinkedHashSet;

/**
 * The buddy free lists of one zone: struct zone's {@code free_area[NR_PAGE_ORDERS]}, each
 * with one list per migratetype and its {@code nr_free}, plus the zone's NR_FREE_PAGES
 * counter. A list holds the head pfns of free chunks, in list order (the first element is
 * what list_first_entry() gives).
 *
 * <p>Invariants: a pfn is on at most one list; {@code nrFree[o]} equals the total number of
 * entries of the lists of order o; {@code freePages} equals the sum of 2^o over every entry
 * of every list. The page metadata of the chunks (Buddy head, free tails) is kept by
 * {@link BuddyAllocator}, which is the only writer of this class.
 *
 * <p>Guarded by: every field by the zone lock (zone->lock), as in Linux; readers of the
 * counters (/proc/buddyinfo, /proc/zoneinfo, vmstat) read them locklessly.
 */
final class FreeArea {
    @SuppressWarnings("unchecked")
    private final LinkedHashSet<Long>[][] lists = new LinkedHashSet[Zone.NR_ORDERS][MigrateType.values().length];
    private final long[] nrFree = new long[Zone.NR_ORDERS];
    private long freePages;

    FreeArea() {
        for (int o = 0; o < Zone.NR_ORDERS; o++) {
            for (int m = 0; m < MigrateType.values().length; m++) {
                lists[o][m] = new LinkedHashSet<>();
            }
        }
    }

    /**
     * Queues the chunk headed at pfn on the list of (order, mt), at the head or the tail:
     * the list part of __add_to_free_list() in mm/page_alloc.c, with the
     * {@code nr_free} accounting and the NR_FREE_PAGES accounting (6.1:
     * __mod_zone_freepage_state(); 6.12: account_freepages()).
     * // model: chunks on the MIGRATE_ISOLATE lists count in freePages too; Linux leaves
     * // them out of NR_FREE_PAGES.
     */
    void add(long pfn, int order, MigrateType mt, boolean tail) {
        LinkedHashSet<Long> list = lists[order][mt.ordinal()];
        if (tail) {
            list.addLast(pfn);
        } else {
            list.addFirst(pfn);
        }
        nrFree[order]++;
        freePages += 1L << order;
    }

    /**
     * Unlinks the chunk headed at pfn from the list of (order, mt): the list part of
     * del_page_from_free_list() in mm/page_alloc.c (6.12: __del_page_from_free_list()). Returns false (and changes nothing)
     * when pfn is not on that list.
     */
    boolean remove(long pfn, int order, MigrateType mt) {
        if (!lists[order][mt.ordinal()].remove(pfn)) {
            return false;
        }
        nrFree[order]--;
        freePages -= 1L << order;
        return true;
    }

    /** get_page_from_free_area(): the first chunk of the list of (order, mt), or -1 if it is empty. */
    long first(int order, MigrateType mt) {
        LinkedHashSet<Long> list = lists[order][mt.ordinal()];
        return list.isEmpty() ? -1 : list.getFirst();
    }

    /** free_area[order].nr_free: free chunks of the order on all lists. */
    long nrFree(int order) {
        return nrFree[order];
    }

    /** Free chunks of the order on the list of mt (what /proc/pagetypeinfo counts). */
    int nrFree(int order, MigrateType mt) {
        return lists[order][mt.ordinal()].size();
    }

    /** zone_page_state(zone, NR_FREE_PAGES). */
    long freePages() {
        return freePages;
    }
}
