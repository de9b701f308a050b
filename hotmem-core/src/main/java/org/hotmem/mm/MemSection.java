package org.hotmem.mm;

import java.util.Arrays;

/**
 * One SPARSEMEM section (struct mem_section): 128 MiB, 32768 pages, 64 pageblocks.
 *
 * <p>The memmap is three primitive arrays, allocated when the section is added
 * (sparse_add_section / sparse_init) and dropped when it is removed: a 64-bit content token,
 * an owner word and an info word (see {@link PageState}) = 16 bytes per 4 KiB page.
 * Pageblock metadata (migratetype, zone) is one byte each per pageblock.
 *
 * <p>Guarded by: memmap contents and pageblock bytes by the zone lock of the page's zone
 * (or mem_hotplug_lock held for write while the section is not online); the section flags by
 * mem_hotplug_lock (write).
 */
public final class MemSection {
    public static final int PAGES = 32768;
    public static final int PFN_SHIFT = 15;
    public static final int PAGEBLOCKS = 64;

    final int nr;
    long[] token;
    int[] owner;
    int[] info;
    final byte[] pbMigrate = new byte[PAGEBLOCKS];
    final byte[] pbZone = new byte[PAGEBLOCKS];
    /** SECTION_MARKED_PRESENT / SECTION_HAS_MEM_MAP / SECTION_IS_ONLINE / SECTION_IS_EARLY. */
    boolean present;
    boolean online;
    final boolean early;
    /** memmap_on_memory: the memmap of this section lives in its own first pages. */
    boolean altmap;

    MemSection(int nr, boolean early) {
        this.nr = nr;
        this.early = early;
        Arrays.fill(pbZone, (byte) -1);
    }

    /** Allocates (and poisons) the memmap, as section_activate() does. */
    void activate() {
        token = new long[PAGES];
        owner = new int[PAGES];
        info = new int[PAGES];
        present = true;
    }

    /**
     * Bytes of per-page metadata this section holds (its packed memmap arrays, without the
     * per-pageblock bytes), or 0 when it has no memmap.
     */
    public long memmapBytes() {
        if (info == null) {
            return 0;
        }
        return (long) token.length * Long.BYTES + (long) owner.length * Integer.BYTES + (long) info.length * Integer.BYTES;
    }

    public boolean hasMemmap() {
        return info != null;
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

    public long startPfn() {
        return (long) nr << PFN_SHIFT;
    }
}
