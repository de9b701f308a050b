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
 *
 * <p>The geometry (page size, sections, zones) is the machine's {@link Arch}. On an
 * architecture whose memory map comes from the device tree the x86-only steps are skipped:
 * the e820 lines and trims, the reserved first MiB, init_mem_mapping()'s page tables, the
 * setup_arch() tail, the embedded percpu chunk, the cpu_entry_area and swiotlb; the kernel
 * image is reserved at physical 0. // model: that boot keeps the x86 build's image sizes
 * ({@link KernelProfile}); the pseries issue gives it its own.
 */
final class BootMemory {
    private static final long MB = 1L << 20;
    private static final long MAX_DMA32_PFN = 0x100000; // 4 GiB
    private static final long KERNEL_PHYS = 16 * MB; // LOAD_PHYSICAL_ADDR, nokaslr
    private static final long SWIOTLB_BYTES = 64 * MB;
    private static final int SWIOTLB_SLOT_BYTES = 24;
    private static final int IO_TLB_SHIFT = 11;
    private static final int IO_TLB_AREA_BYTES = 16;
    /** PMD_SIZE: the vmemmap is populated (and the sparse buffer's section maps aligned) in these pieces. */
    private static final long VMEMMAP_BLOCK = 2 * MB;

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

    private final MemoryModel mm;
    private final Arch arch;
    /** The boot memory map is the BIOS e820 table (x86): the x86-only steps run. */
    private final boolean x86;
    /** The firmware's map (e820_table_firmware). */
    private final List<E820Entry> e820;
    /** e820_table after the memmap= options (e820__finish_early_params()), before the x86 trims. */
    private final List<E820Entry> table;
    private final MmBootOptions options;
    /** The firmware's SRAT, parsed by initmem_init(). */
    private final Srat srat;
    /** start_kernel()'s "Kernel command line:" and parse_args(). */
    private final Runnable parseArgs;
    private final KernelProfile p;
    private final Dmesg log;
    private final Memblock memblock;
    /** Ranges reserved at boot and freed later: {start, end, kind} (printed by "Freeing ..."). */
    private final List<Object[]> lateFrees = new ArrayList<>();
    private long swiotlbStart;
    /** The NUMA layout initmem_init() found. */
    private NumaInit numa;
    /** nr_kernel_pages, which sizes the large system hashes. */
    private long kernelPagesAtBoot;
    /** NODE_DATA(nid)'s physical address (0 for nodes without one). */
    private long[] nodeDataAddr;
    /** The usable e820 ranges after the x86 trims, sorted. */
    private List<long[]> usableE820 = List.of();

    BootMemory(MemoryModel mm, List<E820Entry> e820, MmBootOptions options, Srat srat, Runnable parseArgs) {
        this.srat = srat;
        this.parseArgs = parseArgs;
        this.mm = mm;
        this.arch = mm.arch;
        this.x86 = arch.bootMap() == Arch.BootMap.E820;
        this.memblock = new Memblock(arch.pageSize());
        this.e820 = List.copyOf(e820);
        this.table = x86 ? E820Table.apply(this.e820, options.memmap()) : this.e820; // memmap= is x86 (parse_memmap_opt)
        this.options = options;
        this.p = mm.profile;
        this.log = mm.kernel.dmesg();
    }

