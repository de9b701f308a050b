package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.Kernfs;

/**
 * The physical memory of one machine: nodes and zones, SPARSEMEM sections with packed
 * per-page metadata, pageblocks, the buddy allocator, owners of movable pages, migration.
 * Boot (memblock, reservations, memblock_free_all) is in {@link BootMemory}; the buddy
 * free-list code (merging, splitting, __rmqueue, fallback stealing) in {@link BuddyAllocator}
 * with each zone's lists and free counts in {@link FreeArea}; the hotplug zone/node span
 * bookkeeping in {@link ZoneSpans}; pageblock isolation in
 * {@link PageIsolation}; the procfs files in {@link MmProcFiles}.
 *
 * <p>Invariants (checked by the hotplug package's MemoryInvariants): every page of an
 * online section is exactly one of: reserved, a free buddy page (head or tail of exactly one
 * free chunk on exactly one free list of its zone), a kernel allocation, an LRU page owned
 * by exactly one owner slot whose handle points back at it, PageOffline, or self-hosted
 * vmemmap. Pages of sections that are present but not online are poisoned. A free chunk of
 * order o is naturally aligned and never crosses a section.
 *
 * <p>Locking: the free lists, page words and pageblock bytes are guarded by the zone lock
 * (one runs at a time in hotmem, so the model calls are atomic with respect to other tasks
 * unless they sleep); zone spans, present and managed counters and section flags by
 * mem_hotplug_lock held for write (the hotplug package takes it).
 */
public final class MemoryModel {
    /** The geometry: page, section, pageblock and block sizes, orders, zones configured. */
    final Arch arch;
    /** PAGES_PER_SECTION - 1, PFN_SECTION_SHIFT and pageblock_order of {@link #arch}, for the hot paths. */
    private final int sectionPageMask;
    private final int pfnSectionShift;
    private final int pageblockOrder;
    final Kernel kernel;
    final Kernfs fs;
    final KernelVersion version;
    final KernelProfile profile;
    final boolean movableNode;
    final Node[] nodes;
    final SectionTable sections;
    final List<AddressSpace> owners = new ArrayList<>();
    final PageIsolation isolation = new PageIsolation(this);
    final ContigRange contigRange = new ContigRange(this);
    /** oom_notify_list. */
    /** min_free_kbytes, watermarks, lowmem_reserve, totalreserve_pages. */
    final Watermarks watermarks = new Watermarks(this);
    /** totalram_pages() at the core_initcall level of the boot; -1 before. */
    private long totalramAtCoreInitcall = -1;
    /** vm events and kernel-allocation counters (/proc/vmstat, /proc/meminfo). */
    final VmCounters counters = new VmCounters();
    /** mm/oom_kill.c: oom_lock and the OOM notifier chain. */
    private final OomKiller oom;
    long maxPfn;
    /** node_possible_map, set by boot's NUMA init. */
    final java.util.BitSet possibleNodes = new java.util.BitSet();
    /** cpu_to_node(0), set by boot's NUMA init. */
    int cpuNode;
    /** The firmware's SLIT (numa_distance[]), empty without one. */
    int[][] slit = new int[0][];
    /** node_load[] of build_zonelists(), per node. */
    private final int[] nodeLoad;
    /** Each node's zonelist node order as the last build_all_zonelists() left it (null: not built). */
    private final int[][] nodeOrder;
    /** policy_zone: only ever raised, by check_highest_zone() during zonelist builds. */
    private ZoneType policyZone = ZoneType.DMA;
    /** MAX_NUMNODES of Debian's x86-64 build (CONFIG_NODES_SHIFT 10). */
    private static final int MAX_NUMNODES = 1024;
    /** e820_table after boot's trims (what e820__reserve_resources() puts in /proc/iomem), sorted. */
    List<E820Entry> e820Table = List.of();
    /** Boot System RAM ranges (memblock memory, page aligned), [start, end) in bytes. */
    final List<long[]> bootRam = new ArrayList<>();
    /** Zone locks by zone id (lock class "&zone->lock"). */
    final org.hotmem.kernel.SpinLock[] zoneLocks;
    /** Tokens for kernel pages come from this counter (deterministic). */
    private long nextKernelToken = 0x6b65726e00000000L;
    /** Memmaps and kernel page tables of hot-added memory. Guarded by mem_hotplug_lock (write). */
    final SparseVmemmap vmemmap;
    /** The free-list code of mm/page_alloc.c; its state is guarded by the zone locks. */
    final BuddyAllocator buddy = new BuddyAllocator(this);
    /** Zone and node span bookkeeping of hotplug; its state is guarded by mem_hotplug_lock (write). */
    final ZoneSpans spans = new ZoneSpans(this);
    /** ZONE_DEVICE: the pgmap index, the device zones' spans and the memmap of device memory. */
    final ZoneDevice zoneDevice;
    /** CPU time of offlining work (scans, migrations); see {@link MmCosts}. */
    private MmCosts costs = MmCosts.DEFAULT;
    /**
     * Bumped by every change that can let a failed migration succeed on a retry: a page freed
     * (which includes every completed migration and memory being onlined) or unpinned.
     * Waiters on {@code progress} are woken on each bump.
     */
    private long generation;
    private final org.hotmem.kernel.WaitQueue progress;

