package org.hotmem.mm;

/**
 * Encoding of the per-page {@code info} word of a section's memmap (the part of
 * struct page's flags, refcount and type hotmem needs), packed into one int:
 * bits 0-3 kind, bit 4 pinned (an extra, long-term reference), bit 5 PG_hwpoison,
 * bits 6-31 the page's slot in its owner's mapping.
 *
 * <p>The companion {@code owner} int holds the owner id of a movable page, the buddy order
 * of a free chunk head, or the {@code KERNEL_*} subtype of a kernel page.
 */
public final class PageState {
    private PageState() {
    }

    /** Memmap allocated but uninitialised ("poisoned"): the page is offline. */
    public static final int POISONED = 0;
    /** PageReserved: memblock / bootmem allocations, holes. Unmovable in every zone. */
    public static final int RESERVED = 1;
    /** PageBuddy: head of a free chunk; owner word = order. */
    public static final int BUDDY = 2;
    /** A page inside a free chunk (refcount 0, not the head). */
    public static final int FREE_TAIL = 3;
    /** An unmovable kernel allocation (slab, page table); owner word = subtype. */
    public static final int KERNEL = 4;
    /** An LRU page (anonymous or page cache) of an owner; owner word = owner id. */
    public static final int LRU = 5;
    /** PageOffline: logically offline, owned by a driver (balloon, virtio-mem). */
    public static final int OFFLINE = 6;
    /** memmap_on_memory: this page holds the block's own memmap (PageVmemmapSelfHosted). */
    public static final int VMEMMAP = 7;
    /** Tail page of a multi-page kernel allocation (compound order > 0). */
    public static final int KERNEL_TAIL = 8;
    /** A page of device memory (memmap_init_zone_device()); owner word = the page refcount. */
    public static final int ZONE_DEVICE = 9;

    public static final int KIND_MASK = 0xf;
    public static final int PINNED = 1 << 4;
    public static final int HWPOISON = 1 << 5;
    public static final int SLOT_SHIFT = 6;
    /** Largest slot index an owner can have (2^26 - 1 pages = 256 GiB per owner). */
    public static final int MAX_SLOT = (1 << 26) - 1;

    /** Kernel-page subtypes (page_type in a dump). */
    public static final int KERNEL_PAGE_TABLE = 1;
    public static final int KERNEL_SLAB = 2;
    public static final int KERNEL_OTHER = 3;

    public static int kind(int info) {
        return info & KIND_MASK;
    }

    public static int slot(int info) {
        return info >>> SLOT_SHIFT;
    }

    public static int make(int kind, int slot) {
        return kind | (slot << SLOT_SHIFT);
    }
}