    void run() {
        List<long[]> usable = x86 ? sanitizeE820() : deviceTreeMemory();
        usableE820 = usable;
        long maxPfn = 0;
        for (long[] r : usable) {
            maxPfn = Math.max(maxPfn, r[1] >>> arch.pageShift());
        }
        mm.maxPfn = maxPfn;
        if (x86) {
            log.info(String.format("last_pfn = 0x%x max_arch_pfn = %#x", maxPfn, 1L << (arch.maxPhysmemBits() - arch.pageShift())));
        }
        for (long[] r : usable) {
            long s = Memblock.alignUp(r[0], arch.pageSize());
            long e = Memblock.alignDown(r[1], arch.pageSize());
            if (s < e) {
                memblock.add(s, e - s);
                mm.bootRam.add(new long[] {s, e});
            }
        }
        long memEnd = maxPfn << arch.pageShift();
        long kernelPhys = x86 ? KERNEL_PHYS : 0;
        if (x86) {
            // x86: always reserve the first 1 MiB (real mode trampoline, BIOS areas).
            memblock.reserve(0, MB);
        }
        reserveKernelImage(kernelPhys);
        reserveInitrd();
        if (x86) {
            // init_mem_mapping(): top-down by default, bottom-up (from the brk buffer) under movable_node.
            memblock.setBottomUp(options.movableNode());
            long imageEnd = Memblock.alignUp(KERNEL_PHYS + p.imageReserveBytes(), arch.pageSize());
            // model: the brk page-table buffer is the image's last INIT_PGT_BUF_SIZE bytes (brk follows bss).
            new InitMemoryMapping(memblock, imageEnd - InitMemoryMapping.INIT_PGT_BUF_PAGES * arch.pageSize(), imageEnd)
                    .initMemMapping(memEnd);
            memblock.setBottomUp(false); // numa_init() resets the direction
        } else {
            radixInitPgtable(usable);
        }
        numa = NumaInit.run(arch, srat, memblock.memory(), maxPfn, mm.version, log);
        mm.possibleNodes.or(numa.possible());
        mm.cpuNode = numa.cpuNode();
        mm.slit = srat.slit();
        long nd = registerNodes();
        List<Integer> present = presentSections();
        printZoneRanges(maxPfn);
        sparseInit(present, nd, memEnd);
        offlineNodeData(memEnd);
        if (x86) {
            setupArchTail(memEnd);
        }
        setupCommandLine(memEnd);
        if (x86) {
            percpu(memEnd);
        }
        ZoneRanges zr = initZones(maxPfn);
        long kernelPages = nrKernelPages(zr);
        kernelPagesAtBoot = kernelPages;
        long buildTotal = mm.version.has(KernelFeature.ZONELIST_TOTAL_IS_PRESENT_PAGES) ? mm.totalPresentPages() : zonelistBootTotal(zr);
        mm.buildAllZonelists(null, buildTotal);
        parseArgs.run();
        // hashdist (more than one online node): dcache_init_early()/inode_init_early() leave the
        // tables to vfs_caches_init(), which vmallocs them across the nodes
        boolean hashdist = mm.nodeState(NodeState.ONLINE).cardinality() > 1;
        if (!hashdist) {
            hashTable("Dentry cache", kernelPages, 13, memEnd);
            hashTable("Inode-cache", kernelPages, 14, memEnd);
        }
        if (x86) {
            trapInit(memEnd);
        }
        boolean swiotlb = x86 && swiotlbNeeded(maxPfn);
        if (swiotlb) {
            swiotlb(memEnd);
        }
        initMemmap();
        memblockFreeAll();
        runtimeAllocations();
        long smp = lateFreeOf("SMP alternatives");
        if (mm.version.has(KernelFeature.MEMORY_LINE_AFTER_DEFERRED_INIT)) {
            freeLate("SMP alternatives");
            printMemoryLine();
        } else {
            printMemoryLine();
            freeLate("SMP alternatives");
        }
        assert smp >= 0;
        // init_per_zone_wmark_min() is a core_initcall: before the initrd (rootfs_initcall) and init sections are freed.
        mm.setupPerZoneWmarks();
        mm.recordCoreInitcallTotalram();
        if (swiotlb) {
            log.info(String.format("software IO TLB: mapped [mem %#018x-%#018x] (64MB)", swiotlbStart, swiotlbStart + SWIOTLB_BYTES));
        }
        freeLate("initrd");
        freeLate("unused decrypted");
        freeLate("unused kernel image (initmem)");
        freeLate("unused kernel image (text/rodata gap)");
        freeLate("unused kernel image (rodata/data gap)");
    }

    /**
     * e820__memory_setup() (prints the firmware table), e820__finish_early_params() (with
     * memmap= options: "user-defined physical RAM map:" and the table again) and the x86 trims
     * ("update ... usable ==> reserved", "remove ... usable"). Records the final table, which
     * e820__reserve_resources() turns into /proc/iomem resources, in the memory model.
     */
    private List<long[]> sanitizeE820() {
        printTable("BIOS-provided physical RAM map:", "BIOS-e820", e820);
        if (!options.memmap().isEmpty()) {
            printTable("user-defined physical RAM map:", "user", table);
        }
        List<long[]> usable = new ArrayList<>();
        for (E820Entry e : table) {
            if (e.type() == E820Type.USABLE) {
                usable.add(new long[] {e.addr(), e.end()});
            }
        }
        usable.sort((a, b) -> Long.compare(a[0], b[0]));
        log.info("e820: update [mem 0x00000000-0x00000fff] usable ==> reserved");
        usable = Memblock.subtract(usable, 0, 0x1000);
        log.info("e820: remove [mem 0x000a0000-0x000fffff] usable");
        usable = Memblock.subtract(usable, 0xa0000, 0x100000);
        List<E820Entry> trimmed = E820Table.apply(table, List.of(new E820Entry(0, 0x1000, E820Type.RESERVED)));
        List<E820Entry> resources = new ArrayList<>();
        for (E820Entry e : trimmed) {
            if (e.type() != E820Type.USABLE) {
                resources.add(e);
                continue;
            }
            for (long[] r : Memblock.subtract(List.of(new long[] {e.addr(), e.end()}), 0xa0000, 0x100000)) {
                resources.add(new E820Entry(r[0], r[1] - r[0], E820Type.USABLE));
            }
        }
        mm.e820Table = List.copyOf(resources);
        return usable;
    }