    MemoryModel(Arch arch, Kernel kernel, Kernfs fs, KernelVersion version, boolean movableNode, int possibleNodes) {
        this.arch = arch;
        this.sectionPageMask = arch.pagesPerSection() - 1;
        this.pfnSectionShift = arch.pfnSectionShift();
        this.pageblockOrder = arch.pageblockOrder();
        this.sections = new SectionTable(arch);
        this.vmemmap = new SparseVmemmap(this);
        this.kernel = kernel;
        this.fs = fs;
        this.version = version;
        this.profile = KernelProfile.of(version, arch);
        this.oom = new OomKiller(kernel);
        this.movableNode = movableNode;
        this.nodes = new Node[possibleNodes];
        this.nodeLoad = new int[possibleNodes];
        this.nodeOrder = new int[possibleNodes][];
        for (int i = 0; i < possibleNodes; i++) {
            nodes[i] = new Node(i, arch);
        }
        owners.add(null); // owner id 0 = none
        progress = new org.hotmem.kernel.WaitQueue(kernel, "mm progress");
        zoneDevice = new ZoneDevice(this);
        zoneLocks = new org.hotmem.kernel.SpinLock[possibleNodes * ZoneType.values().length];
        for (int i = 0; i < zoneLocks.length; i++) {
            zoneLocks[i] = new org.hotmem.kernel.SpinLock(kernel, "&zone->lock");
        }
    }

    /** The e820 table after boot (e820_table), whose entries are the /proc/iomem resources of boot. */
    public List<E820Entry> e820Table() {
        return e820Table;
    }

    /** Boot System RAM ranges in bytes (what /proc/iomem lists as System RAM at boot). */
    public List<long[]> bootRam() {
        List<long[]> out = new ArrayList<>();
        for (long[] r : bootRam) {
            out.add(r.clone());
        }
        return out;
    }

    /**
     * spin_lock_irqsave(&zone->lock). Taken only when running inside a task: boot and
     * set-up code run before the scheduler starts, single-threaded, as early Linux boot does.
     */
    public void zoneLock(Zone z) {
        if (kernel.current() != null) {
            zoneLocks[z.id()].lock();
        }
    }

    /** spin_unlock_irqrestore(&zone->lock). */
    public void zoneUnlock(Zone z) {
        if (kernel.current() != null) {
            zoneLocks[z.id()].unlock();
        }
    }

    /** zone->nr_isolate_pageblock += delta (caller holds the zone lock). */
    public void adjustIsolatePageblocks(Zone z, long delta) {
        z.nrIsolatePageblock += delta;
    }

    /** Models adjust_managed_page_count(). */
    public void adjustManagedPageCount(Zone z, long delta) {
        z.managedPages += delta;
    }

    /**
     * Boots the memory model: what x86 setup_arch + mm_core_init do with memory (see
     * {@link BootMemory}), then registers /proc/zoneinfo, /proc/meminfo, /proc/buddyinfo and
     * /proc/pagetypeinfo.
     *
     * @param e820    the firmware memory map
     * @param options the command-line options mm needs ({@link MmBootOptions#fromCmdline})
     * @param version the kernel being imitated
     * @param kernel  the machine's kernel runtime (dmesg)
     * @param fs      the machine's kernfs, or null to register no files
     */
    public static MemoryModel boot(List<E820Entry> e820, MmBootOptions options, KernelVersion version, Kernel kernel, Kernfs fs) {
        return boot(e820, options, version, kernel, fs, Srat.NONE);
    }

    /**
     * As {@link #boot(List, MmBootOptions, KernelVersion, Kernel, Kernfs)}, with the firmware's
     * SRAT: x86's initmem_init() parses it after init_mem_mapping(), before NODE_DATA is
     * allocated ({@link NumaInit}); it decides the possible nodes and which node each range
     * of memory belongs to.
     */
    public static MemoryModel boot(List<E820Entry> e820, MmBootOptions options, KernelVersion version, Kernel kernel,
                                   Kernfs fs, Srat srat) {
        return boot(e820, options, version, kernel, fs, srat, () -> { });
    }

    /**
     * As above, with start_kernel()'s command-line parsing: {@code parseArgs} runs where the
     * kernel prints "Kernel command line:" and parses its parameters (after the zonelists of
     * 6.1, before the dentry hash table), so those lines land where Linux prints them.
     */
    public static MemoryModel boot(List<E820Entry> e820, MmBootOptions options, KernelVersion version, Kernel kernel,
                                   Kernfs fs, Srat srat, Runnable parseArgs) {
        return boot(Arch.X86_64, e820, options, version, kernel, fs, srat, parseArgs);
    }

    /**
     * As above on architecture {@code arch}. For an architecture whose boot memory map is the
     * device tree ({@link Arch.BootMap#DEVICE_TREE}) the usable entries of {@code memoryMap}
     * are the memory nodes' ranges and the rest is ignored.
     */
    public static MemoryModel boot(Arch arch, List<E820Entry> memoryMap, MmBootOptions options, KernelVersion version,
                                   Kernel kernel, Kernfs fs, Srat srat, Runnable parseArgs) {
        MemoryModel mm = new MemoryModel(arch, kernel, fs, version, options.movableNode(), NumaInit.nrNodeIds(srat));
        new BootMemory(mm, memoryMap, options, srat, parseArgs).run();
        if (fs != null) {
            MmProcFiles.register(mm, fs);
            fs.setDentryCache(new Dcache(mm));
        }
        if (kernel != null) {
            kernel.setProcessMemory(new UserPageTables(mm));
        }
        return mm;
    }

    // ---------------------------------------------------------------- accessors

    public KernelVersion version() {
        return version;
    }

    /** The machine's memory geometry. */
    public Arch arch() {
        return arch;
    }

    public Kernel kernel() {
        return kernel;
    }

    public boolean movableNode() {
        return movableNode;
    }

    public Node node(int nid) {
        return nodes[nid];
    }

    public int nrNodes() {
        return nodes.length;
    }

