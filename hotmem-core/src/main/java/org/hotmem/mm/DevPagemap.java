package org.hotmem.mm;

import java.util.List;

import org.hotmem.kernel.Completion;
import org.hotmem.kernel.PercpuRef;

/**
 * struct dev_pagemap (include/linux/memremap.h): the device memory a driver maps with
 * memremap_pages(): its type, its physical ranges, whether its memmap lives on the device
 * (altmap, first range only), the owner and the ops a type requires, and the reference count
 * that keeps it mapped.
 *
 * <p>Invariants: ranges are [start, end) in bytes, sorted and disjoint; {@code ref} and
 * {@code done} exist from memremap_pages() until memunmap_pages() returned; {@code done}
 * completes when the last reference is dropped after the kill. Model: the compound-page
 * {@code vmemmap_shift} and the pgprot are not modelled.
 *
 * <p>Guarded by: the configuration fields are written by the driver before memremap_pages()
 * and read-only afterwards; {@code ref}, {@code done} and {@code zone} are written by
 * memremap_pages()/memunmap_pages() (the driver serialises them per pgmap).
 */
public final class DevPagemap {
    public final MemoryType type;
    public final List<long[]> ranges;
    /** PGMAP_ALTMAP_VALID: the first range's memmap is allocated from its own first pages. */
    public final boolean altmap;
    /** pgmap->owner (PRIVATE/COHERENT: the driver's identity), or null. */
    public final String owner;
    /** ops->migrate_to_ram is set. */
    public final boolean migrateToRam;
    /** ops->page_free (6.12: folio_free) is set. */
    public final boolean pageFree;
    PercpuRef ref;
    Completion done;
    /** The ZONE_DEVICE zone its ranges joined (of the node memremap_pages() was given). */
    Zone zone;

    public DevPagemap(MemoryType type, List<long[]> ranges, boolean altmap, String owner, boolean migrateToRam, boolean pageFree) {
        this.type = type;
        this.ranges = List.copyOf(ranges);
        this.altmap = altmap;
        this.owner = owner;
        this.migrateToRam = migrateToRam;
        this.pageFree = pageFree;
    }

    /** A pgmap with the ops and owner its type needs, without altmap. */
    public static DevPagemap of(MemoryType type, long start, long size) {
        return new DevPagemap(type, List.of(new long[] {start, start + size}), false, type.driverOwned() ? "test" : null, true, true);
    }

    /** The reference count (null before memremap_pages() and after memunmap_pages()). */
    public PercpuRef ref() {
        return ref;
    }

    /** pgmap->done: completed by the release callback of the ref. */
    public Completion done() {
        return done;
    }

    public Zone zone() {
        return zone;
    }
}