    /** e820__print_table(). */
    private void printTable(String title, String who, List<E820Entry> entries) {
        log.info(title);
        for (E820Entry e : entries) {
            log.info(String.format("%s: [mem %#018x-%#018x] %s", who, e.addr(), e.end() - 1, e.type().text()));
        }
    }

    /**
     * The memory map of a device-tree machine: early_init_dt_scan_memory() hands each memory
     * node's reg to memblock as it is (page aligned by memblock_add's callers), nothing printed.
     */
    private List<long[]> deviceTreeMemory() {
        List<long[]> out = new ArrayList<>();
        for (E820Entry e : e820) {
            if (e.type() == E820Type.USABLE) {
                out.add(new long[] {e.addr(), e.end()});
            }
        }
        out.sort((a, b) -> Long.compare(a[0], b[0]));
        return out;
    }

    /** early_reserve_memory(): _text .. __end_of_kernel_reserve (+ brk in use); records the parts freed later. */
    private void reserveKernelImage(long kernelPhys) {
        long at = kernelPhys;
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
        for (E820Entry e : table) {
            if (e.type() == E820Type.USABLE && e.end() <= (4L << 30)) {
                top = Math.max(top, e.end());
            }
        }
        long start = Memblock.alignDown(top - size, arch.pageSize());
        if (x86) {
            log.info(String.format("RAMDISK: [mem %#010x-%#010x]", start, top - 1));
        }
        memblock.reserve(start, top - start);
        lateFrees.add(new Object[] {start, top, "initrd"});
    }

    private List<Integer> presentSections() {
        List<Integer> out = new ArrayList<>();
        for (long[] r : memblock.memory()) {
            for (long a = r[0] & -arch.sectionSize(); a < r[1]; a += arch.sectionSize()) {
                int nr = (int) (a / arch.sectionSize());
                if (!out.contains(nr)) {
                    out.add(nr);
                }
            }
        }
        return out;
    }

    /**
     * numa_register_memblks(): alloc_node_data() for every node with memory (top-down inside
     * the node, "NODE_DATA(N) allocated"), which sets it online; then init_cpu_to_node() brings a
     * memoryless CPU node online with its own pgdat. Returns NODE_DATA(0)'s address.
     */
    private long registerNodes() {
        long nd0 = -1;
        nodeDataAddr = new long[mm.nodes.length];
        for (int nid = 0; nid < mm.nodes.length; nid++) {
            long[] span = numa.span(nid);
            boolean cpuOnly = span == null && nid == mm.cpuNode;
            if (span == null && !cpuOnly) {
                continue;
            }
            long lo = span == null ? 0 : span[0];
            long hi = span == null ? maxPfnBytes() : span[1];
            long nd = memblock.alloc(p.nodeDataBytes(), p.nodeDataAlign(), lo, hi);
            if (x86) {
                log.info(String.format("NODE_DATA(%d) allocated [mem %#010x-%#010x]", nid, nd, nd + p.nodeDataBytes() - 1));
            }
            if (cpuOnly) {
                log.info(String.format("    NODE_DATA(%d) on node %d", nid, numa.nodeOf(nd >>> arch.pageShift())));
            }
            mm.nodes[nid].online = true;
            nodeDataAddr[nid] = nd;
            nd0 = nd0 < 0 ? nd : nd0;
        }
        return nd0;
    }

    private long maxPfnBytes() {
        return mm.maxPfn << arch.pageShift();
    }

    /**
     * free_area_init() for the possible nodes that are not online: a pgdat from memblock
     * (6.1 arch_alloc_nodedata(), 6.12 alloc_offline_node_data(): sizeof(pg_data_t), cache
     * aligned, top-down anywhere), initialised memoryless; the node stays offline.
     */
    private void offlineNodeData(long memEnd) {
        for (Node n : mm.nodes) {
            if (n.online || !mm.possibleNodes.get(n.nid)) {
                continue;
            }
            if (!mm.version.has(KernelFeature.OFFLINE_NODE_DATA_QUIET)) {
                log.info("Initializing node " + n.nid + " as memoryless");
            }
            // FITTED: whole pages (6.1's rounded pgdat, 0x2b000 B) make both versions lose the 43 pages
            // the numa-memoryless recordings show; 6.12's sizeof(pg_data_t) alone would leave one.
            memblock.alloc(Memblock.alignUp(p.nodeDataBytes(), arch.pageSize()), arch.pageSize(), 0, memEnd);
            log.info("Initmem setup node " + n.nid + " as memoryless");
        }
    }

