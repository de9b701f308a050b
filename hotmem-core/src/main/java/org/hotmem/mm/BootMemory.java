package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Dmesg;

/**
 * The boot of the memory model: what x86 setup_arch(), sparse_init(), free_area_init(),
 * mm_core_init() and the late initcalls do with physical memory, in that order:
 * e820 sanitising, memblock from the usable ranges, the reservations of
 * {@link KernelProfile} placed as memblock places them (top-down; bottom-up during
 * init_mem_mapping under movable_node), zone ranges, the boot memmap, memblock_free_all into
 * the buddy allocator, the kernel's first runtime allocations, and the late frees (initrd,
 * init sections). Runs once, single-threaded, before any task.
 */
final class BootMemory {
    private static final long MB = 1L << 20;
    private static final long MAX_DMA_PFN = 0x1000; // 16 MiB
    private static final long MAX_DMA32_PFN = 0x100000; // 4 GiB
    private static final long KERNEL_PHYS = 16 * MB; // LOAD_PHYSICAL_ADDR, nokaslr
    private static final long SWIOTLB_BYTES = 64 * MB;
    private static final int SWIOTLB_SLOT_BYTES = 24;
    private static final int IO_TLB_SHIFT = 11;
    private static final int IO_TLB_AREA_BYTES = 16;
    /** L1_CACHE_BYTES on x86-64: memblock_alloc()'s usual alignment. */
    private static final long SMP_CACHE_BYTES = 64;
    private static final long RESOURCE_BYTES = 64; // struct resource
    private static final long HPET_RESOURCE_NAME_SIZE = 9;
    private static final long IOAPIC_RESOURCE_NAME_SIZE = 11;
    private static final long FIRMWARE_MAP_ENTRY_BYTES = 104; // 3 words, a list_head, a kobject
    private static final long NOSAVE_REGION_BYTES = 32;
    private static final long PERCPU_RESERVED_BYTES = KernelProfile.PERCPU_RESERVED_BYTES;
    private static final long PERCPU_DYNAMIC_BYTES = KernelProfile.PERCPU_DYNAMIC_BYTES;
    private static final long PCPU_BLOCK_MD_BYTES = 32; // struct pcpu_block_md: 8 ints
    private static final int CEA_PAGE_TABLE_PAGES = 3;
    /** sizeof(struct mem_section) with CONFIG_PAGE_EXTENSION: section_mem_map, usage, page_ext, pad. */
    private static final int MEM_SECTION_BYTES = 32;
    /** SECTIONS_PER_ROOT: one page of struct mem_section. */
    private static final int SECTIONS_PER_ROOT = (int) (MemoryModel.PAGE_SIZE / MEM_SECTION_BYTES);
    /** NR_SECTION_ROOTS: NR_MEM_SECTIONS (2^(MAX_PHYSMEM_BITS 46 - SECTION_SIZE_BITS 27)) / SECTIONS_PER_ROOT. */
    private static final long NR_SECTION_ROOTS = (1L << (46 - 27)) / SECTIONS_PER_ROOT;

    private final MemoryModel mm;
    private final List<E820Entry> e820;
    private final MmBootOptions options;
    /** The firmware's SRAT, parsed by initmem_init(). */
    private final Srat srat;
    private final KernelProfile p;
    private final Dmesg log;
    private final Memblock memblock = new Memblock();
    /** Ranges reserved at boot and freed later: {start, end, kind} (printed by "Freeing ..."). */
    private final List<Object[]> lateFrees = new ArrayList<>();
    private long swiotlbStart;
    /** The usable e820 ranges after the x86 trims, sorted. */
    private List<long[]> usableE820 = List.of();

    BootMemory(MemoryModel mm, List<E820Entry> e820, MmBootOptions options, Srat srat) {
        this.srat = srat;
        this.mm = mm;
        this.e820 = List.copyOf(e820);
        this.options = options;
        this.p = mm.profile;
        this.log = mm.kernel.dmesg();
    }

