package org.hotmem.mm;

/**
 * The allocation intents hotmem models, each standing for a GFP mask of Linux.
 * {@link #migratetype()} is gfp_migratetype(); {@link #highestZone()} is gfp_zone().
 */
public enum Gfp {
    /** GFP_KERNEL: slab, page tables, kernel stacks. Unmovable, never from ZONE_MOVABLE. */
    KERNEL(MigrateType.UNMOVABLE, ZoneType.NORMAL),
    /** GFP_KERNEL | __GFP_RECLAIMABLE: slabs of SLAB_RECLAIM_ACCOUNT caches (dentries, inodes). */
    KERNEL_RECLAIMABLE(MigrateType.RECLAIMABLE, ZoneType.NORMAL),
    /** GFP_DMA32 | GFP_KERNEL. */
    KERNEL_DMA32(MigrateType.UNMOVABLE, ZoneType.DMA32),
    /** GFP_DMA | GFP_KERNEL. */
    KERNEL_DMA(MigrateType.UNMOVABLE, ZoneType.DMA),
    /** GFP_HIGHUSER_MOVABLE: anonymous memory of user processes. */
    MOVABLE_ANON(MigrateType.MOVABLE, ZoneType.MOVABLE),
    /** Page cache (mapping_gfp_mask of a regular file): movable. */
    PAGE_CACHE(MigrateType.MOVABLE, ZoneType.MOVABLE),
    /**
     * GFP_USER inside memalloc_pin_save() (__GFP_MOVABLE cleared): the target of
     * check_and_migrate_movable_pages(), which moves pages out of ZONE_MOVABLE and CMA before a
     * FOLL_LONGTERM pin. Kernel zones, unmovable pageblocks.
     */
    LONGTERM_PIN(MigrateType.UNMOVABLE, ZoneType.NORMAL);

    private final MigrateType migratetype;
    private final ZoneType highestZone;

    Gfp(MigrateType migratetype, ZoneType highestZone) {
        this.migratetype = migratetype;
        this.highestZone = highestZone;
    }

    public MigrateType migratetype() {
        return migratetype;
    }

    public ZoneType highestZone() {
        return highestZone;
    }
}