    /** The "Zone ranges:", "Early memory node ranges" and "Initmem setup" lines free_area_init() prints. */
    private void printZoneRanges(long maxPfn) {
        ZoneRanges zr = zoneRanges(maxPfn);
        int shift = arch.pageShift();
        log.info("Zone ranges:");
        for (ZoneType t : arch.zones()) {
            int zi = t.ordinal();
            if (t == ZoneType.MOVABLE) {
                continue; // free_area_init() prints every zone but ZONE_MOVABLE
            }
            if (t.isKernelZone() && zr.end[zi] > zr.start[zi]) {
                log.info(String.format("  %-8s [mem %#018x-%#018x]", t.zoneName(), zr.start[zi] << shift, (zr.end[zi] << shift) - 1));
            } else {
                log.info(String.format("  %-8s empty", t.zoneName()));
            }
        }
        log.info("Movable zone start for each node");
        log.info("Early memory node ranges");
        List<long[]> mem = memblock.memory();
        for (long[] r : mem) {
            for (long[] part : numa.split(r)) {
                log.info(String.format("  node %3d: [mem %#018x-%#018x]", part[2], part[0], part[1] - 1));
            }
        }
        for (Node n : mm.nodes) {
            long first = -1;
            long last = -1;
            for (long[] r : mem) {
                for (long[] part : numa.split(r)) {
                    if (part[2] == n.nid) {
                        first = first < 0 ? part[0] : first;
                        last = part[1];
                    }
                }
            }
            if (first >= 0) {
                log.info(String.format("Initmem setup node %d [mem %#018x-%#018x]", n.nid, first, last - 1));
            }
        }
    }

    /** sparse_init(): section roots, usage maps, the vmemmap buffer (64 B per page of each present section) and its page tables. */
    private void sparseInit(List<Integer> present, long nodeData, long memEnd) {
        memblock.alloc(SectionTable.nrSectionRoots(arch) * 8, SMP_CACHE_BYTES, 0, memEnd); // mem_section: the root pointers
        // sparse_index_init(): a root page of SECTIONS_PER_ROOT struct mem_section for each root in
        // use, on the node of the first section that needs it (memblock_alloc_node())
        java.util.Set<Long> rootsDone = new java.util.HashSet<>();
        for (int nr : present) {
            long root = nr / SectionTable.sectionsPerRoot(arch);
            if (!rootsDone.add(root)) {
                continue;
            }
            long[] span = numa.span(numa.nodeOfOrNearest((long) nr << arch.pfnSectionShift()));
            memblock.alloc(arch.pageSize(), SMP_CACHE_BYTES, span == null ? 0 : span[0], span == null ? memEnd : span[1]);
        }
        // sparse_init_nid() for each node in section order: usage maps as near NODE_DATA(nid) as
        // possible (in its section), then the node's memmap buffer on the node itself
        long sectionMap = arch.pagesPerSection() * 64L;
        long sectionMapSize = Memblock.alignUp(sectionMap, VMEMMAP_BLOCK); // section_map_size()
        boolean first = true;
        for (int nid = 0; nid < mm.nodes.length; nid++) {
            List<Integer> nodeSections = new ArrayList<>();
            for (int nr : present) {
                if (numa.nodeOfOrNearest((long) nr << arch.pfnSectionShift()) == nid) {
                    nodeSections.add(nr);
                }
            }
            int count = nodeSections.size();
            if (count == 0) {
                continue;
            }
            long goal = nodeDataAddr[nid] & -arch.sectionSize();
            memblock.alloc(p.sectionUsageBytes() * count, SMP_CACHE_BYTES, goal, goal + arch.sectionSize());
            long[] span = numa.span(nid);
            long lo = Math.max(16 * MB, span == null ? 0 : span[0]);
            long hi = span == null ? memEnd : span[1];
            long buffer = memblock.tryAlloc(sectionMapSize * count, sectionMapSize, lo, hi);
            if (buffer < 0) {
                sparseMemmap(sectionMap, count, memEnd);
            } else {
                sparseBufferFini(buffer, sectionMapSize * count, vmemmapBlocks(nodeSections, sectionMap));
            }
            if (first) {
                memblock.alloc(arch.pageSize(), arch.pageSize(), lo, hi); // vmemmap PUD
                memblock.alloc(arch.pageSize(), arch.pageSize(), lo, hi); // vmemmap PMD
                first = false;
            }
        }
        for (int nr : present) {
            MemSection s = new MemSection(arch, nr, true);
            s.activate();
            s.online = true;
            mm.sections.set(nr, s);
        }
    }

