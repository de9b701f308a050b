package org.hotmem.mm;

/**
 * The zone reserves of mm/page_alloc.c and mm/khugepaged.c: min_free_kbytes, the per-zone
 * min/low/high(/promo) watermarks, lowmem_reserve[] (the "protection" of /proc/zoneinfo),
 * totalreserve_pages, and the per-cpu pageset sizes and vmstat thresholds derived from
 * managed pages. All follow from the zones' managed (and free) page counts.
 *
 * <p>Invariants: after {@link #initPerZoneWmarkMin()}, for every zone min <= low <= high
 * (<= promo), and {@code totalreservePages} = sum over zones of min(managed, high + max
 * lowmem_reserve). Guarded by mem_hotplug_lock (write) for the recomputation done on memory
 * online/offline, as in Linux; readers (procfs) read locklessly.
 */
final class Watermarks {
    /** sysctl_lowmem_reserve_ratio[] for DMA, DMA32, Normal, Movable (Device: none). */
    private static final int[] LOWMEM_RESERVE_RATIO = {256, 256, 32, 0, 0};
    /** watermark_scale_factor default. */
    private static final int WATERMARK_SCALE_FACTOR = 10;
    private static final long SWAP_CLUSTER_MAX = 32;
    private static final int MIGRATE_PCPTYPES = 3;
    /** Online CPUs of the modelled guest (QEMU -smp 1). */
    static final int NR_CPUS = 1;

    private final MemoryModel mm;
    /** min_free_kbytes. */
    long minFreeKbytes;
    /** totalreserve_pages. */
    long totalreservePages;

    Watermarks(MemoryModel mm) {
        this.mm = mm;
    }

    /**
     * Models init_per_zone_wmark_min() (boot and every memory online/offline):
     * calculate_min_free_kbytes(), setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
     * then khugepaged_min_free_kbytes_update() (THP is enabled in Debian's kernels, so
     * khugepaged raises min_free_kbytes to its recommendation and recomputes the watermarks).
     */
    void initPerZoneWmarkMin() {
        calculateMinFreeKbytes();
        setupPerZoneWmarks();
        setupPerZoneLowmemReserve();
        setRecommendedMinFreeKbytes();
    }

