package org.hotmem.scenario;

/**
 * A task that allocates and frees memory over virtual time.
 *
 * <p>From {@code start} to {@code stop} it allocates chunks (sizes drawn from {@code chunk}) at
 * {@code rate} bytes per second while its resident size is below {@code size}; each chunk lives
 * for a time drawn from {@code lifetime} (null: until the workload stops) and is then freed, so a
 * finite lifetime gives churn. A fraction {@code pinned} of the chunks is pinned long-term
 * (FOLL_LONGTERM, as RDMA or vfio do) until freed or until an {@code unpin} action.
 *
 * @param kind what the memory is, in GFP terms: see {@link Kind}
 */
public record WorkloadSpec(String name, Kind kind, long start, long stop, long size, Distribution chunk,
                           long rate, Distribution lifetime, double pinned, int node, int line) {

    /** The kinds of memory a workload allocates. */
    public enum Kind {
        /** Anonymous user memory (GFP_HIGHUSER_MOVABLE): movable, may live in ZONE_MOVABLE. */
        ANON("anon"),
        /** Page cache (GFP_HIGHUSER_MOVABLE, file-backed): movable and reclaimable. */
        PAGECACHE("pagecache"),
        /** Unmovable kernel memory (GFP_KERNEL): slab, page tables; never in ZONE_MOVABLE. */
        KERNEL("kernel"),
        /** Long-term pinned buffers (pin_user_pages(FOLL_LONGTERM)): never in ZONE_MOVABLE. */
        PINNED("pinned");

        public final String word;

        Kind(String word) { this.word = word; }

        static Kind of(String word) {
            for (Kind k : values()) if (k.word.equals(word)) return k;
            return null;
        }
    }

    /** Sentinel for "no stop time". */
    public static final long NEVER = Long.MAX_VALUE;
}