    /**
     * sparse_buffer_fini() after vmemmap_populate(): the node's memmap is populated in
     * VMEMMAP_BLOCK pieces of the vmemmap (one PMD mapping each) taken from the front of the
     * buffer, one per block of vmemmap that a present section's struct pages touch; the unused
     * tail of the buffer goes back to memblock. With 128 MiB sections of 4 KiB pages a section's
     * memmap is exactly one block (nothing is freed); with 16 MiB sections of 64 KiB pages one
     * block holds the memmap of 128 sections (2 GiB).
     */
    private void sparseBufferFini(long buffer, long size, long blocks) {
        long used = blocks * VMEMMAP_BLOCK;
        if (used < size) {
            memblock.free(buffer + used, size - used);
        }
    }

    /** The VMEMMAP_BLOCK-sized pieces of the vmemmap (vaddr = pfn * 64) that these sections' struct pages touch. */
    private static long vmemmapBlocks(List<Integer> sections, long sectionMap) {
        java.util.Set<Long> blocks = new java.util.HashSet<>();
        for (int nr : sections) {
            long start = nr * sectionMap;
            for (long b = start / VMEMMAP_BLOCK; b <= (start + sectionMap - 1) / VMEMMAP_BLOCK; b++) {
                blocks.add(b);
            }
        }
        return blocks.size();
    }

    /**
     * radix_init_pgtable() (ppc64 radix, early_init_mmu()): the linear mapping of each memblock
     * memory range in 2 MiB pages, its page tables from memblock within the range being mapped
     * (early_alloc_pgtable()); every PUD and PMD table takes a whole PAGE_SIZE page
     * (early_map_kernel_page()): one PUD page per 512 GiB and one PMD page per GiB mapped.
     */
    private void radixInitPgtable(List<long[]> usable) {
        java.util.Set<Long> puds = new java.util.HashSet<>();
        java.util.Set<Long> pmds = new java.util.HashSet<>();
        for (long[] r : usable) {
            for (long a = r[0]; a < r[1]; a += 2 * MB) {
                if (puds.add(a >>> 39)) {
                    memblock.alloc(arch.pageSize(), arch.pageSize(), r[0], r[1]);
                }
                if (pmds.add(a >>> 30)) {
                    memblock.alloc(arch.pageSize(), arch.pageSize(), r[0], r[1]);
                }
            }
        }
    }

