package org.hotmem.power;

import java.util.LinkedHashMap;
import java.util.Map;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;

/**
 * TuxOnIce's split of the saveable pages (saveable_page(), as {@link Snapshot} decides it):
 * pageset 2 the LRU pages of the (frozen or COW-protected) tasks, pageset 1 everything else
 * (kernel pages, slab, page tables), each in ascending pfn order, with every saveable pfn's
 * content at the split (what a correct image restores).
 */
record Pagesets(long[] pageset1, long[] pageset2, Map<Long, Long> contents) {
    static Pagesets of(MemoryModel mm) {
        return of(mm, new Snapshot(mm));
    }

    /** The split as snapshot {@code s} sees the pages (its own copy pages are not saveable). */
    static Pagesets of(MemoryModel mm, Snapshot s) {
        java.util.List<Long> p1 = new java.util.ArrayList<>();
        java.util.List<Long> p2 = new java.util.ArrayList<>();
        Map<Long, Long> contents = new LinkedHashMap<>();
        s.forEachSaveable(pfn -> {
            (mm.kind(pfn) == PageState.LRU ? p2 : p1).add(pfn);
            contents.put(pfn, mm.token(pfn));
        });
        return new Pagesets(sorted(p1), sorted(p2), contents);
    }

    private static long[] sorted(java.util.List<Long> l) {
        long[] a = l.stream().mapToLong(Long::longValue).toArray();
        java.util.Arrays.sort(a);
        return a;
    }

    /** The tokens of {@code pfns} as they are now. */
    static long[] tokens(MemoryModel mm, long[] pfns) {
        long[] t = new long[pfns.length];
        for (int i = 0; i < pfns.length; i++) t[i] = mm.token(pfns[i]);
        return t;
    }
}
