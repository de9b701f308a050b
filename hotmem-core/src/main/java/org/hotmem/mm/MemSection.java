package org.hotmem.mm;

import java.util.Arrays;

/**
 * One SPARSEMEM section (struct mem_section): PAGES_PER_SECTION pages of its machine's
 * {@link Arch} (on x86-64 128 MiB, 32768 pages, 64 pageblocks).
 *
 * <p>The memmap ({@link Memmap}: per page an info word, an owner word and a content token, see
 * {@link PageState}) exists from when the section is added (sparse_add_section / sparse_init)
 * until it is removed; it holds per-page words only for pageblocks whose pages differ (16 bytes
 * per 4 KiB page there), and two longs for a pageblock of memory that holds nothing.
 * Pageblock metadata (migratetype, zone) is one byte each per pageblock.
 *
 * <p>Guarded by: memmap contents and pageblock bytes by the zone lock of the page's zone
 * (or mem_hotplug_lock held for write while the section is not online); the section flags by
 * mem_hotplug_lock (write).
 */
public final class MemSection {
    final Arch arch;
    final int nr;
    /** The memmap; null while the section has none. */
    Memmap memmap;
    final byte[] pbMigrate;
    final byte[] pbZone;
    /** SECTION_MARKED_PRESENT / SECTION_HAS_MEM_MAP / SECTION_IS_ONLINE / SECTION_IS_EARLY. */
    boolean present;
    boolean online;
    final boolean early;
    /** memmap_on_memory: the memmap of this section lives in its own first pages. */
    boolean altmap;

    MemSection(Arch arch, int nr, boolean early) {
        this.arch = arch;
        this.nr = nr;
        this.pbMigrate = new byte[arch.pageblocksPerSection()];
        this.pbZone = new byte[arch.pageblocksPerSection()];
        this.early = early;
        Arrays.fill(pbZone, (byte) -1);
    }

    /** Allocates (and poisons) the memmap, as section_activate() does. */
    void activate() {
        memmap = new Memmap(arch.pagesPerSection(), arch.pageblockOrder());
        present = true;
    }

    /**
     * Bytes hotmem holds for this section's memmap (see {@link Memmap}; without the
     * per-pageblock bytes), or 0 when it has none. Not what the guest is charged for its
     * struct pages: that is {@link SparseVmemmap}'s.
     */
    public long memmapBytes() {
        return memmap == null ? 0 : memmap.bytes();
    }

    /** Pageblocks whose pages hold per-page words (see {@link Memmap}). */
    public int materialisedPageblocks() {
        return memmap == null ? 0 : memmap.materialisedPageblocks();
    }

    public boolean hasMemmap() {
        return memmap != null;
    }

    public boolean isOnline() {
        return online;
    }

    public boolean isEarly() {
        return early;
    }

    public int nr() {
        return nr;
    }

    /** PAGES_PER_SECTION. */
    public int nrPages() {
        return arch.pagesPerSection();
    }

    public long startPfn() {
        return (long) nr << arch.pfnSectionShift();
    }
}