    /** node_possible(nid). */
    public boolean nodePossible(int nid) {
        return nid >= 0 && possibleNodes.get(nid);
    }

    /**
     * The nodes in a node state (node_states[]). N_MEMORY and N_NORMAL_MEMORY are set by boot's
     * check_for_memory() and by {@link #nodeStatesSetNode} / {@link #nodeStatesClearNode}, which
     * online and offline call where Linux does (after the zonelist rebuild of an offline).
     */
    public java.util.BitSet nodeState(NodeState state) {
        java.util.BitSet out = new java.util.BitSet();
        switch (state) {
            case POSSIBLE -> out.or(possibleNodes);
            case CPU -> out.set(cpuNode);
            case GENERIC_INITIATOR -> { }
            default -> {
                for (Node n : nodes) {
                    boolean in = switch (state) {
                        case ONLINE -> n.online;
                        case MEMORY -> n.memory;
                        default -> n.normalMemory;
                    };
                    out.set(n.nid, in);
                }
            }
        }
        return out;
    }

    /** The node of the machine's CPU 0 (cpu_to_node(0)). */
    public int cpuNode() {
        return cpuNode;
    }

    public long maxPfn() {
        return maxPfn;
    }

    public PageIsolation isolation() {
        return isolation;
    }

    /** alloc_contig_range()/free_contig_range() and PageOffline marking (virtio-mem's fake offlining). */
    public ContigRange contigRange() {
        return contigRange;
    }

    /** The section holding pfn, or null. */
    public MemSection section(long pfn) {
        return sections.get(pfn >>> pfnSectionShift);
    }

    /** pfn_valid(): a memmap exists for pfn. */
    public boolean pfnValid(long pfn) {
        MemSection s = section(pfn);
        return s != null && s.hasMemmap();
    }

    /** ZONE_DEVICE: pgmaps, device-zone spans and the memmap of device memory. */
    public ZoneDevice zoneDevice() {
        return zoneDevice;
    }

    /**
     * pfn_to_online_page() != NULL. Device memory is never online: its sections have a memmap
     * but no SECTION_IS_ONLINE (hotmem maps device memory in whole sections, so the
     * SECTION_TAINT_ZONE_DEVICE case of a section mixing RAM and device memory does not arise).
     */
    public boolean pfnOnline(long pfn) {
        MemSection s = section(pfn);
        return s != null && s.hasMemmap() && s.online;
    }

    /** pfn's index in its section's memmap. */
    int idx(long pfn) {
        return (int) (pfn & sectionPageMask);
    }

    /** The index of pfn's pageblock in its section. */
    int pbIdx(long pfn) {
        return (int) ((pfn & sectionPageMask) >>> pageblockOrder);
    }

    /** The page kind ({@link PageState}) of pfn. */
    public int kind(long pfn) {
        return PageState.kind(info(pfn));
    }

    public int info(long pfn) {
        return section(pfn).memmap.info(idx(pfn));
    }

    public int ownerWord(long pfn) {
        return section(pfn).memmap.owner(idx(pfn));
    }

    /** The content token of pfn (0 for a page that holds no content: free, reserved, poisoned). */
    public long token(long pfn) {
        return section(pfn).memmap.token(idx(pfn));
    }

    /**
     * The end of the run of pages from pfn (at most to its pageblock's end) that carry exactly
     * pfn's info and owner words and token 0 without being stored page by page (see
     * {@link Memmap}); pfn + 1 when the memmap holds pfn's words per page. A scan that decides
     * by those words alone can treat the whole run as pfn.
     */
    public long runEnd(long pfn) {
        return pfn - idx(pfn) + section(pfn).memmap.runEnd(idx(pfn));
    }

    public boolean isPinned(long pfn) {
        return (info(pfn) & PageState.PINNED) != 0;
    }

    void setPinned(long pfn, boolean on) {
        int info = info(pfn);
        if (PageState.kind(info) != PageState.LRU) {
            throw new IllegalStateException("pin of a non-LRU page pfn 0x" + Long.toHexString(pfn));
        }
        section(pfn).memmap.set(idx(pfn), on ? info | PageState.PINNED : info & ~PageState.PINNED, ownerWord(pfn));
        if (!on) {
            bumpGeneration();
        }
    }

    /** The cost model of offlining work. */
    public MmCosts costs() {
        return costs;
    }

    /** Replaces the cost model (e.g. {@link MmCosts#FREE}, or a slower host). */
    public void setCosts(MmCosts costs) {
        this.costs = java.util.Objects.requireNonNull(costs, "costs");
    }

    /** The progress generation: changes whenever a page is freed or unpinned. */
    public long generation() {
        return generation;
    }

    /**
     * Sleeps (interruptibly, inside a task) until {@link #generation()} differs from
     * {@code seen} or {@code timeoutNs} passed. Returns the ns left (at least 1) on a change, 0 on
     * timeout, -EINTR if a signal is pending first.
     */
    public long waitForProgress(long seen, long timeoutNs) {
        return progress.waitEventInterruptibleTimeout(() -> generation != seen, timeoutNs);
    }

    /** Bumps {@link #generation()} and wakes the waiters on it. */
    void bumpGeneration() {
        generation++;
        if (progress.active()) {
            progress.wakeUpAll();
        }
    }

    /** Marks a page PageReserved (tests: "a reserved page in a Movable block"). The page must be free. */
    public void reservePage(long pfn) {
        buddy.takeFreePage(pfn);
        setPage(pfn, PageState.RESERVED, 0, 0);
        zoneOf(pfn).managedPages--;
    }

