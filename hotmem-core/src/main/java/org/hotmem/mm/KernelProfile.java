package org.hotmem.mm;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One imitated kernel build: its identity (uname, banner), the behaviours that differ between
 * the builds ({@link KernelFeature}s) and its boot-time memory reservations. A third kernel is
 * one new profile in {@link #of}; no code compares versions.
 *
 * <p>The reservations are the one table from which the managed page counts follow. Sizes come from the recorded boot logs (the
 * "Memory: ... (N kernel code, N rwdata, N rodata, N init, N bss ...)" line, "Freeing ..."
 * lines, "percpu: Embedded N pages/cpu", "NODE_DATA(0) allocated [mem ...]", "RAMDISK:",
 * "software IO TLB: mapped ... (64MB)"); placement follows memblock's rules
 * (see {@link BootMemory}). Nothing here is a per-zone result.
 *
 * <pre>
 * item                              6.12            6.1             rule / placement
 * --------------------------------- --------------- --------------- ---------------------------------------------
 * first 1 MiB                       1 MiB           1 MiB           x86 reserves [0, 1 MiB) (real mode, BIOS)
 * kernel text (_stext.._etext)      16384K          14343K(+1K)     at 16 MiB (nokaslr), resident
 * text/rodata gap                   0K              2040K           to 2 MiB alignment of rodata; freed at mark_rodata_ro
 * rodata                            11716K          9132K           resident
 * rodata/data gap                   572K            1108K           to 2 MiB alignment of data; freed at mark_rodata_ro
 * rwdata (_sdata.._edata)           2499K(page up)  2338K(page up)  resident
 * tables after _edata (ORC unwind,  4744K           4148K           resident; not in the Memory: line. FITTED: sized
 *   BUG table, vvar, brk incl. the                                    so DMA32 managed comes out as recorded at 4G
 *   16-page page-table buffer)                                        (ORC/BUG sizes are not in the boot log)
 * init (__init_begin..__init_end)   4264K           2824K           freed by free_initmem ("initmem")
 * .smp_locks                        40K             36K             freed by alternative_instructions (UP)
 * bss                               4904K           17344K          resident, except the unused part of the
 *   of which unused .bss..decrypted 2028K           2036K           PMD-aligned decrypted region (freed)
 * initrd                            2536K           2604K           the recorder's initramfs, at the top of low RAM (QEMU); freed after unpack
 * direct-map page tables            derived         derived         {@link InitMemoryMapping}: init_mem_mapping() with
 *                                                                   the 16-page brk buffer; memblock pages only for
 *                                                                   ranges overlapping the image (0 at <= 2G, 1 at
 *                                                                   3G, 3 with RAM above 4G; 0 under movable_node)
 * NODE_DATA(0)                      0x2a980 B, 64   0x2b000 B, 4K   top-down in the node
 * mem_section roots                 32 KiB          32 KiB          4096 roots x 8 B: struct mem_section is 32 B with
 *                                                                   CONFIG_PAGE_EXTENSION, so 128 sections per root
 *                                                                   (NR_MEM_SECTIONS 2^19 / 128); 64 B aligned
 * mem_section root page             4 KiB, 64 B     4 KiB, 64 B     one per 128 sections in use
 * section usage maps                56 B/section    56 B/section    rcu_head + subsection map + 64 pageblocks x 4 bits,
 *                                                                   one block goal-directed into NODE_DATA's section
 * boot memmap (vmemmap)             64 B/page       64 B/page       2 MiB per present section, one buffer, 2 MiB
 *                                                                   aligned, top-down above 16 MiB
 * vmemmap page tables               2 pages         2 pages         PUD + PMD page for the vmemmap range
 * setup_arch tail                   derived         derived         HPET and IOAPIC resources (64 B + name), a struct
 *                                                                   resource per e820_table entry, a 104 B
 *                                                                   firmware_map_entry per firmware entry, a 32 B
 *                                                                   nosave_region per RAM hole (counts from the map)
 * unidentified early allocations    192 B           0               FITTED: 6.12 only, allocated with the setup_arch
 *                                                                   tail; 3 cache lines that make every 6.12 recording
 *                                                                   (1G .. 8G) come out exact; not found in the sources
 * command line copies               2 x (len + 1)   2 x (len + 1)   setup_command_line(), len of the recorded cmdline
 * percpu first chunk                66 pages        62 pages        sN rN dN from the log; 2 MiB unit, 2 MiB aligned,
 *                                                                   tail freed; alloc info + areas pages (freed);
 *                                                                   group/unit arrays, 23 chunk lists, two first
 *                                                                   chunks (136/144 B + bitmaps + 32 B per page)
 * boot cpumasks                     1 x 8 B         4 x 8 B         setup_cpu_local_masks() (CPUMASK_OFFSTACK)
 * dentry hash                       8 B x pow2(kernel pages / 2)    top-down, 64 B aligned
 * inode hash                        8 B x pow2(kernel pages / 4)    top-down, 64 B aligned
 * cpu_entry_area page tables        3 pages         3 pages         trap_init(): PUD, PMD, PTE page (spp_getpage)
 * swiotlb buffer                    64 MiB          64 MiB          memblock_alloc_low: top-down below 4 GiB
 * swiotlb slot array + area         24 B x 32768    24 B x 32768    page aligned; one 16 B io_tlb_area
 * </pre>
 */
public record KernelProfile(
        KernelVersion version,
        long textBytes, long textGapBytes, long rodataBytes, long rodataGapBytes, long dataBytes,
        long tablesBytes, long initBytes, long smpLocksBytes, long bssBytes, long bssDecryptedUnusedBytes,
        long initrdBytes, long nodeDataBytes, long nodeDataAlign,
        /** the static percpu area ("percpu: Embedded ... sN"). */
        long percpuStaticBytes,
        /** sizeof(struct mem_section_usage) + usemap_size(): rcu_head, subsection map, 64 pageblocks x 4 bits. */
        long sectionUsageBytes,
        /** cpumasks setup_cpu_local_masks() allocates from memblock. */
        int bootCpumasks,
        /** FITTED: early memblock bytes not identified in the sources (see the table). */
        long unidentifiedSetupArchBytes,
        /** ftrace: allocated N pages (runtime GFP_KERNEL allocation). */
        int ftracePages,
        /** The "kernel code" and "rwdata" figures of the "Memory:" line, in KiB (as recorded). */
        long codeK, long rwdataK,
        /** The behaviours of this build that another may lack. */
        Set<KernelFeature> features,
        /** uname -r, uname -v, and the "Linux version" banner. */
        String release, String unameVersion, String banner,
        /** enum vm_event_item: the /proc/vmstat event names, in order. */
        List<String> vmEvents) {

    static final long K = 1024;

    private static final KernelProfile DEBIAN_6_12 = new KernelProfile(KernelVersion.V6_12,
            16384 * K, 0, 11716 * K, 572 * K, 2500 * K,
            4744 * K, 4264 * K, 40 * K, 4904 * K, 2028 * K,
            2536 * K, 0x2a980, 64,
            233472, 56, 1, 192, 180, 16384, 2499,
            EnumSet.of(KernelFeature.AUTO_ONLINE_BY_DEFAULT, KernelFeature.MEMMAP_ON_MEMORY_FORCE,
                    KernelFeature.MEMMAP_ON_MEMORY_PER_BLOCK, KernelFeature.CRASH_HOTPLUG_ATTR,
                    KernelFeature.NODE_STATES_CLEARED_BEFORE_ZONELISTS, KernelFeature.VIRTIO_MEM_REFUSES_HIBERNATION,
                    KernelFeature.ZONELIST_LOCAL_NODE_NEEDS_MEMORY, KernelFeature.NUMA_MEMINFO_FROM_FIRST_MEMORY,
                    KernelFeature.OFFLINE_NODE_DATA_QUIET, KernelFeature.ZONELIST_TOTAL_IS_PRESENT_PAGES,
                    KernelFeature.MEMORY_LINE_AFTER_DEFERRED_INIT, KernelFeature.PCPU_CHUNK_ALIGNED,
                    KernelFeature.FEWER_BOOT_DIRECT_MAP_SPLITS, KernelFeature.UNACCEPTED_MEMORY_COUNTERS,
                    KernelFeature.NODE_STAT_PGDEMOTE, KernelFeature.ZONEINFO_PROMO_WATERMARK,
                    KernelFeature.VMSTAT_MEMMAP_PAGES, KernelFeature.NODE_MEMINFO_FILE_THP_ALIGNED,
                    KernelFeature.HUGETLB_MEMORY_FAILURE_STATS, KernelFeature.MGLRU_ACTIVE,
                    KernelFeature.MOVABLE_WATERMARKS_LIKE_HIGHMEM, KernelFeature.DUMP_PAGE_FOLIO_FORMAT,
                    KernelFeature.HIBERNATE_COMPRESSOR_CHOICE, KernelFeature.HIBERNATE_ZERO_PAGES,
                    KernelFeature.HIBERNATE_NAMED_COMPRESSOR_LINES, KernelFeature.POWER_DISK_TRIMMED,
                    KernelFeature.HIBERNATE_TEST_RESUME, KernelFeature.FREEZER_DUMP_TGID),
            "6.12.117+deb12-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-11-14)",
            "Linux version 6.12.117+deb12-amd64 (debian-kernel@lists.debian.org) (x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) "
                    + "12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-11-14)",
            VmstatItems.EVENTS_6_12);

    private static final KernelProfile DEBIAN_6_1 = new KernelProfile(KernelVersion.V6_1,
            14344 * K, 2040 * K, 9132 * K, 1108 * K, 2340 * K,
            4148 * K, 2824 * K, 36 * K, 17344 * K, 2036 * K,
            2604 * K, 0x2b000, 4096,
            217088, 56, 4, 0, 159, 14343, 2338,
            EnumSet.of(KernelFeature.SRAT_APIC_LINES),
            "6.1.0-56-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
            "Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, "
                    + "GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
            VmstatItems.EVENTS_6_1);

    /** FITTED, see {@link #DEBIAN_6_1_PPC64LE}: 278 pages of 64 KiB. */
    private static final long PPC64LE_FITTED_EARLY_BYTES = 278 * 64 * K;

    /**
     * Debian 12's ppc64el 6.1 kernel (linux-image-6.1.0-57-powerpc64le, 6.1.192-3) on QEMU's
     * pseries, from the recorded boot line "Memory: 0K/2097152K available (14208K kernel code,
     * 2304K rwdata, 18560K rodata, 4992K init, 1394K bss, 67328K reserved, ...)", NODE_DATA
     * [mem 0x7ffa2b00-0x7ffa7fff] and the recorder's 2004 KiB initramfs. The image starts at
     * physical 0 with no alignment gaps. What grows with memory is modelled in BootMemory
     * (the radix linear map's page-table pages, the memmap in 2 MiB vmemmap blocks, the dentry and
     * inode hashes). FITTED: the early allocations of prom_init, the RTAS and device-tree copies
     * and the pacas, which do not grow with memory and are not in the boot log; one item
     * (reserved with the image, in {@code tablesBytes}) stands for them, sized on the recorded
     * 2 GiB guest (managed=31825); the recorded 1 GiB and 4 GiB guests (ppc-boot-size-*) then
     * come out as recorded. The "Memory:" line shows one page more reserved than recorded at
     * every size, and the recording's "0K" available is not modelled.
     */
    private static final KernelProfile DEBIAN_6_1_PPC64LE = new KernelProfile(KernelVersion.V6_1,
            14208 * K, 0, 18560 * K, 0, 2304 * K,
            PPC64LE_FITTED_EARLY_BYTES, 4992 * K, 0, 1394 * K, 0,
            2004 * K, 0x5500, 256,
            0, 56, 0, 0, 0, 14208, 2304,
            EnumSet.noneOf(KernelFeature.class),
            "6.1.0-57-powerpc64le", "#1 SMP Debian 6.1.192-3 (2026-11-26)",
            "Linux version 6.1.0-57-powerpc64le (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, "
                    + "GNU ld (GNU Binutils for Debian) 2.40) #1 SMP Debian 6.1.192-3 (2026-11-26)",
            VmstatItems.EVENTS_6_1);

    public KernelProfile {
        features = Collections.unmodifiableSet(features.isEmpty() ? EnumSet.noneOf(KernelFeature.class) : EnumSet.copyOf(features));
        vmEvents = List.copyOf(vmEvents);
    }

    /** The profile of a kernel version. */
    public static KernelProfile of(KernelVersion v) {
        return switch (v) {
            case V6_12 -> DEBIAN_6_12;
            case V6_1 -> DEBIAN_6_1;
        };
    }

    /**
     * The profile of kernel {@code v} built for {@code arch}: the x86-64 builds above, or
     * Debian's ppc64el 6.1 for a device-tree (pseries) geometry.
     *
     * @throws IllegalArgumentException for a pseries kernel other than 6.1 (none was recorded)
     */
    public static KernelProfile of(KernelVersion v, Arch arch) {
        if (arch.bootMap() == Arch.BootMap.E820) {
            return of(v);
        }
        if (v != KernelVersion.V6_1) {
            throw new IllegalArgumentException("no ppc64le " + v.text() + " kernel is modelled (the pseries recordings are of 6.1)");
        }
        return DEBIAN_6_1_PPC64LE;
    }

    /** Whether this kernel has {@code f}. */
    public boolean has(KernelFeature f) {
        return features.contains(f);
    }

    /** Bytes of the image that memblock reserves at _text (through the end of bss + brk in use). */
    public long imageReserveBytes() {
        return textBytes + textGapBytes + rodataBytes + rodataGapBytes + dataBytes + tablesBytes
                + initBytes + smpLocksBytes + bssBytes;
    }

    /** PERCPU_MODULE_RESERVE: the reserved part of the first percpu chunk. */
    static final long PERCPU_RESERVED_BYTES = 8192;
    /** PERCPU_DYNAMIC_RESERVE as the 2 MiB unit leaves it: the dynamic part of the first chunk. */
    static final long PERCPU_DYNAMIC_BYTES = 28672;

    /** Pages of the embedded first percpu chunk ("percpu: Embedded N pages/cpu"). */
    public int percpuPages() {
        return (int) ((percpuStaticBytes + PERCPU_RESERVED_BYTES + PERCPU_DYNAMIC_BYTES) >>> 12);
    }

}