    void run() {
        List<long[]> usable = sanitizeE820();
        usableE820 = usable;
        long maxPfn = 0;
        for (long[] r : usable) {
            maxPfn = Math.max(maxPfn, r[1] >>> MemoryModel.PAGE_SHIFT);
        }
        mm.maxPfn = maxPfn;
        log.info(String.format("last_pfn = 0x%x max_arch_pfn = 0x400000000", maxPfn));
        for (long[] r : usable) {
            long s = Memblock.alignUp(r[0], MemoryModel.PAGE_SIZE);
            long e = Memblock.alignDown(r[1], MemoryModel.PAGE_SIZE);
            if (s < e) {
                memblock.add(s, e - s);
                mm.bootRam.add(new long[] {s, e});
            }
        }
        long memEnd = maxPfn << MemoryModel.PAGE_SHIFT;
        // x86: always reserve the first 1 MiB (real mode trampoline, BIOS areas).
        memblock.reserve(0, MB);
        reserveKernelImage();
        reserveInitrd();
        // init_mem_mapping(): top-down by default, bottom-up (from the brk buffer) under movable_node.
        memblock.setBottomUp(options.movableNode());
        long imageEnd = Memblock.alignUp(KERNEL_PHYS + p.imageReserveBytes(), MemoryModel.PAGE_SIZE);
        // model: the brk page-table buffer is the image's last INIT_PGT_BUF_SIZE bytes (brk follows bss).
        new DirectMapping(memblock, imageEnd - DirectMapping.INIT_PGT_BUF_PAGES * MemoryModel.PAGE_SIZE, imageEnd)
                .initMemMapping(memEnd);
        memblock.setBottomUp(false); // numa_init() resets the direction
        NumaInit numa = NumaInit.run(srat, memblock.memory(), maxPfn, mm.version, log);
        mm.possibleNodes.or(numa.possible());
        mm.cpuNode = numa.cpuNode();
        long nd = memblock.alloc(p.nodeDataBytes(), p.nodeDataAlign(), 0, memEnd);
        log.info(String.format("NODE_DATA(0) allocated [mem %#010x-%#010x]", nd, nd + p.nodeDataBytes() - 1));
        List<Integer> present = presentSections();
        printZoneRanges(maxPfn);
        sparseInit(present, nd, memEnd);
        setupArchTail(memEnd);
        setupCommandLine(memEnd);
        percpu(memEnd);
        ZoneRanges zr = initZones(maxPfn);
        long kernelPages = nrKernelPages(zr);
        long buildTotal = mm.version.atLeast612() ? mm.totalPresentPages() : zonelistBootTotal(zr);
        mm.buildAllZonelists(buildTotal);
        hashTable("Dentry cache", kernelPages, 13, memEnd);
        hashTable("Inode-cache", kernelPages, 14, memEnd);
        trapInit(memEnd);
        swiotlb(memEnd);
        initMemmap();
        memblockFreeAll();
        runtimeAllocations();
        long smp = lateFreeOf("SMP alternatives");
        if (p.memoryLineAfterDeferredInit()) {
            freeLate("SMP alternatives");
            printMemoryLine();
        } else {
            printMemoryLine();
            freeLate("SMP alternatives");
        }
        assert smp >= 0;
        // init_per_zone_wmark_min() is a core_initcall: before the initrd (rootfs_initcall) and init sections are freed.
        mm.setupPerZoneWmarks();
        log.info(String.format("software IO TLB: mapped [mem %#018x-%#018x] (64MB)", swiotlbStart, swiotlbStart + SWIOTLB_BYTES));
        freeLate("initrd");
        freeLate("unused decrypted");
        freeLate("unused kernel image (initmem)");
        freeLate("unused kernel image (text/rodata gap)");
        freeLate("unused kernel image (rodata/data gap)");
    }