    /** take_page_off_buddy() + SetPageHWPoison() for a free page (memory_failure / soft offline of a free page). */
    public void poisonFreePage(long pfn) {
        Zone z = zoneOf(pfn);
        zoneLock(z);
        try {
            buddy.takeFreePage(pfn);
            setPage(pfn, PageState.KERNEL, PageState.KERNEL_OTHER, 0);
            section(pfn).memmap.set(idx(pfn), info(pfn) | PageState.HWPOISON, ownerWord(pfn));
            counters.hwpoisonedPages++;
        } finally {
            zoneUnlock(z);
        }
    }

    /** The zone of an initialised page (page_zone()). */
    public Zone zoneOf(long pfn) {
        MemSection s = section(pfn);
        int z = s.pbZone[pbIdx(pfn)];
        if (z < 0) {
            throw new IllegalStateException("pfn 0x" + Long.toHexString(pfn) + " has no zone (memmap not initialised)");
        }
        return nodes[z / ZoneType.values().length].zones[z % ZoneType.values().length];
    }

    /** The zone index (enum zone_type) of a pageblock, -1 if uninitialised. */
    public int zoneIndexOf(long pfn) {
        MemSection s = section(pfn);
        if (s == null || !s.hasMemmap() || s.pbZone[pbIdx(pfn)] < 0) {
            return -1;
        }
        return s.pbZone[pbIdx(pfn)] % ZoneType.values().length;
    }

    /** page_to_nid() of an initialised page, -1 if uninitialised. */
    public int nidOf(long pfn) {
        MemSection s = section(pfn);
        if (s == null || !s.hasMemmap() || s.pbZone[pbIdx(pfn)] < 0) {
            return -1;
        }
        return s.pbZone[pbIdx(pfn)] / ZoneType.values().length;
    }

    /** get_pageblock_migratetype(). */
    public MigrateType pageblockMigratetype(long pfn) {
        return MigrateType.of(section(pfn).pbMigrate[pbIdx(pfn)]);
    }

    /** Models set_pageblock_migratetype() in mm/page_alloc.c. */
    void setPageblockMigratetype(long pfn, MigrateType mt) {
        section(pfn).pbMigrate[pbIdx(pfn)] = (byte) mt.ordinal();
    }

    void setPage(long pfn, int kind, int ownerWord, int slot) {
        section(pfn).memmap.set(idx(pfn), PageState.make(kind, slot), ownerWord);
    }

    /** What a page holds after the power went off: nothing the model could have written. */
    public static final long LOST_CONTENT = 0xdeadbeefdeadbeefL;

    /**
     * The machine lost power: every page that held content forgets it.
     * // model: pages whose token was 0 (never written) keep reading 0.
     */
    public void powerLoss() {
        for (MemSection sec : sections.all()) {
            if (sec.memmap != null) sec.memmap.loseTokens(LOST_CONTENT);
        }
    }

    /**
     * Models the restore's copy of an image page into its original frame (swsusp_arch_resume()
     * copying every PBE): pfn's content becomes {@code token}.
     */
    public void restorePageContent(long pfn, long token) {
        setToken(pfn, token);
    }

    void setToken(long pfn, long token) {
        section(pfn).memmap.setToken(idx(pfn), token);
    }

    /**
     * Initialises pages [start, end) (within one zone's sections, which all have a memmap): the
     * first page to ({@code firstKind}, {@code firstOwner}), the others to ({@code kind},
     * {@code owner}), slot 0, flags clear and token 0, as memmap_init_range(), a free chunk being
     * queued or a range being poisoned writes them; whole pageblocks cost no per-page words.
     */
    void fillPages(long start, long end, int firstKind, int firstOwner, int kind, int owner) {
        long first = Memmap.word(PageState.make(firstKind, 0), firstOwner);
        long others = Memmap.word(PageState.make(kind, 0), owner);
        long pfn = start;
        while (pfn < end) {
            long sEnd = Math.min(end, (pfn | sectionPageMask) + 1);
            section(pfn).memmap.fill(idx(pfn), idx(sEnd - 1) + 1, pfn == start ? first : others, others);
            pfn = sEnd;
        }
    }

    /** {@link #fillPages} with the same words for every page. */
    void fillPages(long start, long end, int kind, int owner) {
        fillPages(start, end, kind, owner, kind, owner);
    }

    public List<AddressSpace> owners() {
        return owners.subList(1, owners.size());
    }

    /** Creates an owner of movable pages on node 0. */
    public AddressSpace newAddressSpace(String name, Gfp gfp) {
        return newAddressSpace(name, gfp, AddressSpace.Backing.of(gfp));
    }

    /** Creates an owner of movable pages on node 0 with an explicit backing (e.g. shmem). */
    public AddressSpace newAddressSpace(String name, Gfp gfp, AddressSpace.Backing backing) {
        AddressSpace as = new AddressSpace(this, owners.size(), name, gfp, 0, backing);
        owners.add(as);
        return as;
    }

    /**
     * Creates an owner of movable anonymous pages whose faults allocate from node {@code nid}'s
     * zonelist (an MPOL_BIND/MPOL_PREFERRED task; model: falling back to other nodes as the
     * zonelist does, i.e. preferred, not strictly bound).
     */
    public AddressSpace newAddressSpace(String name, Gfp gfp, int nid) {
        if (!nodePossible(nid)) {
            throw new IllegalArgumentException("no node " + nid);
        }
        AddressSpace as = new AddressSpace(this, owners.size(), name, gfp, nid, AddressSpace.Backing.of(gfp));
        owners.add(as);
        return as;
    }

    AddressSpace owner(int id) {
        return owners.get(id);
    }

