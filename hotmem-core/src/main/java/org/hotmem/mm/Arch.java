package org.hotmem.mm;

import java.util.EnumSet;
import java.util.Set;

/**
 * The memory geometry of one architecture and kernel configuration: what Linux fixes at build
 * time (PAGE_SHIFT, SECTION_SIZE_BITS, MAX_PHYSMEM_BITS, the buddy's largest order, the zones
 * configured) or early in boot (pageblock_order, the memory block size), and where the boot
 * memory map comes from. Each {@link MemoryModel} carries one; nothing in the model takes
 * geometry from a static constant. Immutable.
 *
 * <p>The derived quantities are those of include/linux/mmzone.h: PAGES_PER_SECTION =
 * 2^(SECTION_SIZE_BITS - PAGE_SHIFT), pageblock_nr_pages = 2^pageblock_order, a memory block
 * (drivers/base/memory.c) spans {@link #sectionsPerBlock()} sections.
 *
 * @param name            a short name for messages and tests
 * @param pageShift       PAGE_SHIFT
 * @param sectionSizeBits SECTION_SIZE_BITS
 * @param maxPhysmemBits  MAX_PHYSMEM_BITS: bounds the section numbers (NR_MEM_SECTIONS)
 * @param blockSizeBytes  memory_block_size_bytes(): the sysfs memory block size
 * @param pageblockOrder  pageblock_order
 * @param maxOrder        the largest buddy order (MAX_PAGE_ORDER; 6.1's MAX_ORDER - 1)
 * @param zones           the zones the kernel is configured with, in zone_type order
 * @param bootMap         where the boot memory map comes from
 * @param blockSizeLogPrefix what precedes the size in the boot line naming the memory block
 *                        size ("x86/mm: Memory block size: 128MB"), or null when the
 *                        architecture prints none
 */
public record Arch(String name, int pageShift, int sectionSizeBits, int maxPhysmemBits, long blockSizeBytes,
                   int pageblockOrder, int maxOrder, Set<ZoneType> zones, BootMap bootMap, String blockSizeLogPrefix) {

    /** Where the boot kernel learns which physical memory exists. */
    public enum BootMap {
        /** The BIOS e820 table (x86): printed, then trimmed below 1 MiB. */
        E820,
        /** The flattened device tree's memory nodes (powerpc, arm64): memblock takes them as they are. */
        DEVICE_TREE
    }

    /**
     * x86-64 as Debian builds it, on QEMU's {@code pc}: 4 KiB pages, 128 MiB sections
     * (SECTION_SIZE_BITS 27), 46-bit physical addresses, 128 MiB memory blocks
     * (MIN_MEMORY_BLOCK_SIZE, as on every recorded guest), 2 MiB pageblocks, orders 0..10, zones DMA,
     * DMA32, Normal, Movable and Device.
     */
    public static final Arch X86_64 = new Arch("x86_64", 12, 27, 46, 128L << 20, 9, 10,
            EnumSet.allOf(ZoneType.class), BootMap.E820, "x86/mm: Memory block size: ");

    /**
     * ppc64le pseries with 64 KiB pages under the radix MMU, as Debian's 6.1 powerpc64le
     * kernel runs on QEMU's {@code pseries}: SECTION_SIZE_BITS 24 (16 MiB sections,
     * arch/powerpc/include/asm/sparsemem.h), MAX_PHYSMEM_BITS 51, memory blocks of the LMB size
     * (256 MiB, "ibm,lmb-size"; block_size_bytes reads 10000000), pageblock_order 5 (the 2 MiB
     * default huge page of radix: HUGETLB_PAGE_SIZE_VARIABLE), orders 0..8
     * (ARCH_FORCE_MAX_ORDER 9 for PPC_64K_PAGES), zones Normal and Movable only (no
     * ZONE_DMA, ZONE_DMA32 or ZONE_DEVICE: the recorded boot prints only "Normal" in
     * "Zone ranges:"), memory from the device tree. The pseries machine (DLPAR, CMM) runs on it: see
     * {@code org.hotmem.hv.MachineType#PSERIES}.
     */
    public static final Arch PPC64_PSERIES_64K = new Arch("ppc64le-pseries-64k", 16, 24, 51, 256L << 20, 5, 8,
            EnumSet.of(ZoneType.NORMAL, ZoneType.MOVABLE), BootMap.DEVICE_TREE, null);

    public Arch {
        zones = java.util.Collections.unmodifiableSet(EnumSet.copyOf(zones));
        if (sectionSizeBits <= pageShift || pageblockOrder + pageShift > sectionSizeBits
                || maxOrder + pageShift > sectionSizeBits || blockSizeBytes % (1L << sectionSizeBits) != 0
                || Long.bitCount(blockSizeBytes) != 1) {
            throw new IllegalArgumentException("inconsistent geometry " + name);
        }
    }

    /** PAGE_SIZE. */
    public long pageSize() {
        return 1L << pageShift;
    }

    /** 1 << MAX_PHYSMEM_BITS: the end of the addressable physical range. */
    public long maxPhysAddr() {
        return 1L << maxPhysmemBits;
    }

    /** PAGES_PER_SECTION. */
    public int pagesPerSection() {
        return 1 << (sectionSizeBits - pageShift);
    }

    /** PFN_SECTION_SHIFT: pfn to section number. */
    public int pfnSectionShift() {
        return sectionSizeBits - pageShift;
    }

    /** The bytes of one section. */
    public long sectionSize() {
        return 1L << sectionSizeBits;
    }

    /** NR_MEM_SECTIONS. */
    public long nrMemSections() {
        return 1L << (maxPhysmemBits - sectionSizeBits);
    }

    /** pageblock_nr_pages. */
    public int pageblockPages() {
        return 1 << pageblockOrder;
    }

    /** Pageblocks in one section. */
    public int pageblocksPerSection() {
        return pagesPerSection() >>> pageblockOrder;
    }

    /** NR_PAGE_ORDERS: orders 0..{@link #maxOrder()}. */
    public int nrOrders() {
        return maxOrder + 1;
    }

    /** sections_per_block. */
    public int sectionsPerBlock() {
        return (int) (blockSizeBytes >>> sectionSizeBits);
    }

    /** Pages in one memory block. */
    public long pagesPerBlock() {
        return blockSizeBytes >>> pageShift;
    }

    /** KiB in one page (the unit of /proc/meminfo and the "Memory:" line). */
    public long pageKb() {
        return pageSize() >>> 10;
    }

    /** Whether the kernel is configured with zone {@code t}. */
    public boolean hasZone(ZoneType t) {
        return zones.contains(t);
    }
}