    /** e820__memory_setup + the x86 trims: prints the table, "update ... usable ==> reserved", "remove ... usable". */
    private List<long[]> sanitizeE820() {
        log.info("BIOS-provided physical RAM map:");
        List<long[]> usable = new ArrayList<>();
        for (E820Entry e : e820) {
            log.info(String.format("BIOS-e820: [mem %#018x-%#018x] %s", e.addr(), e.end() - 1, e.type().text()));
            if (e.type() == E820Type.USABLE) {
                usable.add(new long[] {e.addr(), e.end()});
            }
        }
        usable.sort((a, b) -> Long.compare(a[0], b[0]));
        log.info("e820: update [mem 0x00000000-0x00000fff] usable ==> reserved");
        usable = Memblock.subtract(usable, 0, 0x1000);
        log.info("e820: remove [mem 0x000a0000-0x000fffff] usable");
        usable = Memblock.subtract(usable, 0xa0000, 0x100000);
        return usable;
    }

    /** early_reserve_memory(): _text .. __end_of_kernel_reserve (+ brk in use); records the parts freed later. */
    private void reserveKernelImage() {
        long at = KERNEL_PHYS;
        memblock.reserve(at, p.imageReserveBytes());
        at += p.textBytes();
        lateFrees.add(new Object[] {at, at + p.textGapBytes(), "unused kernel image (text/rodata gap)"});
        at += p.textGapBytes() + p.rodataBytes();
        lateFrees.add(new Object[] {at, at + p.rodataGapBytes(), "unused kernel image (rodata/data gap)"});
        at += p.rodataGapBytes() + p.dataBytes() + p.tablesBytes();
        lateFrees.add(new Object[] {at, at + p.initBytes(), "unused kernel image (initmem)"});
        at += p.initBytes();
        lateFrees.add(new Object[] {at, at + p.smpLocksBytes(), "SMP alternatives"});
        at += p.smpLocksBytes();
        long bssEnd = at + p.bssBytes();
        lateFrees.add(new Object[] {bssEnd - p.bssDecryptedUnusedBytes(), bssEnd, "unused decrypted"});
    }

    /** early_reserve_initrd(): QEMU loads the initrd at the top of the low RAM below the ACPI tables. */
    private void reserveInitrd() {
        long size = options.initrdBytes() >= 0 ? options.initrdBytes() : p.initrdBytes();
        if (size == 0) {
            return;
        }
        long top = 0;
        for (E820Entry e : e820) {
            if (e.type() == E820Type.USABLE && e.end() <= (4L << 30)) {
                top = Math.max(top, e.end());
            }
        }
        long start = Memblock.alignDown(top - size, MemoryModel.PAGE_SIZE);
        log.info(String.format("RAMDISK: [mem %#010x-%#010x]", start, top - 1));
        memblock.reserve(start, top - start);
        lateFrees.add(new Object[] {start, top, "initrd"});
    }

    private List<Integer> presentSections() {
        List<Integer> out = new ArrayList<>();
        for (long[] r : memblock.memory()) {
            for (long a = r[0] & -MemoryModel.SECTION_SIZE; a < r[1]; a += MemoryModel.SECTION_SIZE) {
                int nr = (int) (a / MemoryModel.SECTION_SIZE);
                if (!out.contains(nr)) {
                    out.add(nr);
                }
            }
        }
        return out;
    }