    /** PageOffline(): a driver's logically offline page (virtio-mem's unplugged ranges, a balloon's pages). */
    public boolean pageOffline(long pfn) {
        int kind = kind(pfn);
        return kind == PageState.OFFLINE || kind == PageState.LRU && owner(ownerWord(pfn)).pageOffline();
    }

    // ---------------------------------------------------------------- buddy allocator

    /** Order of the free chunk headed at pfn. */
    public int buddyOrder(long pfn) {
        return ownerWord(pfn) & 0xff;
    }

    /** The migratetype of the free list holding the chunk headed at pfn. */
    public MigrateType buddyListType(long pfn) {
        return MigrateType.of(ownerWord(pfn) >>> 8);
    }

    /**
     * The zonelist of an allocation: node by node in the node's fallback order
     * (ZONELIST_ORDER_NODE), the populated zones of each from the highest zone the GFP intent
     * allows downwards (ZONE_MOVABLE only for movable intents), like node_zonelist() +
     * for_next_zone_zonelist_nodemask().
     */
    public List<Zone> zonelist(Gfp gfp, int nid) {
        List<Zone> out = new ArrayList<>();
        for (int n : fallbackOrderCached(nid)) {
            for (int i = gfp.highestZone().ordinal(); i >= 0; i--) {
                Zone z = nodes[n].zones[i];
                if (z.type != ZoneType.DEVICE && z.managedPages > 0) {
                    out.add(z);
                }
            }
        }
        return out;
    }

    /**
     * Models get_page_from_freelist() without watermark reclaim: the first zone of the
     * zonelist with a free chunk of the order. Returns the first pfn, or -1.
     */
    long allocFromZonelist(Gfp gfp, int order, int nid) {
        return allocFromZonelist(gfp, order, nid, false);
    }

    /**
     * Models __zone_watermark_ok() against the min watermark: after taking 2^order pages the
     * zone keeps more than min + lowmem_reserve[highest zone of the request] free.
     */
    static boolean zoneWatermarkOkMin(Zone z, int order, ZoneType highest) {
        long free = z.freePages() - ((1L << order) - 1);
        return free > z.wmarkMin + z.lowmemReserve[highest.ordinal()];
    }

    /** get_page_from_freelist(); with {@code aboveMin}, zones that would drop below their min watermark are skipped. */
    long allocFromZonelist(Gfp gfp, int order, int nid, boolean aboveMin) {
        for (Zone z : zonelist(gfp, nid)) {
            if (aboveMin && !zoneWatermarkOkMin(z, order, gfp.highestZone())) {
                continue;
            }
            long pfn = buddy.rmqueue(z, order, gfp.migratetype());
            if (pfn >= 0) {
                counters.allocated(z, order);
                return pfn;
            }
        }
        return -1;
    }

    /**
     * Models alloc_pages(gfp, order) for a kernel allocation (slab, page table, hash table):
     * the pages become unmovable kernel pages.
     *
     * @param subtype {@link PageState#KERNEL_PAGE_TABLE}, {@link PageState#KERNEL_SLAB} or {@link PageState#KERNEL_OTHER}
     * @return the first pfn
     * @throws KernelException ENOMEM when no zone of the zonelist has a chunk
     */
    public long allocPages(Gfp gfp, int order, int subtype) {
        long pfn = allocKernelPages(gfp, order, subtype, 0, false);
        if (pfn < 0) {
            throw new KernelException(Errno.ENOMEM);
        }
        return pfn;
    }

    /**
     * Models alloc_pages_node(nid, gfp, order) for a kernel allocation that may not use the
     * reserves below the min watermark (GFP_KERNEL without __GFP_HIGH, e.g. with
     * __GFP_RETRY_MAYFAIL): the first pfn, or -1.
     * // model: no direct reclaim or compaction is tried before failing.
     */
    public long allocPagesAboveMin(Gfp gfp, int order, int subtype, int nid) {
        return allocKernelPages(gfp, order, subtype, nid, true);
    }

    long allocKernelPages(Gfp gfp, int order, int subtype, int nid, boolean aboveMin) {
        if (gfp.migratetype() == MigrateType.MOVABLE) {
            throw new IllegalArgumentException("allocPages is for kernel allocations; use an AddressSpace for " + gfp);
        }
        long pfn = allocFromZonelist(gfp, order, nid, aboveMin);
        if (pfn < 0) {
            return -1;
        }
        setPage(pfn, PageState.KERNEL, subtype | (order << 8), 0);
        setToken(pfn, nextKernelToken++);
        for (int k = 1; k < (1 << order); k++) {
            setPage(pfn + k, PageState.KERNEL_TAIL, order, k);
            setToken(pfn + k, nextKernelToken++);
        }
        counters.kernelPages(subtype, 1L << order);
        return pfn;
    }

    /** Models __free_pages() of a kernel allocation made with {@link #allocPages}. */
    public void freePages(long pfn) {
        if (kind(pfn) != PageState.KERNEL) {
            throw new IllegalStateException("freePages: pfn 0x" + Long.toHexString(pfn) + " is not a kernel allocation");
        }
        int order = ownerWord(pfn) >>> 8;
        counters.kernelPages(ownerWord(pfn) & 0xff, -(1L << order));
        buddy.freeOnePage(pfn, order, false);
    }

    /** A movable page for slot of as, as a page fault allocates one; ENOMEM when no zone of the zonelist has one. */
    long allocOwnedPage(AddressSpace as, int slot, long token) {
        long pfn;
        while ((pfn = allocFromZonelist(as.gfp(), 0, as.nid())) < 0) {
            // balloon pages are __GFP_NORETRY (balloon_page_alloc()): they never enter out_of_memory()
            if (as.pageOffline() || oom.outOfMemory() == OomKiller.Outcome.KILL) {
                throw new KernelException(Errno.ENOMEM);
            }
        }
        setPage(pfn, PageState.LRU, as.id, slot);
        setToken(pfn, token);
        return pfn;
    }