    /**
     * The boot memmap: sparse_buffer_init() asks for one buffer for all present sections (2 MiB
     * aligned, above 16 MiB first, then anywhere); without it each section's memmap is
     * populated on its own, as 2 MiB PMD blocks (vmemmap_populate_hugepages()) or, when no
     * 2 MiB block is left, as base pages with their PTE table (vmemmap_populate_basepages()).
     */
    private void sparseMemmap(long sectionMap, int sections, long memEnd) {
        if (memblock.tryAlloc(sectionMap * sections, 2 * MB, 16 * MB, memEnd) >= 0
                || memblock.tryAlloc(sectionMap * sections, 2 * MB, 0, memEnd) >= 0) {
            return;
        }
        for (long pmd = 0; pmd < sectionMap * sections / (2 * MB); pmd++) {
            if (memblock.tryAlloc(2 * MB, 2 * MB, 16 * MB, memEnd) >= 0 || memblock.tryAlloc(2 * MB, 2 * MB, 0, memEnd) >= 0) {
                continue;
            }
            memblock.alloc(arch.pageSize(), arch.pageSize(), 16 * MB, memEnd); // the PTE table
            for (int page = 0; page < 2 * MB / arch.pageSize(); page++) {
                memblock.alloc(arch.pageSize(), arch.pageSize(), 16 * MB, memEnd);
            }
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
        // e820_table: the user's map with "update [mem 0x0-0xfff] usable ==> reserved" splitting the first entry.
        memblock.alloc(RESOURCE_BYTES * (table.size() + 1), SMP_CACHE_BYTES, 0, memEnd);
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
        long ai = memblock.alloc(arch.pageSize(), arch.pageSize(), 0, memEnd);
        long areas = memblock.alloc(arch.pageSize(), SMP_CACHE_BYTES, 0, memEnd);
        long unit = 2 * MB;
        long[] cpuNodeSpan = numa.span(mm.cpuNode); // pcpu_fc_alloc(): on the CPU's node
        long base = memblock.alloc(unit, unit, Math.max(16 * MB, cpuNodeSpan == null ? 0 : cpuNodeSpan[0]),
                cpuNodeSpan == null ? memEnd : cpuNodeSpan[1]);
        long used = p.percpuStaticBytes() + PERCPU_RESERVED_BYTES + PERCPU_DYNAMIC_BYTES;
        memblock.free(base + used, unit - used);
        log.info(String.format("percpu: Embedded %d pages/cpu s%d r%d d%d u%d", used / arch.pageSize(),
                p.percpuStaticBytes(), PERCPU_RESERVED_BYTES, PERCPU_DYNAMIC_BYTES, unit));
        memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // group_offsets
        memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // group_sizes
        memblock.alloc(4, SMP_CACHE_BYTES, 0, memEnd); // unit_map
        memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // unit_off
        int slots = (64 - Long.numberOfLeadingZeros(unit)) - 5 + 2 + 4; // __pcpu_size_to_slot(unit) + 4
        memblock.alloc(slots * 16L, SMP_CACHE_BYTES, 0, memEnd); // pcpu_chunk_lists
        pcpuFirstChunk(p.percpuStaticBytes(), PERCPU_RESERVED_BYTES, memEnd);
        pcpuFirstChunk(p.percpuStaticBytes() + PERCPU_RESERVED_BYTES, PERCPU_DYNAMIC_BYTES, memEnd);
        memblock.free(ai, arch.pageSize());
        memblock.free(areas, arch.pageSize());
        for (int i = 0; i < p.bootCpumasks(); i++) {
            memblock.alloc(8, SMP_CACHE_BYTES, 0, memEnd); // cpumask_size() with nr_cpu_ids 1
        }
    }

    /** pcpu_alloc_first_chunk(): the chunk, alloc_map (a bit per 4 B), bound_map, md_blocks (one per page). */
    private void pcpuFirstChunk(long offset, long mapSize, long memEnd) {
        long start = offset % arch.pageSize();
        long region = Memblock.alignUp(start + mapSize, arch.pageSize());
        long bits = region >> 2;
        long pages = region / arch.pageSize();
        // sizeof(struct pcpu_chunk): 128 in 6.12 (base_addr cacheline aligned since 6.5), 136 in 6.1
        long chunkBytes = mm.version.has(KernelFeature.PCPU_CHUNK_ALIGNED) ? 128 : 136;
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
            memblock.alloc(arch.pageSize(), arch.pageSize(), 0, memEnd);
        }
    }

    /** arch_zone_lowest/highest_possible_pfn[] by zone type: [start, end) pfns, empty for a zone not configured. */
    private record ZoneRanges(long[] start, long[] end) {
    }

    /**
     * The kernel zones' pfn ranges as free_area_init() derives them from max_zone_pfn[]
     * (x86 zone_sizes_init(): DMA to 16 MiB, DMA32 to 4 GiB, Normal to max_pfn): each
     * configured kernel zone starts where the one below it ends.
     */
    private ZoneRanges zoneRanges(long maxPfn) {
        int n = ZoneType.values().length;
        long[] lo = new long[n];
        long[] hi = new long[n];
        long start = memblock.memory().get(0)[0] >>> arch.pageShift();
        for (ZoneType t : arch.zones()) {
            if (!t.isKernelZone()) {
                continue;
            }
            long limit = switch (t) {
                case DMA -> arch.maxDmaAddress() >>> arch.pageShift();
                case DMA32 -> MAX_DMA32_PFN;
                default -> maxPfn;
            };
            lo[t.ordinal()] = start;
            hi[t.ordinal()] = Math.min(maxPfn, limit);
            start = Math.max(start, limit);
        }
        return new ZoneRanges(lo, hi);
    }

    /**
     * free_area_init(): per node, each zone's span is the zone range clipped to the node's
     * span (zone_spanned_pages_in_node()) and its present pages the node's memblock memory in
     * it; nodes with present pages are N_MEMORY.
     */
    private ZoneRanges initZones(long maxPfn) {
        ZoneRanges zr = zoneRanges(maxPfn);
        long[] lo = zr.start();
        long[] hi = zr.end();
        for (Node node : mm.nodes) {
            List<long[]> ranges = new ArrayList<>();
            for (long[] r : memblock.memory()) {
                for (long[] part : numa.split(r)) {
                    if (part[2] == node.nid) {
                        ranges.add(new long[] {part[0] >>> arch.pageShift(), part[1] >>> arch.pageShift()});
                    }
                }
            }
            if (ranges.isEmpty()) {
                continue;
            }
            long nodeStart = ranges.get(0)[0];
            long nodeEnd = ranges.get(ranges.size() - 1)[1];
            for (int zi = 0; zi < ZoneType.MOVABLE.ordinal(); zi++) {
                Zone z = node.zones[zi];
                long zs = Math.max(lo[zi], nodeStart);
                long ze = Math.min(hi[zi], nodeEnd);
                if (ze <= zs) {
                    continue;
                }
                long present = 0;
                for (long[] r : ranges) {
                    long s0 = Math.max(r[0], zs);
                    long e0 = Math.min(r[1], ze);
                    if (s0 < e0) {
                        present += e0 - s0;
                    }
                }
                if (present == 0) {
                    continue;
                }
                z.startPfn = zs;
                z.spannedPages = ze - zs;
                z.presentPages = present;
                z.presentEarlyPages = present;
                z.initialized = true;
            }
            node.updateSpan();
            node.presentPages = 0;
            for (Zone z : node.zones) {
                node.presentPages += z.presentPages;
            }
            node.checkForMemory();
            node.online = true;
        }
        return zr;
    }