    /** The "Zone ranges:", "Early memory node ranges" and "Initmem setup" lines free_area_init() prints. */
    private void printZoneRanges(long maxPfn) {
        long minPfn = memblock.memory().get(0)[0] >>> MemoryModel.PAGE_SHIFT;
        log.info("Zone ranges:");
        log.info(String.format("  %-8s [mem %#018x-%#018x]", "DMA", minPfn << 12, (Math.min(maxPfn, MAX_DMA_PFN) << 12) - 1));
        if (maxPfn > MAX_DMA_PFN) {
            log.info(String.format("  %-8s [mem %#018x-%#018x]", "DMA32", MAX_DMA_PFN << 12, (Math.min(maxPfn, MAX_DMA32_PFN) << 12) - 1));
        } else {
            log.info(String.format("  %-8s empty", "DMA32"));
        }
        if (maxPfn > MAX_DMA32_PFN) {
            log.info(String.format("  %-8s [mem %#018x-%#018x]", "Normal", MAX_DMA32_PFN << 12, (maxPfn << 12) - 1));
        } else {
            log.info(String.format("  %-8s empty", "Normal"));
        }
        log.info(String.format("  %-8s empty", "Device"));
        log.info("Movable zone start for each node");
        log.info("Early memory node ranges");
        List<long[]> mem = memblock.memory();
        for (long[] r : mem) {
            log.info(String.format("  node   0: [mem %#018x-%#018x]", r[0], r[1] - 1));
        }
        log.info(String.format("Initmem setup node 0 [mem %#018x-%#018x]", mem.get(0)[0], mem.get(mem.size() - 1)[1] - 1));
    }

    /** sparse_init(): section roots, usage maps, the vmemmap buffer (64 B per page of each present section) and its page tables. */
    private void sparseInit(List<Integer> present, long nodeData, long memEnd) {
        memblock.alloc(NR_SECTION_ROOTS * 8, SMP_CACHE_BYTES, 0, memEnd); // mem_section: the root pointers
        int roots = 0;
        for (int nr : present) {
            roots = Math.max(roots, nr / SECTIONS_PER_ROOT + 1);
        }
        for (int i = 0; i < roots; i++) {
            memblock.alloc(MemoryModel.PAGE_SIZE, SMP_CACHE_BYTES, 0, memEnd); // SECTIONS_PER_ROOT struct mem_section
        }
        // usage maps: as near NODE_DATA as possible, in its section
        long goal = nodeData & -MemoryModel.SECTION_SIZE;
        memblock.alloc(p.sectionUsageBytes() * present.size(), SMP_CACHE_BYTES, goal, goal + MemoryModel.SECTION_SIZE);
        long sectionMap = MemSection.PAGES * 64L;
        memblock.alloc(sectionMap * present.size(), 2 * MB, 16 * MB, memEnd);
        memblock.alloc(MemoryModel.PAGE_SIZE, MemoryModel.PAGE_SIZE, 16 * MB, memEnd); // vmemmap PUD
        memblock.alloc(MemoryModel.PAGE_SIZE, MemoryModel.PAGE_SIZE, 16 * MB, memEnd); // vmemmap PMD
        for (int nr : present) {
            MemSection s = new MemSection(nr, true);
            s.activate();
            s.online = true;
            mm.sections[nr] = s;
        }
    }

    /**
     * The tail of x86 setup_arch() after paging_init(), for its memblock allocations:
     * acpi_boot_init()'s HPET resource, io_apic_init_mappings()' IOAPIC resources,
     * e820__reserve_resources() (a struct resource per e820_table entry, a firmware_map_entry
     * per kexec-table entry) and e820__register_nosave_regions() (a nosave_region per hole
     * between RAM entries). The counts follow from the e820 map.
     */
    private void setupArchTail(long memEnd) {
        memblock.alloc(RESOURCE_BYTES + HPET_RESOURCE_NAME_SIZE, SMP_CACHE_BYTES, 0, memEnd);
        memblock.alloc(RESOURCE_BYTES + IOAPIC_RESOURCE_NAME_SIZE, SMP_CACHE_BYTES, 0, memEnd); // one IOAPIC
        int firmwareEntries = e820.size();
        // e820_table: the firmware map with "update [mem 0x0-0xfff] usable ==> reserved" splitting the first entry.
        memblock.alloc(RESOURCE_BYTES * (firmwareEntries + 1), SMP_CACHE_BYTES, 0, memEnd);
        for (int i = 0; i < firmwareEntries; i++) {
            memblock.alloc(FIRMWARE_MAP_ENTRY_BYTES, SMP_CACHE_BYTES, 0, memEnd);
        }
        for (int i = 0; i < nosaveRegions(); i++) {
            memblock.alloc(NOSAVE_REGION_BYTES, SMP_CACHE_BYTES, 0, memEnd);
        }
        if (p.unidentifiedSetupArchBytes() > 0) {
            // FITTED (see KernelProfile): early allocations of 6.12 not identified in the sources.
            memblock.alloc(p.unidentifiedSetupArchBytes(), SMP_CACHE_BYTES, 0, memEnd);
        }
    }

