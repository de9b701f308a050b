package org.hotmem.mm;

import org.hotmem.kernel.Kernel;

/**
 * The page tables of a user process as the page allocator sees them: pgd_alloc() in fork's
 * mm_init(), the PUD/PMD/PTE tables its first faults allocate (__pud_alloc(), __pmd_alloc(),
 * __pte_alloc()), and free_pgtables() + pgd_free() when it exits. They are GFP_PGTABLE_USER
 * (GFP_KERNEL | __GFP_ACCOUNT | __GFP_ZERO): unmovable, from the zonelist of the moment on
 * the CPU's node. So once a hot-added block brings the highest zone (a small VM's first
 * ZONE_NORMAL), every command's page tables come from the pageblock the first unmovable
 * allocation stole there (__rmqueue_fallback() takes the largest free chunk, the lowest pfn
 * of the block onlined first), and the shell that writes {@code offline} to that block's state
 * holds pages in it: offline_pages() finds them unmovable and fails with EBUSY.
 *
 * <p>The shape is a static busybox process (the guest's {@code sh -c}): its image and heap
 * below 4 GiB and its stack and vDSO at the top of user space, two PGD entries each with one
 * PUD, one PMD and one PTE table, so 1 + 2 x 3 order-0 pages (4-level paging).
 * // model: no process grows further tables; one shape for every process.
 *
 * <p>Stateless; each {@link #copyMm()} owns the pages it returns the release of. Runs in the
 * new process's task.
 */
final class UserPageTables implements Kernel.ProcessMemory {
    /** PGD + (PUD + PMD + PTE) for each of the two regions. */
    static final int PAGES = 1 + 2 * 3;

    private final MemoryModel mm;

    UserPageTables(MemoryModel mm) {
        this.mm = mm;
    }

    /**
     * Allocates the tables; returns their release. An allocation that fails goes through the
     * OOM path ({@link OomKiller#outOfMemory}) and retries while it says so; a table the allocator still cannot give is left
     * out (// model: Linux's fork would fail with ENOMEM and the shell print "can't fork").
     */
    @Override
    public Runnable copyMm() {
        long[] tables = new long[PAGES];
        for (int i = 0; i < PAGES; i++) {
            tables[i] = mm.allocKernelPages(Gfp.KERNEL, 0, PageState.KERNEL_PAGE_TABLE, mm.cpuNode, false);
            while (tables[i] < 0 && mm.oom().outOfMemory() == OomKiller.Outcome.RETRY) {
                tables[i] = mm.allocKernelPages(Gfp.KERNEL, 0, PageState.KERNEL_PAGE_TABLE, mm.cpuNode, false);
            }
        }
        return () -> {
            for (int i = PAGES - 1; i >= 0; i--) {
                if (tables[i] >= 0) {
                    mm.freePages(tables[i]);
                }
            }
        };
    }
}
