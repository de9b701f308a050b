package org.hotmem.mm;

import java.util.List;

/**
 * The item names of include/linux/vmstat.h / mm/vmstat.c's vmstat_text, per kernel version,
 * in the order /proc/vmstat, /proc/zoneinfo and nodeN/vmstat print them: zone stats
 * (enum zone_stat_item), NUMA events (enum numa_stat_item), node stats (enum
 * node_stat_item), the writeback thresholds, the memmap counters (6.12) and the VM events
 * (enum vm_event_item) of Debian's configuration (no CMA, no page owner, THP and NUMA on).
 * Immutable.
 */
final class VmstatItems {
    private VmstatItems() {
    }

    /** enum zone_stat_item. */
    static List<String> zoneStats(KernelVersion v) {
        List<String> common = List.of("nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon",
                "nr_zone_inactive_file", "nr_zone_active_file", "nr_zone_unevictable", "nr_zone_write_pending",
                "nr_mlock", "nr_bounce", "nr_zspages", "nr_free_cma");
        return v.has(KernelFeature.UNACCEPTED_MEMORY_COUNTERS) ? concat(common, List.of("nr_unaccepted")) : common;
    }

    /** enum numa_stat_item. */
    static final List<String> NUMA_EVENTS = List.of("numa_hit", "numa_miss", "numa_foreign", "numa_interleave",
            "numa_local", "numa_other");

    /** enum node_stat_item. */
    static List<String> nodeStats(KernelVersion v) {
        List<String> common = List.of("nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file",
                "nr_unevictable", "nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon",
                "nr_isolated_file", "workingset_nodes", "workingset_refault_anon", "workingset_refault_file",
                "workingset_activate_anon", "workingset_activate_file", "workingset_restore_anon",
                "workingset_restore_file", "workingset_nodereclaim", "nr_anon_pages", "nr_mapped", "nr_file_pages",
                "nr_dirty", "nr_writeback", "nr_writeback_temp", "nr_shmem", "nr_shmem_hugepages",
                "nr_shmem_pmdmapped", "nr_file_hugepages", "nr_file_pmdmapped", "nr_anon_transparent_hugepages",
                "nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied", "nr_written", "nr_throttled_written",
                "nr_kernel_misc_reclaimable", "nr_foll_pin_acquired", "nr_foll_pin_released", "nr_kernel_stack",
                "nr_page_table_pages", "nr_sec_page_table_pages");
        if (v.has(KernelFeature.NODE_STAT_PGDEMOTE)) {
            return concat(common, List.of("nr_iommu_pages", "nr_swapcached", "pgpromote_success",
                    "pgpromote_candidate", "pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged"));
        }
        return concat(common, List.of("nr_swapcached", "pgpromote_success", "pgpromote_candidate"));
    }

    /** Node items counted in huge pages but printed in base pages (vmstat_item_print_in_thp). */
    static boolean printInThp(String item) {
        return item.equals("nr_shmem_hugepages") || item.equals("nr_shmem_pmdmapped")
                || item.equals("nr_file_hugepages") || item.equals("nr_file_pmdmapped")
                || item.equals("nr_anon_transparent_hugepages");
    }

    /** enum vm_event_item. */
    static List<String> vmEvents(KernelVersion v) {
        return v.profile().vmEvents();
    }

