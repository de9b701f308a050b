package org.hotmem.mm;

/**
 * One consistent reading of the zone, node and event counters of mm/vmstat.c, recounted from
 * the model: free pages from the buddy lists, LRU pages from the owners (by backing and
 * zone), kernel allocations from {@link VmCounters}. Items hotmem does not model read 0.
 *
 * <p>LRU placement: hotmem has no active/inactive lists. 6.12 (Debian enables the
 * multi-gen LRU, whose young generations count as active) reports every LRU page active;
 * 6.1 puts new pages on the inactive lists, and hotmem never activates them.
 * // model: no reclaim, so no activation, refaults, dirty or writeback pages.
 *
 * <p>Immutable once built; built without locks, as the kernel's readers do.
 */
final class VmStatSnapshot {
    private static final int NR_ZONES = ZoneType.values().length;

    private final MemoryModel mm;
    private final long[] anon = new long[NR_ZONES];
    private final long[] file = new long[NR_ZONES];
    private final long anonPages;
    private final long filePages;
    private final long shmemPages;
    private final boolean active;

    VmStatSnapshot(MemoryModel mm) {
        this.mm = mm;
        this.active = mm.version.has(KernelFeature.MGLRU_ACTIVE);
        long a = 0;
        long f = 0;
        long sh = 0;
        for (AddressSpace as : mm.owners()) {
            AddressSpace.Backing b = as.backing();
            for (int s = 0; s < as.size(); s++) {
                long pfn = as.pfn(s);
                if (pfn < 0) {
                    continue;
                }
                int zi = mm.zoneOf(pfn).type.ordinal();
                switch (b) {
                    case ANON -> {
                        anon[zi]++;
                        a++;
                    }
                    case SHMEM -> {
                        anon[zi]++;
                        sh++;
                    }
                    case FILE -> {
                        file[zi]++;
                        f++;
                    }
                }
            }
        }
        anonPages = a;
        filePages = f + sh;
        shmemPages = sh;
    }

    long anonPages() {
        return anonPages;
    }

    /** NR_FILE_PAGES: page cache including shmem. */
    long filePages() {
        return filePages;
    }

    long shmemPages() {
        return shmemPages;
    }

    long activeAnon() {
        return active ? sum(anon) : 0;
    }

    long inactiveAnon() {
        return active ? 0 : sum(anon);
    }

    long activeFile() {
        return active ? sum(file) : 0;
    }

    long inactiveFile() {
        return active ? 0 : sum(file);
    }

    long slabReclaimable() {
        return 0;
    }

    long slabUnreclaimable() {
        return mm.counters.slabPages;
    }

    long pageTables() {
        return mm.counters.pageTablePages;
    }

    /** NR_KERNEL_STACK_KB. // model: task stacks are not allocated from the buddy allocator. */
    long kernelStackKb() {
        return 0;
    }

    /** A zone_stat_item of zone z. */
    long zoneStat(Zone z, String item) {
        int zi = z.type.ordinal();
        return switch (item) {
            case "nr_free_pages" -> z.freePages();
            case "nr_zone_active_anon" -> active ? anon[zi] : 0;
            case "nr_zone_inactive_anon" -> active ? 0 : anon[zi];
            case "nr_zone_active_file" -> active ? file[zi] : 0;
            case "nr_zone_inactive_file" -> active ? 0 : file[zi];
            default -> 0;
        };
    }

    /** A numa_stat_item of zone z: every allocation is local to node 0's CPU. */
    long numaEvent(Zone z, String item) {
        return switch (item) {
            case "numa_hit", "numa_local" -> mm.counters.numaHit[z.type.ordinal()];
            default -> 0;
        };
    }

    /** A node_stat_item of node n (pages, except nr_kernel_stack in KiB). */
    long nodeStat(Node n, String item) {
        if (n.nid != 0) {
            return 0;
        }
        return switch (item) {
            case "nr_inactive_anon" -> inactiveAnon();
            case "nr_active_anon" -> activeAnon();
            case "nr_inactive_file" -> inactiveFile();
            case "nr_active_file" -> activeFile();
            case "nr_slab_reclaimable" -> slabReclaimable();
            case "nr_slab_unreclaimable" -> slabUnreclaimable();
            case "nr_anon_pages" -> anonPages;
            case "nr_file_pages" -> filePages;
            case "nr_shmem" -> shmemPages;
            case "nr_kernel_stack" -> kernelStackKb();
            case "nr_page_table_pages" -> pageTables();
            default -> 0;
        };
    }

    /** A vm_event_item, summed over CPUs. */
    long vmEvent(String item) {
        VmCounters c = mm.counters;
        return switch (item) {
            case "pgalloc_dma" -> c.pgalloc[ZoneType.DMA.ordinal()];
            case "pgalloc_dma32" -> c.pgalloc[ZoneType.DMA32.ordinal()];
            case "pgalloc_normal" -> c.pgalloc[ZoneType.NORMAL.ordinal()];
            case "pgalloc_movable" -> c.pgalloc[ZoneType.MOVABLE.ordinal()];
            case "pgalloc_device" -> c.pgalloc[ZoneType.DEVICE.ordinal()];
            case "pgfree" -> c.pgfree;
            case "pgmigrate_success" -> c.pgmigrateSuccess;
            case "pgmigrate_fail" -> c.pgmigrateFail;
            case "balloon_inflate" -> c.balloonInflate;
            case "balloon_deflate" -> c.balloonDeflate;
            case "balloon_migrate" -> c.balloonMigrate;
            case "direct_map_level2_splits" -> DirectPagesCount.runtimeSplits();
            default -> 0;
        };
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long x : a) {
            s += x;
        }
        return s;
    }
}