    /**
     * e820__register_nosave_regions() (with the subpage fix in 6.1.y and 6.12.y): a region
     * below the first RAM entry and between consecutive RAM entries.
     */
    private int nosaveRegions() {
        int n = 0;
        long lastAddr = 0;
        for (long[] r : usableE820) {
            if (lastAddr < r[0]) {
                n++;
            }
            lastAddr = r[1];
        }
        return n;
    }

    /** setup_command_line(): saved_command_line and static_command_line, strlen + 1 each. */
    private void setupCommandLine(long memEnd) {
        memblock.alloc(options.commandLineLength() + 1, SMP_CACHE_BYTES, 0, memEnd);
        memblock.alloc(options.commandLineLength() + 1, SMP_CACHE_BYTES, 0, memEnd);
    }

    /**
     * setup_per_cpu_areas() with pcpu_embed_first_chunk() for one CPU: the alloc info page and
     * the areas array (both freed at the end), one 2 MiB unit (its tail beyond the static,
     * reserved and dynamic parts given back), pcpu_setup_first_chunk()'s arrays and the two
     * first chunks (reserved, dynamic) with their allocation and boundary bitmaps and block
     * metadata; then x86's setup_cpu_local_masks() (CONFIG_CPUMASK_OFFSTACK).
     */
    private void percpu(long memEnd) {
        long ai = memblock.alloc(MemoryModel.PAGE_SIZE, MemoryModel.PAGE_SIZE, 0, memEnd);
        long areas = memblock.alloc(MemoryModel.PAGE_SIZE, SMP_CACHE_BYTES, 0, memEnd);
        long unit = 2 * MB;
        long base = memblock.alloc(unit, unit, 16 * MB, memEnd);
        long used = p.percpuStaticBytes() + PERCPU_RESERVED_BYTES + PERCPU_DYNAMIC_BYTES;
        memblock.free(base + used, unit - used);
        log.info(String.format("percpu: Embedded %d pages/cpu s%d r%d d%d u%d", used / MemoryModel.PAGE_SIZE,
                p.percpuStaticBytes(), PERCPU_RESERVED_BYTES, PERCPU_DYNAMIC_BYTES, unit));
        memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // group_offsets
        memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // group_sizes
        memblock.alloc(4, SMP_CACHE_BYTES, 0, memEnd); // unit_map
        memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // unit_off
        int slots = (64 - Long.numberOfLeadingZeros(unit)) - 5 + 2 + 4; // __pcpu_size_to_slot(unit) + 4
        memblock.alloc(slots * 16L, SMP_CACHE_BYTES, 0, memEnd); // pcpu_chunk_lists
        pcpuFirstChunk(p.percpuStaticBytes(), PERCPU_RESERVED_BYTES, memEnd);
        pcpuFirstChunk(p.percpuStaticBytes() + PERCPU_RESERVED_BYTES, PERCPU_DYNAMIC_BYTES, memEnd);
        memblock.free(ai, MemoryModel.PAGE_SIZE);
        memblock.free(areas, MemoryModel.PAGE_SIZE);
        for (int i = 0; i < p.bootCpumasks(); i++) {
            memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // cpumask_size() with nr_cpu_ids 1
        }
    }

