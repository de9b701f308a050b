package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * One SLUB cache (mm/slub.c) as far as the page allocator sees it: objects of one size packed
 * into slabs of 2^order pages. A new slab is allocated with the cache's GFP only when no slab
 * has a free object, so it comes from the zonelist of that moment (the highest populated zone
 * first, node-local first); a slab whose last object is freed goes back to the page allocator
 * only when the cache already keeps {@code minPartial} empty slabs (SLUB's
 * kmem_cache->min_partial), so a slab allocated for a short-lived object usually stays.
 * Objects are counted per slab, not stored.
 *
 * <p>Invariant: every slab's in-use count is in [0, objsPerSlab]; at most minPartial slabs are
 * empty. Guarded by the cache's own list lock in Linux; here every call runs in the one
 * running task.
 */
final class SlabCache {
    private final MemoryModel mm;
    final String name;
    private final int objsPerSlab;
    private final int order;
    private final Gfp gfp;
    private final int minPartial;
    /** Slabs in allocation order: {head pfn, objects in use}. */
    private final List<long[]> slabs = new ArrayList<>();

    SlabCache(MemoryModel mm, String name, int objsPerSlab, int order, Gfp gfp, int minPartial) {
        this.mm = mm;
        this.name = name;
        this.objsPerSlab = objsPerSlab;
        this.order = order;
        this.gfp = gfp;
        this.minPartial = minPartial;
    }

    /**
     * Models kmem_cache_alloc(): an object from the newest slab with room (the cpu slab, then
     * the partial list), else from a new slab (allocate_slab()). Returns the slab's head pfn, or
     * -1 when the page allocator has nothing (the object is not allocated).
     */
    long alloc() {
        for (int i = slabs.size() - 1; i >= 0; i--) {
            long[] s = slabs.get(i);
            if (s[1] < objsPerSlab) {
                s[1]++;
                return s[0];
            }
        }
        long pfn = mm.allocKernelPages(gfp, order, PageState.KERNEL_SLAB, mm.cpuNode, false);
        if (pfn < 0) {
            return -1;
        }
        slabs.add(new long[] {pfn, 1});
        return pfn;
    }

    /** Models kmem_cache_free() of an object of the slab headed at {@code slabPfn} (discard_slab() beyond min_partial). */
    void free(long slabPfn) {
        int empty = 0;
        long[] slab = null;
        for (long[] s : slabs) {
            if (s[0] == slabPfn) {
                slab = s;
            }
            if (s[1] == 0) {
                empty++;
            }
        }
        if (slab == null || slab[1] == 0) {
            throw new IllegalStateException(name + ": free of an object not in a slab at pfn 0x" + Long.toHexString(slabPfn));
        }
        if (--slab[1] == 0 && empty >= minPartial) {
            slabs.remove(slab);
            mm.freePages(slabPfn);
        }
    }

    /** Pages held by the cache's slabs. */
    long pages() {
        return (long) slabs.size() << order;
    }
}