    /** An OOM notifier (register_oom_notifier()): frees what it can, returns the pages freed. */
    public interface OomNotifier {
        long oomNotify();
    }

    /** Models register_oom_notifier() (the chain is {@link OomKiller}'s). */
    public void registerOomNotifier(OomNotifier nb) {
        oom.register(nb);
    }

    /** Models unregister_oom_notifier(). */
    public void unregisterOomNotifier(OomNotifier nb) {
        oom.unregister(nb);
    }

    /** Gives a movable page back to the buddy allocator (order 0). */
    void freeOwnedPage(long pfn) {
        if ((info(pfn) & PageState.PINNED) != 0) {
            throw new IllegalStateException("freeing a pinned page pfn 0x" + Long.toHexString(pfn));
        }
        setToken(pfn, 0);
        buddy.freeOnePage(pfn, 0, false);
    }

    // ---------------------------------------------------------------- migration

    /**
     * Models migrate_pages() for one LRU page (MIGRATE_SYNC, MR_MEMORY_HOTPLUG): allocates a
     * target with GFP_KERNEL|__GFP_MOVABLE (any zone, ZONE_MOVABLE first; isolated pageblocks
     * are never allocated from), copies the token, points the owner's handle at the new page
     * and frees the old one.
     *
     * @return 0 on success, -EAGAIN if the page is pinned (refcount does not match: the
     *         caller retries), -ENOMEM if no target page exists
     */
    public int migratePage(long pfn) {
        return migratePage(pfn, Gfp.MOVABLE_ANON);
    }

    /**
     * Whether a long-term pin must first move the page: it is in ZONE_MOVABLE or in a CMA
     * pageblock (folio_is_longterm_pinnable() false).
     */
    public boolean longtermUnpinnable(long pfn) {
        return zoneOf(pfn).type == ZoneType.MOVABLE || pageblockMigratetype(pfn) == MigrateType.CMA;
    }

    /**
     * Models migrate_pages() of one LRU page with targets allocated by {@code target}'s intent
     * (alloc_migration_target). Same results as {@link #migratePage(long)}.
     */
    public int migratePage(long pfn, Gfp target) {
        int info = info(pfn);
        if (PageState.kind(info) != PageState.LRU) {
            return 0;
        }
        if ((info & PageState.PINNED) != 0) {
            return -Errno.EAGAIN.number();
        }
        AddressSpace as = owners.get(ownerWord(pfn));
        long to = allocFromZonelist(target, 0, as.nid());
        if (to < 0) {
            return -Errno.ENOMEM.number();
        }
        int slot = PageState.slot(info);
        setPage(to, PageState.LRU, as.id, slot);
        setToken(to, token(pfn));
        as.moved(slot, to);
        as.migrated(slot, pfn, to);
        setToken(pfn, 0);
        buddy.freeOnePage(pfn, 0, false);
        counters.pgmigrateSuccess++;
        return 0;
    }

    // ---------------------------------------------------------------- spans and counters (hotplug support)

    /**
     * Models move_pfn_range_to_zone() in mm/memory_hotplug.c: grows the zone and node spans,
     * initialises the memmap of the range as reserved pages of the zone and sets the
     * pageblocks to mt. See {@link ZoneSpans}.
     */
    public void movePfnRangeToZone(Zone zone, long start, long nr, MigrateType mt) {
        spans.movePfnRangeToZone(zone, start, nr, mt);
    }

    /**
     * Models remove_pfn_range_from_zone() in mm/memory_hotplug.c: poisons the memmap and
     * shrinks the zone and node spans. See {@link ZoneSpans}.
     */
    public void removePfnRangeFromZone(Zone zone, long start, long nr) {
        spans.removePfnRangeFromZone(zone, start, nr);
    }

    /** Models adjust_present_page_count() (zone, node; present_early_pages for boot sections). */
    public void adjustPresentPageCount(Zone zone, long pfn, long nr) {
        spans.adjustPresentPageCount(zone, pfn, nr);
    }

    /** Models online_mem_sections()/offline_mem_sections(). */
    public void setSectionsOnline(long start, long end, boolean online) {
        for (long pfn = start; pfn < end; pfn += arch.pagesPerSection()) {
            section(pfn).online = online;
        }
    }

    /** Hands [start, end) of an online range to the buddy: online_pages_range() with generic_online_page(). */
    public void onlinePagesRange(long start, long end) {
        buddy.freePagesCore(start, end);
    }

    /**
     * Models arch_add_memory() on x86-64 as far as memory goes: init_memory_mapping() (direct-map
     * page tables) and __add_pages() → sparse_add_section() for each section of
     * [start, start + nr): section_activate() allocates the memmap of sections that have none
     * (and poisons it), from the buddy allocator with node nid's zonelist unless {@code altmap}
     * puts it on the hot-added memory itself ({@link SparseVmemmap}).
     *
     * @throws KernelException ENOMEM when a memmap or page-table allocation fails; nothing of
     *         this call is left behind.
     *         // model: Linux's x86 add_pages() only WARN_ON_ONCE()s a failed __add_pages(): the
     *         // sections populated before the failure (and the direct map) stay, their memmap
     *         // leaks and a retry of the range gets -EEXIST; hotmem undoes them.
     */
    public void sparseAddSections(long start, long nr, boolean altmap, int nid) {
        if (!vmemmap.mapDirect(start, nr, nid)) {
            throw new KernelException(Errno.ENOMEM);
        }
        List<MemSection> activated = new ArrayList<>();
        for (long pfn = start; pfn < start + nr; pfn += arch.pagesPerSection()) {
            int snr = (int) (pfn >>> pfnSectionShift);
            if (sections.get(snr) == null) {
                sections.set(snr, new MemSection(arch, snr, false));
            }
            MemSection sec = sections.get(snr);
            if (!sec.hasMemmap()) {
                if (!vmemmap.populate(sec, altmap, nid)) {
                    for (int i = activated.size() - 1; i >= 0; i--) {
                        MemSection a = activated.get(i);
                        vmemmap.depopulate(a);
                        sections.set(a.nr, null);
                    }
                    sections.set(snr, null);
                    vmemmap.unmapDirect(start, nr);
                    throw new KernelException(Errno.ENOMEM);
                }
                sec.activate();
                activated.add(sec);
            }
            sec.altmap = altmap;
        }
        maxPfn = Math.max(maxPfn, start + nr);
    }