    /** pcpu_alloc_first_chunk(): the chunk, alloc_map (a bit per 4 B), bound_map, md_blocks (one per page). */
    private void pcpuFirstChunk(long offset, long mapSize, long memEnd) {
        long start = offset % MemoryModel.PAGE_SIZE;
        long region = Memblock.alignUp(start + mapSize, MemoryModel.PAGE_SIZE);
        long bits = region >> 2;
        long pages = region / MemoryModel.PAGE_SIZE;
        // sizeof(struct pcpu_chunk): 128 in 6.12 (base_addr cacheline aligned since 6.5), 136 in 6.1
        long chunkBytes = mm.version.atLeast612() ? 128 : 136;
        memblock.alloc(chunkBytes + 8 * ((pages + 63) / 64), SMP_CACHE_BYTES, 0, memEnd);
        memblock.alloc(8 * ((bits + 63) / 64), SMP_CACHE_BYTES, 0, memEnd);
        memblock.alloc(8 * ((bits + 1 + 63) / 64), SMP_CACHE_BYTES, 0, memEnd);
        memblock.alloc(PCPU_BLOCK_MD_BYTES * pages, SMP_CACHE_BYTES, 0, memEnd);
    }

    /**
     * trap_init() -> setup_cpu_entry_areas(): the cpu_entry_area's PGD slot is empty, so
     * set_pte_vaddr() takes a PUD, a PMD and a PTE page from memblock (spp_getpage()).
     */
    private void trapInit(long memEnd) {
        for (int i = 0; i < CEA_PAGE_TABLE_PAGES; i++) {
            memblock.alloc(MemoryModel.PAGE_SIZE, MemoryModel.PAGE_SIZE, 0, memEnd);
        }
    }

    private record ZoneRanges(long[] start, long[] end) {
    }

    /** free_area_init(): zone spans and present pages from the zone ranges and memblock memory. */
    private ZoneRanges initZones(long maxPfn) {
        long minPfn = memblock.memory().get(0)[0] >>> MemoryModel.PAGE_SHIFT;
        long[] lo = {minPfn, MAX_DMA_PFN, MAX_DMA32_PFN};
        long[] hi = {Math.min(maxPfn, MAX_DMA_PFN), Math.min(maxPfn, MAX_DMA32_PFN), maxPfn};
        Node node = mm.nodes[0];
        for (int zi = 0; zi < 3; zi++) {
            Zone z = node.zones[zi];
            if (hi[zi] <= lo[zi]) {
                continue;
            }
            long present = 0;
            long first = -1;
            long last = -1;
            for (long[] r : memblock.memory()) {
                long s = Math.max(r[0] >>> 12, lo[zi]);
                long e = Math.min(r[1] >>> 12, hi[zi]);
                if (s < e) {
                    present += e - s;
                    first = first < 0 ? s : first;
                    last = e;
                }
            }
            if (present == 0) {
                continue;
            }
            z.startPfn = lo[zi];
            z.spannedPages = hi[zi] - lo[zi];
            z.presentPages = present;
            z.presentEarlyPages = present;
            z.initialized = true;
        }
        node.updateSpan();
        node.presentPages = 0;
        for (Zone z : node.zones) {
            node.presentPages += z.presentPages;
        }
        node.online = true;
        return new ZoneRanges(lo, hi);
    }

    /** nr_kernel_pages as free_area_init_core counts it: present minus the memmap pages of each low zone. */
    private long nrKernelPages(ZoneRanges zr) {
        long sum = 0;
        for (Zone z : mm.nodes[0].zones) {
            if (z.type.isKernelZone() && z.presentPages > 0) {
                sum += z.presentPages - memmapPages(z.presentPages);
            }
        }
        return sum;
    }

