package org.hotmem.mm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory hot-added sections cost the guest: their memmap (mm/sparse-vmemmap.c) and the
 * kernel page tables that map it and the new direct-map range (arch/x86/mm/init_64.c).
 *
 * <p>x86-64 with SPARSEMEM_VMEMMAP and PSE: a section's 32768 struct pages (2 MiB) are mapped by
 * one PMD entry of the vmemmap. Without an altmap, vmemmap_populate_hugepages() asks the buddy
 * allocator for an order-9 block on the node (vmemmap_alloc_block: GFP_KERNEL |
 * __GFP_RETRY_MAYFAIL | __GFP_NOWARN) and, when none is available, falls back to
 * vmemmap_populate_basepages(): one PTE table page plus 512 order-0 pages. With an altmap
 * (memmap_on_memory) the struct pages live on the hot-added memory itself and only page tables
 * come from the buddy. Page-table pages (vmemmap_alloc_block_zero, alloc_low_pages) are order-0
 * kernel pages. Which tables exist:
 * <ul>
 *   <li>vmemmap PMD table: one per 1 GiB of vmemmap = 64 GiB of RAM (pfn >> 24); vmemmap PUD
 *       table: one per 512 GiB of vmemmap = 32 TiB of RAM (pfn >> 33);
 *   <li>direct map (2 MiB pages, no pdpe1gb under QEMU's default CPU): PMD table per 1 GiB of RAM
 *       (pfn >> 18), PUD table per 512 GiB (pfn >> 27).
 * </ul>
 * Tables that map boot memory were allocated from memblock at boot (they are part of the boot
 * reservations) and are never freed; a table allocated for hot-added memory is freed when the
 * last section it maps is removed (free_pmd_table / free_pud_table of remove_pagetable()).
 *
 * <p>The memmap and table pages are unmovable kernel pages ({@link PageState#KERNEL_OTHER}): they
 * pin the pageblocks they land in exactly as any GFP_KERNEL allocation does.
 *
 * <p>Invariant: {@code memmap} holds, for every present hot-added section without altmap, the
 * kernel allocations holding its struct pages; {@code tables} holds every page-table page in
 * use with the number of present sections it maps (boot tables have pfn -1 and are never
 * released). Guarded by mem_hotplug_lock held for write (callers: sparse_add/remove_section).
 */
final class SparseVmemmap {
    private static final int VMEMMAP_PMD = 0;
    private static final int VMEMMAP_PUD = 1;
    private static final int DIRECT_PMD = 2;
    private static final int DIRECT_PUD = 3;
    private static final int[] SHIFT = {24, 33, 18, 27};

    private static final class Table {
        final long pfn;
        int users;

        Table(long pfn) {
            this.pfn = pfn;
        }
    }

    private final MemoryModel mm;
    /** (level, index) -> table page; key = level << 56 | index. */
    private final TreeMap<Long, Table> tables = new TreeMap<>();
    /** Section number -> kernel allocations (heads) of its buddy-allocated memmap. */
    private final Map<Integer, long[]> memmap = new HashMap<>();
    private boolean bootTablesKnown;
    /** vmemmap_alloc_block()'s static "warned": the first failure is reported once per boot. */
    private boolean warned;

    /** Pages of struct page per section (x86-64: 32768 * 64 B / 4 KiB = 512), at least one. */
    private final int memmapPages;
    /** The order of one section's memmap block (x86-64: 9, the 2 MiB PMD). */
    private final int memmapOrder;

    /**
     * // model: the page-table levels (SHIFT) are x86-64's on every architecture; a 64 KiB-page
     * // section's memmap (256 x 64 B) is one page of its own.
     */
    SparseVmemmap(MemoryModel mm) {
        this.mm = mm;
        this.memmapPages = (int) Math.max(1, (long) mm.arch.pagesPerSection() * 64 / mm.arch.pageSize());
        this.memmapOrder = Integer.numberOfTrailingZeros(Integer.highestOneBit(memmapPages));
    }

    private static long key(int level, long pfn) {
        return ((long) level << 56) | (pfn >>> SHIFT[level]);
    }

    /** The tables set up at boot by init_mem_mapping() and sparse_init() (from memblock). */
    private void learnBootTables() {
        if (bootTablesKnown) {
            return;
        }
        bootTablesKnown = true;
        for (long[] r : mm.bootRam) {
            long first = r[0] >>> mm.arch.pageShift();
            long last = (r[1] - 1) >>> mm.arch.pageShift();
            for (int level : new int[] {DIRECT_PMD, DIRECT_PUD}) {
                for (long i = first >>> SHIFT[level]; i <= last >>> SHIFT[level]; i++) {
                    tables.putIfAbsent(((long) level << 56) | i, new Table(-1));
                }
            }
        }
        for (MemSection s : mm.presentSections()) {
            if (s.isEarly()) {
                tables.putIfAbsent(key(VMEMMAP_PMD, s.startPfn()), new Table(-1));
                tables.putIfAbsent(key(VMEMMAP_PUD, s.startPfn()), new Table(-1));
            }
        }
    }

    /**
     * Takes a reference on the table of {@code level} mapping pfn, allocating its page (an
     * order-0 GFP_KERNEL page, zeroed) if it does not exist. Returns false when that allocation
     * fails.
     */
    private boolean getTable(int level, long pfn, int nid) {
        long k = key(level, pfn);
        Table t = tables.get(k);
        if (t == null) {
            long page = allocBlock(0, nid);
            if (page < 0) {
                return false;
            }
            t = new Table(page);
            tables.put(k, t);
        }
        t.users++;
        return true;
    }

    /** Drops a reference; frees a hot-added table whose last user went (free_pmd_table). */
    private void putTable(int level, long pfn) {
        long k = key(level, pfn);
        Table t = tables.get(k);
        if (t == null || t.pfn < 0) {
            return;
        }
        if (--t.users == 0) {
            mm.freePages(t.pfn);
            tables.remove(k);
        }
    }

    /**
     * Models vmemmap_alloc_block() after boot: alloc_pages_node(nid, GFP_KERNEL |
     * __GFP_RETRY_MAYFAIL | __GFP_NOWARN, order), which fails rather than dip below the min
     * watermark; the first failure of the boot prints warn_alloc's line.
     * // model: no reclaim or compaction is attempted (hotmem has no reclaim); warn_alloc's
     * // dump_stack and show_mem are not printed.
     */
    private long allocBlock(int order, int nid) {
        long pfn = mm.allocPagesAboveMin(Gfp.KERNEL, order, PageState.KERNEL_OTHER, nid);
        if (pfn < 0 && !warned) {
            warned = true;
            org.hotmem.kernel.Task cur = mm.kernel.current();
            mm.kernel.dmesg().warn((cur == null ? "swapper/0" : cur.name()) + ": vmemmap alloc failure: order:" + order
                    + ", mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), nodemask=(null),cpuset=/,mems_allowed=0");
        }
        return pfn;
    }

    /**
     * Models init_memory_mapping() for a hot-added range (arch_add_memory): the direct-map PMD
     * and PUD tables the range needs, one reference per section.
     *
     * @return false if a table page could not be allocated (nothing is left referenced)
     */
    boolean mapDirect(long startPfn, long nr, int nid) {
        learnBootTables();
        List<long[]> done = new ArrayList<>();
        for (long pfn = startPfn; pfn < startPfn + nr; pfn += mm.arch.pagesPerSection()) {
            for (int level : new int[] {DIRECT_PUD, DIRECT_PMD}) {
                if (!getTable(level, pfn, nid)) {
                    for (int i = done.size() - 1; i >= 0; i--) {
                        putTable((int) done.get(i)[0], done.get(i)[1]);
                    }
                    return false;
                }
                done.add(new long[] {level, pfn});
            }
        }
        return true;
    }

    /** Models kernel_physical_mapping_remove(): drops the range's direct-map table references. */
    void unmapDirect(long startPfn, long nr) {
        for (long pfn = startPfn; pfn < startPfn + nr; pfn += mm.arch.pagesPerSection()) {
            putTable(DIRECT_PMD, pfn);
            putTable(DIRECT_PUD, pfn);
        }
    }

    /**
     * Models populate_section_memmap() → __populate_section_memmap() → vmemmap_populate() for
     * one hot-added section: the vmemmap page tables, then (without altmap) the memmap itself,
     * as one order-9 block or, failing that, a PTE table and 512 base pages.
     *
     * @return false on -ENOMEM, with everything this call allocated freed again
     *         (section_activate's section_deactivate on failure)
     */
    boolean populate(MemSection s, boolean altmap, int nid) {
        learnBootTables();
        long pfn = s.startPfn();
        if (!getTable(VMEMMAP_PUD, pfn, nid)) {
            return false;
        }
        if (!getTable(VMEMMAP_PMD, pfn, nid)) {
            putTable(VMEMMAP_PUD, pfn);
            return false;
        }
        if (altmap) {
            return true;
        }
        long block = allocBlock(memmapOrder, nid);
        if (block >= 0) {
            memmap.put(s.nr(), new long[] {block});
            return true;
        }
        // vmemmap_populate_basepages(): a PTE table for the 2 MiB, then page by page
        long[] pages = new long[memmapPages + 1];
        int n = 0;
        while (n < pages.length) {
            long p = allocBlock(0, nid);
            if (p < 0) {
                for (int i = 0; i < n; i++) {
                    mm.freePages(pages[i]);
                }
                putTable(VMEMMAP_PMD, pfn);
                putTable(VMEMMAP_PUD, pfn);
                return false;
            }
            pages[n++] = p;
        }
        memmap.put(s.nr(), pages);
        return true;
    }

    /** Models depopulate_section_memmap() → vmemmap_free(): frees the memmap and unused tables. */
    void depopulate(MemSection s) {
        long[] pages = memmap.remove(s.nr());
        if (pages != null) {
            for (long p : pages) {
                mm.freePages(p);
            }
        }
        putTable(VMEMMAP_PMD, s.startPfn());
        putTable(VMEMMAP_PUD, s.startPfn());
    }

    /** Pages the buddy allocator gave to memmaps and page tables of hot-added memory. */
    long pages() {
        long n = 0;
        for (long[] p : memmap.values()) {
            n += p.length == 1 ? 1L << memmapOrder : p.length;
        }
        for (Table t : tables.values()) {
            if (t.pfn >= 0) {
                n++;
            }
        }
        return n;
    }
}