    /**
     * Models arch_remove_memory(): sparse_remove_section() frees the memmap of hot-added
     * sections (section_deactivate → depopulate_section_memmap), then
     * kernel_physical_mapping_remove() drops the direct map and frees page tables left empty.
     */
    public void sparseRemoveSections(long start, long nr) {
        for (long pfn = start; pfn < start + nr; pfn += arch.pagesPerSection()) {
            MemSection sec = sections.get(pfn >>> pfnSectionShift);
            if (sec != null && !sec.early) {
                if (sec.hasMemmap()) {
                    vmemmap.depopulate(sec);
                }
                sections.set(sec.nr, null);
            }
        }
        vmemmap.unmapDirect(start, nr);
    }

    /** Pages the buddy allocator gave to the memmaps and kernel page tables of hot-added memory. */
    public long hotplugMemmapPages() {
        return vmemmap.pages();
    }

    /** Marks [start, start+nr) as self-hosted vmemmap pages of zone (mhp_init_memmap_on_memory). */
    public void initMemmapOnMemory(Zone zone, long start, long nr) {
        movePfnRangeToZone(zone, start, nr, MigrateType.UNMOVABLE);
        fillPages(start, start + nr, PageState.VMEMMAP, 0);
        if (nr % arch.pagesPerSection() == 0) {
            setSectionsOnline(start, start + nr, true);
        }
    }

    /** Models mhp_deinit_memmap_on_memory(). */
    public void deinitMemmapOnMemory(Zone zone, long start, long nr) {
        removePfnRangeFromZone(zone, start, nr);
    }

    // ---------------------------------------------------------------- watermarks and zonelists

    /**
     * Models init_per_zone_wmark_min() in mm/page_alloc.c (with khugepaged's
     * min_free_kbytes update): min_free_kbytes, watermarks, lowmem_reserve and
     * totalreserve_pages from the zones' managed pages. See {@link Watermarks}.
     */
    public void setupPerZoneWmarks() {
        watermarks.initPerZoneWmarkMin();
    }

    /** min_free_kbytes (vm.min_free_kbytes). */
    public long minFreeKbytes() {
        return watermarks.minFreeKbytes;
    }

    /** totalreserve_pages. */
    public long totalreservePages() {
        return watermarks.totalreservePages;
    }

    /** The vm events and kernel-allocation counters of this machine. */
    public VmCounters vmCounters() {
        return counters;
    }

    /** Sum over zones of managed - high watermark (nr_free_zone_pages of GFP_HIGHUSER_MOVABLE). */
    public long totalPagesForZonelistMessage() {
        long sum = 0;
        for (Node n : nodes) {
            for (Zone z : n.zones) {
                if (z.managedPages > z.wmarkHigh) {
                    sum += z.managedPages - z.wmarkHigh;
                }
            }
        }
        return sum;
    }

    /**
     * Models build_all_zonelists(): __build_all_zonelists() rebuilds the zonelists of every
     * possible node (only {@code self}'s when {@code self} is a node not yet online, as
     * hotadd_init_pgdat() asks), each build_zonelists() printing its node fallback order, then
     * "Built N zonelists" with the number of online nodes, the total pages and the policy zone.
     *
     * @param self the node being brought online, or null for all
     */
    public void buildAllZonelists(Node self, long totalPages) {
        java.util.Arrays.fill(nodeLoad, 0);
        for (Node n : nodes) {
            if (!possibleNodes.get(n.nid) || (self != null && !self.online && n != self)) {
                continue;
            }
            nodeOrder[n.nid] = fallbackOrder(n.nid).stream().mapToInt(Integer::intValue).toArray();
            StringBuilder order = new StringBuilder("Fallback order for Node " + n.nid + ": ");
            for (int nid : nodeOrder[n.nid]) {
                order.append(nid).append(' ');
            }
            kernel.dmesg().info(order.toString());
        }
        kernel.dmesg().info("Built " + nodeState(NodeState.ONLINE).cardinality() + " zonelists, mobility grouping on.  Total pages: "
                + totalPages);
        ZoneType highest = highestPopulatedKernelZone();
        if (highest.ordinal() > policyZone.ordinal()) {
            policyZone = highest;
        }
        kernel.dmesg().info("Policy zone: " + policyZone.zoneName());
    }