    /**
     * Models nr_free_zone_pages(gfp_zone(GFP_USER)) = nr_free_buffer_pages(): managed minus
     * the high watermark of every zone up to ZONE_NORMAL.
     */
    long nrFreeBufferPages() {
        long sum = 0;
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                if (z.type.isKernelZone()) {
                    sum += Math.max(0, z.managedPages - z.wmarkHigh);
                }
            }
        }
        return sum;
    }

    /** Models calculate_min_free_kbytes(): int_sqrt(lowmem_kbytes * 16) clamped to [128, 262144]. */
    private void calculateMinFreeKbytes() {
        long lowmemKbytes = nrFreeBufferPages() * (mm.arch.pageSize() >> 10);
        minFreeKbytes = Math.clamp(intSqrt(lowmemKbytes * 16), 128, 262144);
    }

    /**
     * Models set_recommended_min_free_kbytes() in mm/khugepaged.c: two pageblocks per
     * populated zone plus MIGRATE_PCPTYPES^2 pageblocks per zone for fragmentation avoidance,
     * at most 5% of lowmem; raises min_free_kbytes and recomputes the watermarks if larger.
     * 6.12 does not count ZONE_MOVABLE (it holds no unmovable allocations).
     */
    private void setRecommendedMinFreeKbytes() {
        int nrZones = 0;
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                if (!z.populated() || z.type == ZoneType.DEVICE) {
                    continue;
                }
                if (mm.version.has(KernelFeature.MOVABLE_WATERMARKS_LIKE_HIGHMEM) && !z.type.isKernelZone()) {
                    continue;
                }
                nrZones++;
            }
        }
        long recommended = (long) mm.arch.pageblockPages() * nrZones * 2;
        recommended += (long) mm.arch.pageblockPages() * nrZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
        recommended = Math.min(recommended, nrFreeBufferPages() / 20);
        recommended <<= mm.arch.pageShift() - 10;
        if (recommended > minFreeKbytes) {
            minFreeKbytes = recommended;
        }
        setupPerZoneWmarks();
    }

    /** ZONE_MOVABLE is treated like highmem for watermarks since 6.x (6.12 yes, 6.1 no). */
    private boolean highmemLike(Zone z) {
        return mm.version.has(KernelFeature.MOVABLE_WATERMARKS_LIKE_HIGHMEM) && z.type == ZoneType.MOVABLE;
    }

    /**
     * Models __setup_per_zone_wmarks(): min_free_kbytes split over the lowmem zones by
     * managed pages; highmem-like zones get managed/1024 clamped to [32, 128]; low, high
     * and promo are spaced by max(min/4, managed * watermark_scale_factor / 10000).
     * Ends with calculate_totalreserve_pages().
     */
    private void setupPerZoneWmarks() {
        long pagesMin = minFreeKbytes >> (mm.arch.pageShift() - 10);
        long lowmemPages = 0;
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                if (!highmemLike(z)) {
                    lowmemPages += z.managedPages;
                }
            }
        }
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                long tmp = lowmemPages == 0 ? 0 : pagesMin * z.managedPages / lowmemPages;
                if (highmemLike(z)) {
                    z.wmarkMin = Math.clamp(z.managedPages / 1024, SWAP_CLUSTER_MAX, 128);
                } else {
                    z.wmarkMin = tmp;
                }
                long step = Math.max(tmp >> 2, multFrac(z.managedPages, WATERMARK_SCALE_FACTOR, 10000));
                z.wmarkLow = z.wmarkMin + step;
                z.wmarkHigh = z.wmarkLow + step;
                z.wmarkPromo = z.wmarkHigh + step;
            }
        }
        calculateTotalreservePages();
    }

    /**
     * Models setup_per_zone_lowmem_reserve(): zone i keeps back, against allocations that
     * could use zone j > i, the managed pages of zones i+1..j divided by its ratio (0 when
     * the ratio is 0 or the zone manages nothing). Ends with calculate_totalreserve_pages().
     */
    private void setupPerZoneLowmemReserve() {
        int nr = ZoneType.values().length;
        for (Node n : mm.nodes) {
            for (int i = 0; i < nr - 1; i++) {
                Zone z = n.zones[i];
                int ratio = LOWMEM_RESERVE_RATIO[i];
                boolean clear = ratio == 0 || z.managedPages == 0;
                long upper = 0;
                for (int j = i + 1; j < nr; j++) {
                    upper += n.zones[j].managedPages;
                    z.lowmemReserve[j] = clear ? 0 : upper / ratio;
                }
            }
        }
        calculateTotalreservePages();
    }

    /** Models calculate_totalreserve_pages(): per zone min(managed, high + max lowmem_reserve). */
    private void calculateTotalreservePages() {
        long total = 0;
        for (Node n : mm.nodes) {
            for (int i = 0; i < n.zones.length; i++) {
                Zone z = n.zones[i];
                long max = 0;
                for (int j = i; j < z.lowmemReserve.length; j++) {
                    max = Math.max(max, z.lowmemReserve[j]);
                }
                max += z.wmarkHigh;
                total += Math.min(max, z.managedPages);
            }
        }
        totalreservePages = total;
    }

    /** Models zone_batchsize() as zone_set_pageset_high_and_batch() uses it (at least 1). */
    static long pcpBatch(Zone z) {
        Arch arch = z.node.arch;
        long batch = Math.min(z.managedPages >> 10, (1L << 20) / arch.pageSize());
        batch /= 4;
        if (batch < 1) {
            batch = 1;
        }
        batch = Long.highestOneBit(batch + batch / 2) - 1;
        return Math.max(1, batch);
    }

    /**
     * Models zone_highsize() with percpu_pagelist_high_fraction 0: the low watermark shared
     * by the CPUs of the node, at least 4 batches. 6.1's pcp->high; 6.12's pcp->high_min,
     * the value pcp->high decays to.
     */
    static long pcpHigh(Zone z) {
        long high = z.wmarkLow / NR_CPUS;
        return Math.max(high, pcpBatch(z) << 2);
    }

    /** Models calculate_normal_threshold(): 2 * fls(cpus) * (1 + fls(managed / 128 MiB)), at most 125. */
    static int statThreshold(Zone z) {
        long mem = z.managedPages >> (27 - z.node.arch.pageShift());
        int threshold = 2 * fls(NR_CPUS) * (1 + fls(mem));
        return Math.min(125, threshold);
    }

    private static int fls(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }

    /** mult_frac(x, n, d) without overflow of x * n. */
    private static long multFrac(long x, long n, long d) {
        return (x / d) * n + ((x % d) * n) / d;
    }

    /** int_sqrt(): the floor of the square root. */
    static long intSqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return r;
    }
}
