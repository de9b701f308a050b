package org.hotmem.mm;

/**
 * The counters of one memory model that are events or running totals rather than state one
 * can recount from the memmap: the vm events of mm/vmstat.c that hotmem's allocator drives
 * (pgalloc_*, pgfree, numa_hit/numa_local, pgmigrate_*, balloon_*), and the node counters
 * of kernel allocations kept by their allocator in Linux too (NR_SLAB_UNRECLAIMABLE_B,
 * NR_PAGETABLE, num_poisoned_pages).
 *
 * <p>Invariants: every counter is >= 0; {@code slabPages} and {@code pageTablePages} equal
 * the pages of kernel allocations of those subtypes that are currently allocated. Guarded
 * like the page words: by the zone lock (one task runs at a time in hotmem). Reads from
 * procfs are lockless snapshots, as the kernel's per-cpu counters are.
 */
public final class VmCounters {
    final long[] pgalloc = new long[ZoneType.values().length];
    final long[] numaHit = new long[ZoneType.values().length];
    long pgfree;
    long pgmigrateSuccess;
    long pgmigrateFail;
    long balloonInflate;
    long balloonDeflate;
    long balloonMigrate;
    long slabPages;
    long pageTablePages;
    long hwpoisonedPages;

    VmCounters() {
    }

    /** Models the accounting of rmqueue(): __count_zid_vm_events(PGALLOC, ...) and zone_statistics(). */
    void allocated(Zone z, int order) {
        pgalloc[z.type.ordinal()] += 1L << order;
        numaHit[z.type.ordinal()]++;
    }

    /** Models __count_vm_events(PGFREE, 1 << order) of the page freeing paths. */
    void freed(int order) {
        pgfree += 1L << order;
    }

    /** Counts a kernel allocation of a subtype in or out of its node counter (+1/-1 pages). */
    void kernelPages(int subtype, long pages) {
        if (subtype == PageState.KERNEL_SLAB) {
            slabPages += pages;
        } else if (subtype == PageState.KERNEL_PAGE_TABLE) {
            pageTablePages += pages;
        }
    }

    /** count_vm_event(BALLOON_INFLATE) per page: for balloon drivers. */
    public void balloonInflate(long pages) {
        balloonInflate += pages;
    }

    /** count_vm_event(BALLOON_DEFLATE) per page: for balloon drivers. */
    public void balloonDeflate(long pages) {
        balloonDeflate += pages;
    }

    /** count_vm_event(BALLOON_MIGRATE): a balloon page migrated. */
    public void balloonMigrate(long pages) {
        balloonMigrate += pages;
    }

    /** count_vm_events(PGMIGRATE_FAIL, n): pages migrate_pages() gave up on. */
    public void pgmigrateFail(long pages) {
        pgmigrateFail += pages;
    }

    public long pgfree() {
        return pgfree;
    }

    public long pgalloc(ZoneType t) {
        return pgalloc[t.ordinal()];
    }

    public long pgmigrateSuccess() {
        return pgmigrateSuccess;
    }

    /** PGMIGRATE_FAIL: pages migrate_pages() gave up on (pinned, or no target memory). */
    public long pgmigrateFail() {
        return pgmigrateFail;
    }

    /** num_poisoned_pages(). */
    public long hwpoisonedPages() {
        return hwpoisonedPages;
    }
}