    private static long memmapPages(long pages) {
        return (pages * 64 + MemoryModel.PAGE_SIZE - 1) >>> MemoryModel.PAGE_SHIFT;
    }

    /** 6.1 prints nr_free_zone_pages() while managed_pages still holds free_area_init_core's estimate. */
    private long zonelistBootTotal(ZoneRanges zr) {
        long dmaReserve = 0;
        Zone dma = mm.nodes[0].zones[ZoneType.DMA.ordinal()];
        for (long[] r : memblock.freeRanges(0, MAX_DMA_PFN << 12)) {
            dmaReserve += (r[1] - r[0]) >>> 12;
        }
        dmaReserve = dma.presentPages - dmaReserve;
        return nrKernelPages(zr) - dmaReserve;
    }

    /** alloc_large_system_hash(): entries = roundup_pow_of_two(nr_kernel_pages >> (scale - PAGE_SHIFT)), 8 B each. */
    private void hashTable(String name, long kernelPages, int scale, long memEnd) {
        long entries = Long.highestOneBit(Math.max(1, (kernelPages >> (scale - MemoryModel.PAGE_SHIFT)) - 1)) << 1;
        long bytes = entries * 8;
        int order = 63 - Long.numberOfLeadingZeros(bytes >>> MemoryModel.PAGE_SHIFT);
        memblock.alloc(bytes, 64, 0, memEnd);
        log.info(String.format("%s hash table entries: %d (order: %d, %d bytes, linear)", name, entries, order, bytes));
    }

    /** swiotlb_init(): 64 MiB bounce buffer below 4 GiB, top-down, plus its slot array. */
    private void swiotlb(long memEnd) {
        log.info("software IO TLB: area num 1.");
        swiotlbStart = memblock.alloc(SWIOTLB_BYTES, MemoryModel.PAGE_SIZE, 0, Math.min(memEnd, 4L << 30));
        long slots = SWIOTLB_BYTES >>> IO_TLB_SHIFT;
        memblock.alloc(slots * SWIOTLB_SLOT_BYTES, MemoryModel.PAGE_SIZE, 0, memEnd);
        memblock.alloc(IO_TLB_AREA_BYTES, SMP_CACHE_BYTES, 0, memEnd); // one area
    }

    /**
     * memmap_init() + reserve_bootmem_region(): every page of a present section is initialised
     * PageReserved in the zone its pfn falls in (holes included); pageblocks MIGRATE_MOVABLE.
     */
    private void initMemmap() {
        Node node = mm.nodes[0];
        for (MemSection s : mm.presentSections()) {
            long base = s.startPfn();
            for (int pb = 0; pb < MemSection.PAGEBLOCKS; pb++) {
                long pfn = base + ((long) pb << MemoryModel.PAGEBLOCK_ORDER);
                int zi = ZoneType.NORMAL.ordinal();
                for (int i = 0; i < 3; i++) {
                    Zone z = node.zones[i];
                    if (!z.isEmpty() && pfn < z.endPfn()) {
                        zi = i;
                        break;
                    }
                }
                s.pbZone[pb] = (byte) zi;
                s.pbMigrate[pb] = (byte) MigrateType.MOVABLE.ordinal();
            }
            mm.fillPages(base, base + MemSection.PAGES, PageState.RESERVED, 0);
        }
    }

    /** memblock_free_all(): every page-aligned free range goes to the buddy allocator (to the tail, ascending). */
    private void memblockFreeAll() {
        for (long[] r : memblock.freeRanges(0, Long.MAX_VALUE)) {
            long s = (r[0] + MemoryModel.PAGE_SIZE - 1) >>> MemoryModel.PAGE_SHIFT;
            long e = r[1] >>> MemoryModel.PAGE_SHIFT;
            if (s < e) {
                mm.buddy.freePagesCore(s, e);
            }
        }
    }

