package org.hotmem.mm;

/**
 * The CPU time memory offlining spends on its own work, in virtual nanoseconds, charged to the
 * offlining task with {@link org.hotmem.kernel.Kernel#consume(long)}. Without it a migration
 * would be free and "how long does an unplug take" would have no answer.
 *
 * <p>The defaults describe one CPU of a current x86-64 server running the guest natively or
 * under KVM (not TCG). Checks against what is known:
 * <ul>
 *   <li>migrating 4 KiB costs {@link #isolateNsPerPage} + {@link #migrateNsPerPage} = 1.3 us,
 *       i.e. about 3 GB/s per CPU, the range published for migrate_pages()/move_pages() of base
 *       pages (1-4 GB/s per thread);
 *   <li>offlining an idle 128 MiB block costs isolation + one scan + test_pages_isolated =
 *       3 x 32768 x 4 ns plus {@link #offlineFixedNs}, about 0.5 ms; the recorded guests under
 *       TCG (20-100x slower than native) take 0.02-0.1 s of guest time per such offline,
 *       shell and serial console included.
 * </ul>
 * Immutable; one instance per {@link MemoryModel} (see {@link MemoryModel#setCosts}).
 *
 * @param scanNsPerPage        one struct page looked at by has_unmovable_pages(),
 *                             scan_movable_pages() or test_pages_isolated()
 * @param isolateNsPerPage     isolating an LRU folio for migration and putting it back on failure
 *                             (folio_isolate_lru + putback: lruvec lock, list moves, refcount atomics)
 * @param migrateNsPerPage     migrating one isolated 4 KiB page: allocate the target, unmap (rmap
 *                             walk, PTE clear, batched TLB flush), copy 4 KiB, remap, free the source
 * @param pinnedFailNsPerPage  migrate_pages() giving up on a pinned page: it retries -EAGAIN
 *                             NR_MAX_MIGRATE_PAGES_RETRY (10) times, each an unmap and a remap
 * @param allocFailNs          a migration target allocation that fails (__GFP_RETRY_MAYFAIL:
 *                             direct reclaim and compaction that free nothing)
 * @param passNs               one pass of offline_pages()' inner loop (cond_resched, loop overhead)
 * @param offlineFixedNs       once per offline_pages(): lru_cache_disable() (an expedited RCU grace
 *                             period and lru_add_drain_all() on every CPU), zone_pcp_disable()
 */
public record MmCosts(long scanNsPerPage, long isolateNsPerPage, long migrateNsPerPage, long pinnedFailNsPerPage,
                      long allocFailNs, long passNs, long offlineFixedNs) {

    /**
     * The defaults.
     * // model: scan 4 ns/page: struct pages (64 B) are read sequentially, ~16 GB/s of streaming reads.
     * // model: isolate 100 ns/page: two LRU list operations under the lruvec lock and a few atomics.
     * // model: migrate 1200 ns/page: ~400 ns to copy 4 KiB cache-cold (~10 GB/s memcpy) plus ~800 ns
     * //        to allocate, unmap (rmap walk, PTE clear, batched TLB shootdown) and remap.
     * // model: pinned failure 8 us/page: 10 attempts of unmap + remap (~800 ns each), no copy.
     * // model: failed target allocation 100 us: a direct reclaim + compaction round that frees nothing.
     * // model: 1 us per pass; 100 us per offline_pages() for lru_cache_disable() and zone_pcp_disable().
     */
    public static final MmCosts DEFAULT = new MmCosts(4, 100, 1200, 8000, 100_000, 1000, 100_000);

    /**
     * Debian's ppc64el guest on QEMU pseries under TCG, 64 KiB pages: the pseries recorder's
     * offline of a Movable block holding 4092 balloon pages took 0.53 s of guest time (11.64 ->
     * 12.17 s uptime, 4093 pages migrated), i.e. about 130 us per 64 KiB page; of it
     * // model: 120 us to migrate (16 x the copy of a 4 KiB page, TCG ~40 x slower than native)
     * //        and 10 us to isolate and put back; 100 ns per struct page scanned; 2 ms of fixed
     * //        cost per offline_pages() (lru_cache_disable() under TCG).
     */
    public static final MmCosts PSERIES_TCG = new MmCosts(100, 10_000, 120_000, 800_000, 2_000_000, 20_000, 2_000_000);

    /** Everything free: the model without time costs (for tests that pin schedules, not durations). */
    public static final MmCosts FREE = new MmCosts(0, 0, 0, 0, 0, 0, 0);

    public MmCosts {
        if (scanNsPerPage < 0 || isolateNsPerPage < 0 || migrateNsPerPage < 0 || pinnedFailNsPerPage < 0
                || allocFailNs < 0 || passNs < 0 || offlineFixedNs < 0) {
            throw new IllegalArgumentException("MmCosts: negative cost");
        }
    }

    /** Cost of one struct-page walk over {@code pages} pages. */
    public long scan(long pages) {
        return pages * scanNsPerPage;
    }
}