    static final List<String> EVENTS_6_12 = List.of(
        "pgpgin", "pgpgout", "pswpin", "pswpout", "pgalloc_dma", "pgalloc_dma32", "pgalloc_normal",
        "pgalloc_movable", "pgalloc_device", "allocstall_dma", "allocstall_dma32",
        "allocstall_normal", "allocstall_movable", "allocstall_device", "pgskip_dma",
        "pgskip_dma32", "pgskip_normal", "pgskip_movable", "pgskip_device", "pgfree", "pgactivate",
        "pgdeactivate", "pglazyfree", "pgfault", "pgmajfault", "pglazyfreed", "pgrefill", "pgreuse",
        "pgsteal_kswapd", "pgsteal_direct", "pgsteal_khugepaged", "pgscan_kswapd", "pgscan_direct",
        "pgscan_khugepaged", "pgscan_direct_throttle", "pgscan_anon", "pgscan_file", "pgsteal_anon",
        "pgsteal_file", "zone_reclaim_success", "zone_reclaim_failed", "pginodesteal",
        "slabs_scanned", "kswapd_inodesteal", "kswapd_low_wmark_hit_quickly",
        "kswapd_high_wmark_hit_quickly", "pageoutrun", "pgrotated", "drop_pagecache", "drop_slab",
        "oom_kill", "numa_pte_updates", "numa_huge_pte_updates", "numa_hint_faults",
        "numa_hint_faults_local", "numa_pages_migrated", "pgmigrate_success", "pgmigrate_fail",
        "thp_migration_success", "thp_migration_fail", "thp_migration_split",
        "compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_stall",
        "compact_fail", "compact_success", "compact_daemon_wake", "compact_daemon_migrate_scanned",
        "compact_daemon_free_scanned", "htlb_buddy_alloc_success", "htlb_buddy_alloc_fail",
        "unevictable_pgs_culled", "unevictable_pgs_scanned", "unevictable_pgs_rescued",
        "unevictable_pgs_mlocked", "unevictable_pgs_munlocked", "unevictable_pgs_cleared",
        "unevictable_pgs_stranded", "thp_fault_alloc", "thp_fault_fallback",
        "thp_fault_fallback_charge", "thp_collapse_alloc", "thp_collapse_alloc_failed",
        "thp_file_alloc", "thp_file_fallback", "thp_file_fallback_charge", "thp_file_mapped",
        "thp_split_page", "thp_split_page_failed", "thp_deferred_split_page",
        "thp_underused_split_page", "thp_split_pmd", "thp_scan_exceed_none_pte",
        "thp_scan_exceed_swap_pte", "thp_scan_exceed_share_pte", "thp_split_pud",
        "thp_zero_page_alloc", "thp_zero_page_alloc_failed", "thp_swpout", "thp_swpout_fallback",
        "balloon_inflate", "balloon_deflate", "balloon_migrate", "swap_ra", "swap_ra_hit",
        "swpin_zero", "swpout_zero", "ksm_swpin_copy", "cow_ksm", "zswpin", "zswpout", "zswpwb",
        "direct_map_level2_splits", "direct_map_level3_splits");

    static final List<String> EVENTS_6_1 = List.of(
        "pgpgin", "pgpgout", "pswpin", "pswpout", "pgalloc_dma", "pgalloc_dma32", "pgalloc_normal",
        "pgalloc_movable", "pgalloc_device", "allocstall_dma", "allocstall_dma32",
        "allocstall_normal", "allocstall_movable", "allocstall_device", "pgskip_dma",
        "pgskip_dma32", "pgskip_normal", "pgskip_movable", "pgskip_device", "pgfree", "pgactivate",
        "pgdeactivate", "pglazyfree", "pgfault", "pgmajfault", "pglazyfreed", "pgrefill", "pgreuse",
        "pgsteal_kswapd", "pgsteal_direct", "pgdemote_kswapd", "pgdemote_direct", "pgscan_kswapd",
        "pgscan_direct", "pgscan_direct_throttle", "pgscan_anon", "pgscan_file", "pgsteal_anon",
        "pgsteal_file", "zone_reclaim_failed", "pginodesteal", "slabs_scanned", "kswapd_inodesteal",
        "kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly", "pageoutrun", "pgrotated",
        "drop_pagecache", "drop_slab", "oom_kill", "numa_pte_updates", "numa_huge_pte_updates",
        "numa_hint_faults", "numa_hint_faults_local", "numa_pages_migrated", "pgmigrate_success",
        "pgmigrate_fail", "thp_migration_success", "thp_migration_fail", "thp_migration_split",
        "compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_stall",
        "compact_fail", "compact_success", "compact_daemon_wake", "compact_daemon_migrate_scanned",
        "compact_daemon_free_scanned", "htlb_buddy_alloc_success", "htlb_buddy_alloc_fail",
        "unevictable_pgs_culled", "unevictable_pgs_scanned", "unevictable_pgs_rescued",
        "unevictable_pgs_mlocked", "unevictable_pgs_munlocked", "unevictable_pgs_cleared",
        "unevictable_pgs_stranded", "thp_fault_alloc", "thp_fault_fallback",
        "thp_fault_fallback_charge", "thp_collapse_alloc", "thp_collapse_alloc_failed",
        "thp_file_alloc", "thp_file_fallback", "thp_file_fallback_charge", "thp_file_mapped",
        "thp_split_page", "thp_split_page_failed", "thp_deferred_split_page", "thp_split_pmd",
        "thp_scan_exceed_none_pte", "thp_scan_exceed_swap_pte", "thp_scan_exceed_share_pte",
        "thp_split_pud", "thp_zero_page_alloc", "thp_zero_page_alloc_failed", "thp_swpout",
        "thp_swpout_fallback", "balloon_inflate", "balloon_deflate", "balloon_migrate", "swap_ra",
        "swap_ra_hit", "ksm_swpin_copy", "cow_ksm", "zswpin", "zswpout", "direct_map_level2_splits",
        "direct_map_level3_splits");

    private static List<String> concat(List<String> a, List<String> b) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