    /** nr_kernel_pages as free_area_init_core counts it: present minus the memmap pages of each low zone. */
    private long nrKernelPages(ZoneRanges zr) {
        long sum = 0;
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                if (z.type.isKernelZone() && z.presentPages > 0) {
                    sum += z.presentPages - memmapPages(z.presentPages);
                }
            }
        }
        return sum;
    }

    private long memmapPages(long pages) {
        return (pages * 64 + arch.pageSize() - 1) >>> arch.pageShift();
    }

    /** 6.1 prints nr_free_zone_pages() while managed_pages still holds free_area_init_core's estimate. */
    private long zonelistBootTotal(ZoneRanges zr) {
        long dmaReserve = 0;
        if (arch.hasZone(ZoneType.DMA)) {
            Zone dma = mm.nodes[0].zones[ZoneType.DMA.ordinal()];
            for (long[] r : memblock.freeRanges(0, arch.maxDmaAddress())) {
                dmaReserve += (r[1] - r[0]) >>> arch.pageShift();
            }
            dmaReserve = dma.presentPages - dmaReserve;
        }
        return nrKernelPages(zr) - dmaReserve;
    }

    /** alloc_large_system_hash(): entries = roundup_pow_of_two(nr_kernel_pages >> (scale - PAGE_SHIFT)), 8 B each. */
    private void hashTable(String name, long kernelPages, int scale, long memEnd) {
        long entries = hashEntries(kernelPages, scale);
        long bytes = entries * 8;
        memblock.alloc(bytes, 64, 0, memEnd);
        log.info(String.format("%s hash table entries: %d (order: %d, %d bytes, linear)", name, entries, hashOrder(bytes), bytes));
    }

    private long hashEntries(long kernelPages, int scale) {
        int shift = arch.pageShift();
        long n = scale > shift ? kernelPages >> (scale - shift) : kernelPages << (shift - scale);
        return Long.highestOneBit(Math.max(1, n - 1)) << 1;
    }

    private int hashOrder(long bytes) {
        return 63 - Long.numberOfLeadingZeros(bytes >>> arch.pageShift());
    }

    /**
     * alloc_large_system_hash() without HASH_EARLY under hashdist: the table is vmalloc'd with
     * its pages interleaved over the online nodes, in 2 MiB pages when it is at least that big
     * ("vmalloc hugepage", the dentry cache's) and base pages otherwise.
     */
    private void hashTableVmalloc(String name, long kernelPages, int scale, boolean huge) {
        long entries = hashEntries(kernelPages, scale);
        long bytes = entries * 8;
        long pages = bytes >>> arch.pageShift();
        int order = huge && pages >= arch.pageblockPages() ? arch.pageblockOrder() : 0;
        java.util.BitSet online = mm.nodeState(NodeState.ONLINE);
        int nid = online.nextSetBit(0);
        for (long done = 0; done < pages; done += 1L << order) {
            if (mm.allocPagesAboveMin(Gfp.KERNEL, order, PageState.KERNEL_OTHER, nid) < 0) {
                mm.allocPages(Gfp.KERNEL, order, PageState.KERNEL_OTHER);
            }
            nid = online.nextSetBit(nid + 1) < 0 ? online.nextSetBit(0) : online.nextSetBit(nid + 1);
        }
        log.info(String.format("%s hash table entries: %d (order: %d, %d bytes, %s)", name, entries, hashOrder(bytes), bytes,
                order > 0 ? "vmalloc hugepage" : "vmalloc"));
    }

    /**
     * pci_swiotlb_detect(): the bounce buffer is needed only when memory can lie above 4 GiB,
     * max_possible_pfn counting the SRAT's hotpluggable ranges (a small guest without maxmem
     * has none, and swiotlb_init() returns at once).
     */
    private boolean swiotlbNeeded(long maxPfn) {
        long maxPossible = maxPfn;
        for (Srat.Memory m : srat.memory()) {
            maxPossible = Math.max(maxPossible, m.end() >>> arch.pageShift());
        }
        return maxPossible > MAX_DMA32_PFN;
    }

    /** swiotlb_init(): 64 MiB bounce buffer below 4 GiB, top-down, plus its slot array. */
    private void swiotlb(long memEnd) {
        log.info("software IO TLB: area num 1.");
        swiotlbStart = memblock.alloc(SWIOTLB_BYTES, arch.pageSize(), 0, Math.min(memEnd, 4L << 30));
        long slots = SWIOTLB_BYTES >>> IO_TLB_SHIFT;
        memblock.alloc(slots * SWIOTLB_SLOT_BYTES, arch.pageSize(), 0, memEnd);
        memblock.alloc(IO_TLB_AREA_BYTES, SMP_CACHE_BYTES, 0, memEnd); // one area
    }

    /**
     * memmap_init() + reserve_bootmem_region(): every page of a present section is initialised
     * PageReserved in the zone its pfn falls in (holes included); pageblocks MIGRATE_MOVABLE.
     */
    private void initMemmap() {
        for (MemSection s : mm.presentSections()) {
            long base = s.startPfn();
            for (int pb = 0; pb < arch.pageblocksPerSection(); pb++) {
                long pfn = base + ((long) pb << arch.pageblockOrder());
                Node node = mm.nodes[numa.nodeOfOrNearest(pfn)];
                int zi = ZoneType.NORMAL.ordinal();
                for (int i = 0; i < ZoneType.MOVABLE.ordinal(); i++) {
                    Zone z = node.zones[i];
                    if (!z.isEmpty() && pfn < z.endPfn()) {
                        zi = i;
                        break;
                    }
                }
                s.pbZone[pb] = (byte) node.zones[zi].id();
                s.pbMigrate[pb] = (byte) MigrateType.MOVABLE.ordinal();
            }
            mm.fillPages(base, base + arch.pagesPerSection(), PageState.RESERVED, 0);
        }
    }

    /** memblock_free_all(): every page-aligned free range goes to the buddy allocator (to the tail, ascending). */
    private void memblockFreeAll() {
        for (long[] r : memblock.freeRanges(0, Long.MAX_VALUE)) {
            long s = (r[0] + arch.pageSize() - 1) >>> arch.pageShift();
            long e = r[1] >>> arch.pageShift();
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
        if (mm.nodeState(NodeState.ONLINE).cardinality() > 1) {
            hashTableVmalloc("Dentry cache", kernelPagesAtBoot, 13, true);
            hashTableVmalloc("Inode-cache", kernelPagesAtBoot, 14, false);
        }
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
        if (arch.hasZone(ZoneType.DMA)) {
            mm.allocPages(Gfp.KERNEL_DMA, 7, PageState.KERNEL_OTHER); // atomic pool GFP_DMA
        }
        if (arch.hasZone(ZoneType.DMA32)) {
            mm.allocPages(Gfp.KERNEL_DMA32, 7, PageState.KERNEL_OTHER); // atomic pool GFP_DMA32
        }
        AddressSpace rootfs = mm.newAddressSpace("rootfs", Gfp.PAGE_CACHE, AddressSpace.Backing.SHMEM); // the initramfs is unpacked into tmpfs
        long initrdPages = (options.initrdBytes() >= 0 ? options.initrdBytes() : p.initrdBytes()) >>> arch.pageShift();
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
            long sp = (s + arch.pageSize() - 1) >>> arch.pageShift();
            long ep = e >>> arch.pageShift();
            for (long pfn = sp; pfn < ep; pfn++) {
                mm.zoneOf(pfn).managedPages++;
                mm.buddy.freeOnePage(pfn, 0, false);
            }
            if (ep > sp) { // a range smaller than a page frees nothing and prints nothing
                log.info(String.format("Freeing %s memory: %dK", what, (ep - sp) * arch.pageKb()));
            }
            return;
        }
    }

    /** mem_init_print_info(). */
    private void printMemoryLine() {
        long physpages = mm.totalPresentPages();
        long totalram = mm.totalManagedPages();
        log.info(String.format("Memory: %dK/%dK available (%dK kernel code, %dK rwdata, %dK rodata, %dK init, %dK bss, %dK reserved, 0K cma-reserved)",
                mm.totalFreePages() * arch.pageKb(), physpages * arch.pageKb(), p.codeK(), p.rwdataK(), p.rodataBytes() / 1024,
                p.initBytes() / 1024, p.bssBytes() / 1024, (physpages - totalram) * arch.pageKb()));
    }
}
