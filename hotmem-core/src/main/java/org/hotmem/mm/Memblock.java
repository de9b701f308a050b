package org.hotmem.mm;

import org.hotmem.kernel.KernelPanic;

import java.util.ArrayList;
import java.util.List;

/**
 * The early boot allocator (mm/memblock.c): a list of memory ranges and a list of reserved
 * ranges, both sorted and merged, byte granular. Allocation searches the free ranges
 * (memory minus reserved) top-down by default, bottom-up when {@link #setBottomUp} is on
 * (x86 does that during init_mem_mapping under movable_node).
 *
 * <p>Used only during boot, by one thread; no locking (as in Linux, memblock runs before SMP).
 */
public final class Memblock {
    /** PAGE_SIZE: memblock never hands out the first page (memblock_find_in_range_node()). */
    private final long pageSize;
    private final List<long[]> memory = new ArrayList<>();
    private final List<long[]> reserved = new ArrayList<>();
    private boolean bottomUp;

    /** An empty memblock of a machine with pages of {@code pageSize} bytes. */
    public Memblock(long pageSize) {
        this.pageSize = pageSize;
    }

    /** memblock_add(). */
    public void add(long base, long size) {
        insert(memory, base, base + size);
    }

    /** memblock_reserve(). */
    public void reserve(long base, long size) {
        if (size > 0) {
            insert(reserved, base, base + size);
        }
    }

    /** memblock_free() / memblock_phys_free(): un-reserve a range. */
    public void free(long base, long size) {
        cut(reserved, base, base + size);
    }

    /** memblock_set_bottom_up(). */
    public void setBottomUp(boolean on) {
        bottomUp = on;
    }

    public boolean bottomUp() {
        return bottomUp;
    }

    /** The memory ranges, [start, end) pairs, sorted. */
    public List<long[]> memory() {
        return copy(memory);
    }

    /** The reserved ranges, [start, end) pairs, sorted. */
    public List<long[]> reserved() {
        return copy(reserved);
    }

    /**
     * Models memblock_alloc_range_nid() / memblock_find_in_range_node(): finds a free range of
     * {@code size} bytes aligned to {@code align} inside [min, max), reserves and returns it.
     *
     * If nothing fits above {@code min}, retries from 0 (memblock_alloc_internal()).
     *
     * @throws KernelPanic if nothing fits: the callers of memblock_alloc() panic ("Failed to allocate")
     */
    public long alloc(long size, long align, long min, long max) {
        long at = tryAlloc(size, align, min, max);
        if (at < 0 && min > 0) {
            at = tryAlloc(size, align, 0, max);
        }
        if (at < 0) {
            throw new KernelPanic(String.format("memblock_alloc_try_nid: Failed to allocate %d bytes align=0x%x", size, align));
        }
        return at;
    }

    /**
     * Models memblock_phys_alloc_range(): as {@link #alloc}, but returns -1 when nothing fits
     * (Linux returns 0). Like memblock_find_in_range_node(), never hands out the first page.
     */
    public long tryAlloc(long size, long align, long min, long max) {
        List<long[]> free = freeRanges(Math.max(min, pageSize), max);
        if (bottomUp) {
            for (long[] r : free) {
                long start = alignUp(r[0], align);
                if (start + size <= r[1]) {
                    reserve(start, size);
                    return start;
                }
            }
        } else {
            for (int i = free.size() - 1; i >= 0; i--) {
                long[] r = free.get(i);
                long start = alignDown(r[1] - size, align);
                if (r[1] - size >= 0 && start >= r[0]) {
                    reserve(start, size);
                    return start;
                }
            }
        }
        return -1;
    }

    /**
     * Models memblock_is_region_memory(): true if [base, base + size) lies inside one memory
     * range.
     */
    public boolean isRegionMemory(long base, long size) {
        for (long[] m : memory) {
            if (m[0] <= base && base < m[1]) {
                return base + size <= m[1];
            }
        }
        return false;
    }

    /** Free ranges (memory minus reserved) clipped to [min, max), ascending. */
    public List<long[]> freeRanges(long min, long max) {
        List<long[]> out = new ArrayList<>();
        for (long[] m : memory) {
            long s = Math.max(m[0], min);
            long e = Math.min(m[1], max);
            if (s >= e) {
                continue;
            }
            long cur = s;
            for (long[] r : reserved) {
                if (r[1] <= cur || r[0] >= e) {
                    continue;
                }
                if (r[0] > cur) {
                    out.add(new long[] {cur, r[0]});
                }
                cur = Math.max(cur, r[1]);
            }
            if (cur < e) {
                out.add(new long[] {cur, e});
            }
        }
        return out;
    }

    static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    static long alignDown(long v, long a) {
        return v & -a;
    }

    private static void insert(List<long[]> list, long s, long e) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : list) {
            if (r[1] < s || r[0] > e) {
                out.add(r);
            } else {
                s = Math.min(s, r[0]);
                e = Math.max(e, r[1]);
            }
        }
        out.add(new long[] {s, e});
        out.sort((a, b) -> Long.compare(a[0], b[0]));
        list.clear();
        list.addAll(out);
    }

    private static void cut(List<long[]> list, long s, long e) {
        List<long[]> out = subtract(list, s, e);
        list.clear();
        list.addAll(out);
    }

    /** The ranges of {@code in} with {@code [s, e)} taken out (a range straddling it is split). */
    static List<long[]> subtract(List<long[]> in, long s, long e) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : in) {
            if (r[1] <= s || r[0] >= e) {
                out.add(r);
                continue;
            }
            if (r[0] < s) {
                out.add(new long[] {r[0], s});
            }
            if (r[1] > e) {
                out.add(new long[] {e, r[1]});
            }
        }
        return out;
    }

    private static List<long[]> copy(List<long[]> l) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : l) {
            out.add(r.clone());
        }
        return out;
    }
}
