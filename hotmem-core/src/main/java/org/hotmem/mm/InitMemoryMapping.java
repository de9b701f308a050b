package org.hotmem.mm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * x86-64's boot-time direct mapping of RAM (arch/x86/mm/init.c init_mem_mapping() and
 * arch/x86/mm/init_64.c kernel_physical_mapping_init()), modelled for the page-table pages it
 * allocates and where they come from: that is what it costs the buddy allocator.
 *
 * <p>Machine facts this follows: 4-level paging at run time (QEMU's TCG CPU has no LA57, the
 * P4D level is folded into the PGD entry), 2 MiB pages (PSE) but no 1 GiB pages (no pdpe1gb),
 * nokaslr. So the direct map needs one PUD page per 512 GiB, one PMD page per GiB touched and
 * one PTE page per 2 MiB that is not wholly RAM (the 2 MiB around the ISA range, the tail of
 * low RAM below QEMU's ACPI area). Page-table pages come from the early brk buffer
 * (INIT_PGT_BUF_SIZE: 4 page-table levels x 4 with CONFIG_RANDOMIZE_MEMORY = 16 pages, inside
 * the kernel image and reserved with it whether used or not) unless the range being mapped
 * overlaps that buffer, in which case they come from memblock inside the already-mapped range
 * [min_pfn_mapped, max_pfn_mapped), in memblock's current direction.
 *
 * <p>One instance per boot, used once by the boot thread; all fields are confined to it. The
 * page-size counts /proc/meminfo prints (DirectMap4k/2M) are {@link DirectPagesCount}'s.
 */
final class InitMemoryMapping {
    private static final long PMD_SIZE = 2L << 20;
    private static final long PUD_SIZE = 1L << 30;
    private static final int PGDIR_SHIFT = 39;
    private static final long ISA_END_ADDRESS = 1L << 20;
    /** x86-64's PAGE_SHIFT: this class models the x86 page tables, whose base page is 4 KiB. */
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** INIT_PGD_PAGE_TABLES (4 with CONFIG_X86_5LEVEL) x 4 (CONFIG_RANDOMIZE_MEMORY): Debian's config. */
    static final int INIT_PGT_BUF_PAGES = 16;

    private final Memblock memblock;
    /** [pgt_buf_start, pgt_buf_top) as addresses; pgt_buf_end = start + brkUsed pages. */
    private final long pgtBufStart;
    private final long pgtBufTop;
    private final long kernelEnd;
    private int brkUsed;
    private boolean canUseBrkPgt = true;
    private long minPfnMapped;
    private long maxPfnMapped;
    /** PGD entries (512 GiB each) of the direct map that have their (folded P4D =) PUD page. */
    private final Set<Long> pudPages = new HashSet<>();
    /** GiB indexes whose PUD entry points to a PMD page. */
    private final Set<Long> pmdPages = new HashSet<>();
    /** 2 MiB indexes mapped by a large PMD entry. */
    private final Set<Long> largePmds = new HashSet<>();
    /** 2 MiB indexes whose PMD entry points to a PTE page. */
    private final Set<Long> ptePages = new HashSet<>();
    private final List<Long> memblockPages = new ArrayList<>();

    /**
     * @param pgtBufStart physical address of the brk page-table buffer (inside the image)
     * @param kernelEnd   __pa_symbol(_end)
     */
    InitMemoryMapping(Memblock memblock, long pgtBufStart, long kernelEnd) {
        this.memblock = memblock;
        this.pgtBufStart = pgtBufStart;
        this.pgtBufTop = pgtBufStart + INIT_PGT_BUF_PAGES * PAGE_SIZE;
        this.kernelEnd = kernelEnd;
    }

    /** Addresses of the page-table pages taken from memblock, in allocation order. */
    List<Long> memblockPages() {
        return List.copyOf(memblockPages);
    }

    /** Models init_mem_mapping(): the ISA range, then [1 MiB, end) top-down or bottom-up. */
    void initMemMapping(long end) {
        initMemoryMapping(0, ISA_END_ADDRESS);
        if (memblock.bottomUp()) {
            memoryMapBottomUp(kernelEnd, end);
            memoryMapBottomUp(ISA_END_ADDRESS, kernelEnd);
        } else {
            memoryMapTopDown(ISA_END_ADDRESS, end);
        }
    }

    /** Models memory_map_top_down(): start with the top-most free 2 MiB, grow the step x256 as RAM gets mapped. */
    private void memoryMapTopDown(long mapStart, long mapEnd) {
        long addr = memblock.tryAlloc(PMD_SIZE, PMD_SIZE, mapStart, mapEnd);
        long realEnd;
        if (addr < 0) {
            realEnd = Math.max(mapStart, Memblock.alignDown(mapEnd, PMD_SIZE));
        } else {
            memblock.free(addr, PMD_SIZE);
            realEnd = addr + PMD_SIZE;
        }
        long step = PMD_SIZE;
        maxPfnMapped = 0;
        minPfnMapped = realEnd >>> PAGE_SHIFT;
        long lastStart = realEnd;
        long mapped = 0;
        while (lastStart > mapStart) {
            long start;
            if (lastStart > step) {
                start = Math.max(Memblock.alignDown(lastStart - 1, step), mapStart);
            } else {
                start = mapStart;
            }
            mapped += initRangeMemoryMapping(start, lastStart);
            lastStart = start;
            minPfnMapped = lastStart >>> PAGE_SHIFT;
            if (mapped >= step) {
                step = newStepSize(step);
            }
        }
        if (realEnd < mapEnd) {
            initRangeMemoryMapping(realEnd, mapEnd);
        }
    }

    /** Models memory_map_bottom_up(). */
    private void memoryMapBottomUp(long mapStart, long mapEnd) {
        long step = PMD_SIZE;
        long start = mapStart;
        long mapped = 0;
        minPfnMapped = start >>> PAGE_SHIFT;
        while (start < mapEnd) {
            long next;
            if (step != 0 && mapEnd - start > step) {
                next = Math.min(Memblock.alignUp(start + 1, step), mapEnd);
            } else {
                next = mapEnd;
            }
            mapped += initRangeMemoryMapping(start, next);
            start = next;
            if (mapped >= step) {
                step = newStepSize(step);
            }
        }
    }

    /** get_new_step_size(): step << (PMD_SHIFT - PAGE_SHIFT - 1). */
    private static long newStepSize(long step) {
        return step << 8;
    }

    /** Models init_range_memory_mapping(): maps the RAM parts of [rStart, rEnd); brk only if the part misses the buffer. */
    private long initRangeMemoryMapping(long rStart, long rEnd) {
        long mapped = 0;
        for (long[] m : memblock.memory()) {
            long s = Math.min(Math.max(m[0], rStart), rEnd);
            long e = Math.min(Math.max(m[1], rStart), rEnd);
            if (s >= e) {
                continue;
            }
            long pgtBufEnd = pgtBufStart + brkUsed * PAGE_SIZE;
            canUseBrkPgt = Math.max(s, pgtBufEnd) >= Math.min(e, pgtBufTop);
            initMemoryMapping(s, e);
            mapped += e - s;
            canUseBrkPgt = true;
        }
        return mapped;
    }

    /** Models init_memory_mapping(): split_mem_range() then kernel_physical_mapping_init() per range. */
    private void initMemoryMapping(long start, long end) {
        for (long[] mr : splitMemRange(start, end)) {
            kernelPhysicalMappingInit(mr[0], mr[1], mr[2] != 0);
        }
        maxPfnMapped = Math.max(maxPfnMapped, end >>> PAGE_SHIFT);
    }

    /**
     * Models split_mem_range() + adjust_range_page_size_mask() without 1 GiB pages: a 4 KiB
     * head up to 2 MiB alignment, 2 MiB pages, a 4 KiB tail; a 4 KiB part is promoted to 2 MiB
     * when its whole 2 MiB is memblock memory. Returns {start, end, large2M}.
     */
    private List<long[]> splitMemRange(long start, long end) {
        List<long[]> out = new ArrayList<>();
        long limit = Memblock.alignDown(end, PAGE_SIZE);
        long pos = Memblock.alignDown(start, PAGE_SIZE);
        long headEnd = Math.min(Memblock.alignUp(pos, PMD_SIZE), limit);
        if (pos < headEnd) {
            out.add(new long[] {pos, headEnd, 0});
            pos = headEnd;
        }
        long bigStart = Memblock.alignUp(pos, PMD_SIZE);
        long bigEnd = Memblock.alignDown(limit, PMD_SIZE);
        if (bigStart < bigEnd) {
            out.add(new long[] {bigStart, bigEnd, 1});
            pos = bigEnd;
        }
        if (pos < limit) {
            out.add(new long[] {pos, limit, 0});
        }
        for (long[] mr : out) {
            if (mr[2] == 0) {
                long s = Memblock.alignDown(mr[0], PMD_SIZE);
                long e = Memblock.alignUp(mr[1], PMD_SIZE);
                if (memblock.isRegionMemory(s, e - s)) {
                    mr[2] = 1;
                }
            }
        }
        return out;
    }

    /**
     * Models the page-table walk of __kernel_physical_mapping_init() / phys_pud_init() /
     * phys_pmd_init(): a missing PUD page (per PGD entry), PMD page (per GiB) or PTE page (per
     * 2 MiB mapped with 4 KiB pages) is allocated, an existing one reused; a large PMD is split
     * (a new PTE page) only when 4 KiB pages are asked for.
     */
    private void kernelPhysicalMappingInit(long start, long end, boolean large2M) {
        for (long gib = start / PUD_SIZE; gib * PUD_SIZE < end; gib++) {
            long pgd = (gib * PUD_SIZE) >>> PGDIR_SHIFT;
            if (pudPages.add(pgd)) {
                allocLowPage();
            }
            if (pmdPages.add(gib)) {
                allocLowPage();
            }
            long s = Math.max(start, gib * PUD_SIZE);
            long e = Math.min(end, (gib + 1) * PUD_SIZE);
            for (long pmd = s / PMD_SIZE; pmd * PMD_SIZE < e; pmd++) {
                if (ptePages.contains(pmd)) {
                    continue;
                }
                if (large2M) {
                    largePmds.add(pmd);
                    continue;
                }
                largePmds.remove(pmd);
                ptePages.add(pmd);
                allocLowPage();
            }
        }
    }

    /** Models alloc_low_pages(1) before the buddy allocator: the brk buffer, else memblock in the mapped range. */
    private void allocLowPage() {
        if (brkUsed + 1 <= INIT_PGT_BUF_PAGES && canUseBrkPgt) {
            brkUsed++;
            return;
        }
        long at = -1;
        if (minPfnMapped < maxPfnMapped) {
            at = memblock.tryAlloc(PAGE_SIZE, PAGE_SIZE, minPfnMapped << PAGE_SHIFT,
                    maxPfnMapped << PAGE_SHIFT);
        }
        if (at < 0) {
            // Linux would extend_brk() here, which BUGs once reserve_brk() has run.
            throw new IllegalStateException("alloc_low_pages: can not alloc memory");
        }
        memblockPages.add(at);
    }
}