    /**
     * The node order of a node's zonelist: build_zonelists() taking find_next_best_node() until
     * it returns none: the local node first (6.1: always; 6.12: only when it has memory), then
     * the nodes with memory by distance, a node below the local one, one with CPUs and a more
     * loaded one each costing a little more; node_load[] (reset per build) spreads equal choices.
     */
    private List<Integer> fallbackOrder(int local) {
        List<Integer> order = new ArrayList<>();
        java.util.BitSet used = new java.util.BitSet();
        java.util.BitSet memory = nodeState(NodeState.MEMORY);
        java.util.BitSet cpus = nodeState(NodeState.CPU);
        int prev = local;
        while (true) {
            int best = -1;
            if (!used.get(local) && (!version.has(KernelFeature.ZONELIST_LOCAL_NODE_NEEDS_MEMORY) || memory.get(local))) {
                best = local;
            } else {
                long min = Long.MAX_VALUE;
                for (int n = memory.nextSetBit(0); n >= 0; n = memory.nextSetBit(n + 1)) {
                    if (used.get(n)) {
                        continue;
                    }
                    long val = nodeDistance(local, n) + (n < local ? 1 : 0) + (cpus.get(n) ? 1 : 0);
                    val = val * MAX_NUMNODES + nodeLoad[n];
                    if (val < min) {
                        min = val;
                        best = n;
                    }
                }
            }
            used.set(local);
            if (best < 0) {
                break;
            }
            used.set(best);
            if (nodeDistance(local, best) != nodeDistance(local, prev)) {
                nodeLoad[best]++;
            }
            order.add(best);
            prev = best;
        }
        return order;
    }

    /** The node order of nid's zonelist (just nid before the first build, as the boot pgdat's own list). */
    private int[] fallbackOrderCached(int nid) {
        int[] o = nodeOrder[nid];
        return o != null ? o : new int[] {nid};
    }

    /** node_distance(): the SLIT's entry, else LOCAL_DISTANCE (10) to itself and REMOTE_DISTANCE (20) to others. */
    public int nodeDistance(int a, int b) {
        if (a < slit.length && b < slit[a].length) {
            return slit[a][b];
        }
        return a == b ? 10 : 20;
    }

    /** Models node_states_set_node() after onlining into zone: N_MEMORY, and N_NORMAL_MEMORY for a kernel zone. */
    public void nodeStatesSetNode(Zone zone) {
        zone.node.memory = true;
        zone.node.normalMemory |= zone.type.ordinal() <= ZoneType.NORMAL.ordinal();
    }

    /** Models node_states_clear_node() after an offline: the states the node's remaining present pages keep. */
    public void nodeStatesClearNode(Node node) {
        node.checkForMemory();
    }

    /**
     * Models __try_online_node() with set_node_online: hotadd_init_pgdat() (the node's zones
     * start empty; build_all_zonelists(pgdat) for the new node), node_set_online() and
     * register_one_node() (its sysfs directory). No-op for an online node.
     */
    public void tryOnlineNode(int nid) {
        Node n = nodes[nid];
        if (n.online) {
            return;
        }
        buildAllZonelists(n, totalPagesForZonelistMessage());
        n.online = true;
        if (fs != null) {
            MmProcFiles.registerNode(this, fs, n);
        }
    }

    /**
     * Models try_offline_node(): a node that spans no pages and has no CPU goes offline and its
     * sysfs directory goes ({@code memoryBlocksLeft}: the caller found memory blocks still linked
     * to it, which keeps it).
     */
    public void tryOfflineNode(int nid, boolean memoryBlocksLeft) {
        Node n = nodes[nid];
        if (!n.online || n.spannedPages != 0 || memoryBlocksLeft || nid == cpuNode) {
            return;
        }
        n.online = false;
        if (fs != null) {
            fs.remove("/sys/devices/system/node/node" + nid);
        }
    }

    /** policy_zone: the highest zone below ZONE_MOVABLE any zonelist build found populated. */
    public ZoneType policyZone() {
        return policyZone;
    }

    /** The highest populated zone below ZONE_MOVABLE. */
    private ZoneType highestPopulatedKernelZone() {
        ZoneType best = ZoneType.DMA;
        for (Node n : nodes) {
            for (Zone z : n.zones) {
                if (z.type.isKernelZone() && z.populated() && z.type.ordinal() > best.ordinal()) {
                    best = z.type;
                }
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- totals

    /** The OOM path of failed allocations (oom_lock, the OOM notifier chain). */
    public OomKiller oom() {
        return oom;
    }

    /** totalram_pages(): the managed pages of every zone. */
    public long totalManagedPages() {
        return sumOverZones(z -> z.managedPages);
    }

    /**
     * totalram_pages() as the core_initcalls saw it (pm_init()'s hibernate_image_size_init()):
     * after memblock_free_all() and the SMP alternatives, before the initrd and the init
     * sections are freed. Set once by {@link BootMemory}; -1 before.
     */
    public long totalramAtCoreInitcall() {
        return totalramAtCoreInitcall;
    }

    /** Records {@link #totalramAtCoreInitcall()} (BootMemory, at the core_initcall level). */
    void recordCoreInitcallTotalram() {
        totalramAtCoreInitcall = totalManagedPages();
    }

    public long totalFreePages() {
        return sumOverZones(Zone::freePages);
    }

    public long totalPresentPages() {
        return sumOverZones(z -> z.presentPages);
    }

    private long sumOverZones(ToLongFunction<Zone> f) {
        long s = 0;
        for (Node n : nodes) {
            for (Zone z : n.zones) {
                s += f.applyAsLong(z);
            }
        }
        return s;
    }

    /** Every present section number, ascending. */
    public List<MemSection> presentSections() {
        List<MemSection> out = new ArrayList<>();
        for (MemSection s : sections.all()) {
            if (s.hasMemmap()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Dumps a page as dump_page() does in this kernel version (lines without timestamps). */
    public List<String> dumpPage(long pfn, String reason) {
        return PageDump.dump(this, pfn, reason);
    }
}
