package org.hotmem.mm;

import java.util.Arrays;

/**
 * The buddy free lists of one zone: struct zone's {@code free_area[NR_PAGE_ORDERS]}, each
 * with one list per migratetype and its {@code nr_free}, plus the zone's NR_FREE_PAGES
 * counter. A list holds the head pfns of free chunks, in list order (the first element is
 * what list_first_entry() gives). As in Linux the lists are intrusive doubly-linked lists: the
 * links of a chunk belong to the chunk (its {@link FreeListLinks} entry, the model's
 * {@code page->buddy_list}), so queueing at either end, unlinking any chunk and finding the
 * first are O(1) and a free chunk costs no object.
 *
 * <p>Invariants: a pfn is on at most one list; {@code nrFree[o]} equals the total number of
 * entries of the lists of order o; {@code freePages} equals the sum of 2^o over every entry
 * of every list; a list's head has no predecessor, its tail no successor, and following the
 * successors from the head visits every entry of the list once, ending at the tail. The page
 * metadata of the chunks (Buddy head, free tails) is kept by {@link BuddyAllocator}, which is
 * the only writer of this class.
 *
 * <p>Guarded by: every field by the zone lock (zone->lock), as in Linux; readers of the
 * counters (/proc/buddyinfo, /proc/zoneinfo, vmstat) read them locklessly.
 */
final class FreeArea {
    private static final int NR_MT = MigrateType.values().length;
    private final int nrOrders;
    /** By list (order * NR_MT + migratetype): the first and last chunk, {@link FreeListLinks#NONE} if empty. */
    private final long[] head;
    private final long[] tail;
    private final int[] count;
    private final FreeListLinks links = new FreeListLinks();
    private final long[] nrFree;
    private long freePages;

    /** The lists of orders 0 .. nrOrders - 1 (NR_PAGE_ORDERS of the machine's {@link Arch}). */
    FreeArea(int nrOrders) {
        this.nrOrders = nrOrders;
        head = new long[nrOrders * NR_MT];
        tail = new long[nrOrders * NR_MT];
        count = new int[nrOrders * NR_MT];
        nrFree = new long[nrOrders];
        Arrays.fill(head, FreeListLinks.NONE);
        Arrays.fill(tail, FreeListLinks.NONE);
    }

    private static int listOf(int order, MigrateType mt) {
        return order * NR_MT + mt.ordinal();
    }

    /**
     * Queues the chunk headed at pfn on the list of (order, mt), at the head or the tail:
     * the list part of __add_to_free_list() in mm/page_alloc.c, with the
     * {@code nr_free} accounting and the NR_FREE_PAGES accounting (6.1:
     * __mod_zone_freepage_state(); 6.12: account_freepages()).
     * // model: chunks on the MIGRATE_ISOLATE lists count in freePages too; Linux leaves
     * // them out of NR_FREE_PAGES.
     *
     * @throws IllegalStateException if pfn is already on a list
     */
    void add(long pfn, int order, MigrateType mt, boolean tail) {
        int l = listOf(order, mt);
        long h = head[l];
        long t = this.tail[l];
        if (h == FreeListLinks.NONE) {
            links.insert(pfn, l, FreeListLinks.NONE, FreeListLinks.NONE);
            head[l] = pfn;
            this.tail[l] = pfn;
        } else if (tail) {
            links.insert(pfn, l, t, FreeListLinks.NONE);
            links.setNext(t, pfn);
            this.tail[l] = pfn;
        } else {
            links.insert(pfn, l, FreeListLinks.NONE, h);
            links.setPrev(h, pfn);
            head[l] = pfn;
        }
        count[l]++;
        nrFree[order]++;
        freePages += 1L << order;
    }

    /**
     * Unlinks the chunk headed at pfn from the list of (order, mt): the list part of
     * del_page_from_free_list() in mm/page_alloc.c (6.12: __del_page_from_free_list()). Returns false (and changes nothing)
     * when pfn is not on that list.
     */
    boolean remove(long pfn, int order, MigrateType mt) {
        int l = listOf(order, mt);
        int slot = links.find(pfn);
        if (slot < 0 || links.listAt(slot) != l) {
            return false;
        }
        long p = links.prevAt(slot);
        long n = links.nextAt(slot);
        links.deleteAt(slot);
        if (p == FreeListLinks.NONE) {
            head[l] = n;
        } else {
            links.setNext(p, n);
        }
        if (n == FreeListLinks.NONE) {
            tail[l] = p;
        } else {
            links.setPrev(n, p);
        }
        count[l]--;
        nrFree[order]--;
        freePages -= 1L << order;
        return true;
    }

    /** get_page_from_free_area(): the first chunk of the list of (order, mt), or -1 if it is empty. */
    long first(int order, MigrateType mt) {
        return head[listOf(order, mt)];
    }

    /** free_area[order].nr_free: free chunks of the order on all lists. */
    long nrFree(int order) {
        return nrFree[order];
    }

    /** Free chunks of the order on the list of mt (what /proc/pagetypeinfo counts). */
    int nrFree(int order, MigrateType mt) {
        return count[listOf(order, mt)];
    }

    /** zone_page_state(zone, NR_FREE_PAGES). */
    long freePages() {
        return freePages;
    }
}