    /**
     * The kernel's first runtime allocations after the buddy allocator is up, from the boot
     * log: a page-table page first (init's page tables; it lands at the lowest free pfn of
     * the highest kernel zone), slab, ftrace's pages, the network hash tables, the atomic DMA
     * pools, and the page cache / anonymous memory of the initramfs and init.
     */
    private void runtimeAllocations() {
        mm.allocPages(Gfp.KERNEL, 0, PageState.KERNEL_PAGE_TABLE);
        for (int i = 0; i < 64; i++) {
            mm.allocPages(Gfp.KERNEL, 0, PageState.KERNEL_SLAB);
        }
        for (int i = 0; i < p.ftracePages(); i++) {
            mm.allocPages(Gfp.KERNEL, 0, PageState.KERNEL_OTHER);
        }
        int[] hashOrders = {4, 4, 2, 7, 3, 6, 6, 8, 5, 4, 4}; // mount, mountpoint, futex, IP idents, tcp_listen, perturb, established, bind, MPTCP, UDP, UDP-Lite
        for (int o : hashOrders) {
            mm.allocPages(Gfp.KERNEL, o, PageState.KERNEL_OTHER);
        }
        mm.allocPages(Gfp.KERNEL, 7, PageState.KERNEL_OTHER); // atomic pool GFP_KERNEL
        mm.allocPages(Gfp.KERNEL_DMA, 7, PageState.KERNEL_OTHER); // atomic pool GFP_DMA
        mm.allocPages(Gfp.KERNEL_DMA32, 7, PageState.KERNEL_OTHER); // atomic pool GFP_DMA32
        AddressSpace rootfs = mm.newAddressSpace("rootfs", Gfp.PAGE_CACHE, AddressSpace.Backing.SHMEM); // the initramfs is unpacked into tmpfs
        long initrdPages = (options.initrdBytes() >= 0 ? options.initrdBytes() : p.initrdBytes()) >>> MemoryModel.PAGE_SHIFT;
        for (long i = 0; i < initrdPages * 2; i++) {
            rootfs.add(0x726f6f7466730000L | i);
        }
        AddressSpace init = mm.newAddressSpace("init", Gfp.MOVABLE_ANON);
        for (int i = 0; i < 256; i++) {
            init.add(0x696e697400000000L | i);
        }
    }

    private long lateFreeOf(String what) {
        for (Object[] f : lateFrees) {
            if (f[2].equals(what)) {
                return (long) f[1] - (long) f[0];
            }
        }
        return -1;
    }

    /** free_reserved_area() with its "Freeing %s memory: %ldK" line; skipped when the range is empty. */
    private void freeLate(String what) {
        for (Object[] f : lateFrees) {
            if (!f[2].equals(what)) {
                continue;
            }
            long s = (long) f[0];
            long e = (long) f[1];
            if (e <= s) {
                return;
            }
            long sp = (s + MemoryModel.PAGE_SIZE - 1) >>> MemoryModel.PAGE_SHIFT;
            long ep = e >>> MemoryModel.PAGE_SHIFT;
            for (long pfn = sp; pfn < ep; pfn++) {
                mm.zoneOf(pfn).managedPages++;
                mm.buddy.freeOnePage(pfn, 0, false);
            }
            log.info(String.format("Freeing %s memory: %dK", what, (ep - sp) * 4));
            return;
        }
    }

    /** mem_init_print_info(). */
    private void printMemoryLine() {
        long physpages = mm.totalPresentPages();
        long totalram = mm.totalManagedPages();
        log.info(String.format("Memory: %dK/%dK available (%dK kernel code, %dK rwdata, %dK rodata, %dK init, %dK bss, %dK reserved, 0K cma-reserved)",
                mm.totalFreePages() * 4, physpages * 4, p.codeK(), p.rwdataK(), p.rodataBytes() / 1024,
                p.initBytes() / 1024, p.bssBytes() / 1024, (physpages - totalram) * 4));
    }
}
