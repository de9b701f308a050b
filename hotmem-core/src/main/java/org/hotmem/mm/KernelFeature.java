package org.hotmem.mm;

/**
 * A behaviour that differs between the imitated kernels, named for what it is rather than for
 * the version that has it. Each {@link KernelProfile} lists the features its kernel has; code
 * asks {@link KernelVersion#has} instead of comparing versions, so a third kernel is one new
 * profile. Each constant says what the kernels without it do instead.
 */
public enum KernelFeature {
    // ------------------------------------------------------------------ memory hotplug
    /** memhp_default_state / auto_online_blocks defaults to "online" (Debian 6.12's MHP_DEFAULT_ONLINE_TYPE); else "offline". */
    AUTO_ONLINE_BY_DEFAULT,
    /**
     * memory_hotplug.memmap_on_memory is an enum parameter taking "force" (and a value); else a
     * bool module parameter that may be given without one.
     */
    MEMMAP_ON_MEMORY_FORCE,
    /** memmap_on_memory applies to every block of a multi-block add_memory(); else only to a one-block request. */
    MEMMAP_ON_MEMORY_PER_BLOCK,
    /**
     * memory_block_online() sends MEM_PREPARE_ONLINE before it initialises a memmap on memory and
     * MEM_FINISH_OFFLINE after memory_block_offline() (or a failed online) tore it down, and
     * add_memory() takes MHP_OFFLINE_INACCESSIBLE (~6.8 to ~6.18); else neither exists.
     */
    MEM_PREPARE_ONLINE,
    /** /sys/devices/system/memory/crash_hotplug exists. */
    CRASH_HOTPLUG_ATTR,
    /** offline_pages() clears the node's N_MEMORY before rebuilding the zonelists; else after. */
    NODE_STATES_CLEARED_BEFORE_ZONELISTS,
    /** virtio-mem registers a PM notifier that refuses hibernation. */
    VIRTIO_MEM_REFUSES_HIBERNATION,

    // ------------------------------------------------------------------ NUMA and zonelists
    /** build_zonelists() takes the local node first only when it has memory. */
    ZONELIST_LOCAL_NODE_NEEDS_MEMORY,
    /** The "SRAT: PXM p -> APIC a -> Node n" lines are printed (not pr_debug). */
    SRAT_APIC_LINES,
    /** numa_cleanup_meminfo() clips the node ranges from the first memblock memory, not from 0. */
    NUMA_MEMINFO_FROM_FIRST_MEMORY,
    /** An offline possible node gets its pgdat silently (6.1 prints "Initializing node N as memoryless" first). */
    OFFLINE_NODE_DATA_QUIET,
    /** The "Built N zonelists ... Total pages:" figure is the present pages; else nr_free_zone_pages() at boot. */
    ZONELIST_TOTAL_IS_PRESENT_PAGES,

    // ------------------------------------------------------------------ boot
    /** "Memory:" is printed after deferred struct-page init, after "Freeing SMP alternatives"; else before it. */
    MEMORY_LINE_AFTER_DEFERRED_INIT,
    /** struct pcpu_chunk is 128 bytes (base_addr cache-line aligned since 6.5); else 136. */
    PCPU_CHUNK_ALIGNED,
    /** Boot splits eight 2 MiB direct-map pages (else ten) setting the image's permissions. */
    FEWER_BOOT_DIRECT_MAP_SPLITS,

    // ------------------------------------------------------------------ procfs and sysfs formats
    /** CONFIG_UNACCEPTED_MEMORY: nr_unaccepted in zoneinfo/vmstat and "Unaccepted:" in meminfo. */
    UNACCEPTED_MEMORY_COUNTERS,
    /** pgdemote_* are node stats (with nr_iommu_pages), not vm events; the 6.8+ vm events list. */
    NODE_STAT_PGDEMOTE,
    /** /proc/zoneinfo prints the "promo" watermark. */
    ZONEINFO_PROMO_WATERMARK,
    /** /proc/vmstat prints nr_memmap_pages and nr_memmap_boot_pages. */
    VMSTAT_MEMMAP_PAGES,
    /** The node meminfo's FileHugePages/FilePmdMapped labels have the full 16-column width (6.1's are one short). */
    NODE_MEMINFO_FILE_THP_ALIGNED,
    /** /sys/kernel/mm/hugepages/hugepages-N/memory_failure/ exists. */
    HUGETLB_MEMORY_FAILURE_STATS,
    /** Every LRU page counts as active (multi-gen LRU); else new pages are inactive. */
    MGLRU_ACTIVE,
    /** ZONE_MOVABLE is treated like highmem for watermarks and is left out of min_free_kbytes' zone count. */
    MOVABLE_WATERMARKS_LIKE_HIGHMEM,
    /**
     * dump_page()'s folio format: no "(____ptrval____)", the page_type line, PG_reserved at bit
     * 13 of page->flags; else 6.1's format with PG_reserved at bit 12.
     */
    DUMP_PAGE_FOLIO_FORMAT,

    // ------------------------------------------------------------------ hibernation
    /** hibernate.compressor= (lzo, lz4) and the LZ4 image flag. */
    HIBERNATE_COMPRESSOR_CHOICE,
    /** The image marks zero pages in the PFN map instead of copying them ("N zero pages"). */
    HIBERNATE_ZERO_PAGES,
    /** "Using N thread(s) for ALG compression" names the algorithm; "Image saving done" is not printed. */
    HIBERNATE_NAMED_COMPRESSOR_LINES,
    /** /sys/power/disk ends with the newline in place of the last space (6.1 keeps the space). */
    POWER_DISK_TRIMMED,
    /** test_resume can open the swap device it swaps to (6.1: "Image not found (code -16)"). */
    HIBERNATE_TEST_RESUME,
    /** The freezer's task dump names the tgid. */
    FREEZER_DUMP_TGID,
}
