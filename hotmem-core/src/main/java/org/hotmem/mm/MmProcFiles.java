package org.hotmem.mm;

import org.hotmem.kernel.Uevent;

import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;

/**
 * The text files mm owns, in Linux's exact formats per kernel version: /proc/meminfo
 * (fs/proc/meminfo.c), /proc/zoneinfo, /proc/buddyinfo, /proc/pagetypeinfo and /proc/vmstat
 * (mm/vmstat.c), and the node device's files /sys/devices/system/node/nodeN/{meminfo,
 * numastat, vmstat, distance, cpulist, cpumap, hugepages/, memory_failure/ (6.12), x86/}
 * (drivers/base/node.c, mm/hugetlb.c, mm/memory-failure.c).
 *
 * <p>Values follow from the model (see {@link VmStatSnapshot}, {@link Watermarks},
 * {@link DirectPagesCount}); counters hotmem does not model print 0. Reads are lockless snapshots,
 * as in Linux. Stateless: every show builds its text from the model.
 */
final class MmProcFiles {
    /** (VMALLOC_END - VMALLOC_START) >> 10 with 4-level paging: 32 TiB less one byte, in KiB. */
    static final long VMALLOC_TOTAL_KB = 34359738367L;
    /** Hugepagesize of x86-64 (HPAGE_PMD_SIZE) in KiB. */
    static final long HUGEPAGESIZE_KB = 2048;
    /** HPAGE_PMD_NR. */
    static final int HPAGE_PMD_NR = 512;
    /** vm.overcommit_ratio default. */
    static final int OVERCOMMIT_RATIO = 50;
    /** vm.dirty_ratio and vm.dirty_background_ratio defaults. */
    static final int DIRTY_RATIO = 20;
    static final int DIRTY_BACKGROUND_RATIO = 10;
    /**
     * Pages of the percpu allocator populated after boot beyond the first chunk (the recorded
     * guests of both versions show 3). // model: the percpu allocator itself is not modelled.
     */
    static final int PERCPU_RUNTIME_PAGES = 3;

    private MmProcFiles() {
    }

    static void register(MemoryModel mm, Kernfs fs) {
        KDir proc = fs.mkdirs("/proc");
        fs.addFile(proc, "zoneinfo", 0444, () -> zoneinfo(mm), null);
        fs.addFile(proc, "meminfo", 0444, () -> meminfo(mm), null);
        fs.addFile(proc, "buddyinfo", 0444, () -> buddyinfo(mm), null);
        fs.addFile(proc, "pagetypeinfo", 0400, () -> pagetypeinfo(mm), null);
        fs.addFile(proc, "vmstat", 0444, () -> vmstat(mm), null);
        registerNodeStates(mm, fs);
        for (Node n : mm.nodes) {
            if (n.online) {
                registerNode(mm, fs, n);
            }
        }
    }

    /** The node subsystem's root: node_state_attrs (print_nodes_state(): "%*pbl"), uevent, power/. */
    private static void registerNodeStates(MemoryModel mm, Kernfs fs) {
        KDir root = fs.mkdirs("/sys/devices/system/node");
        for (NodeState s : NodeState.values()) {
            fs.addFile(root, s.attribute(), 0444, () -> bitmapList(mm.nodeState(s)) + "\n", null);
        }
        fs.addFile(root, "uevent", 0644, () -> "",
                buf -> Uevent.synthStore(mm.kernel.dmesg(), "", "node", "/devices/system/node", buf));
        fs.mkdirs("/sys/devices/system/node/power");
    }

    /** bitmap_print_to_pagebuf() in list form: "0", "0-1,3", "" for an empty map. */
    static String bitmapList(java.util.BitSet bits) {
        StringBuilder sb = new StringBuilder();
        int i = bits.nextSetBit(0);
        while (i >= 0) {
            int end = bits.nextClearBit(i) - 1;
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(i);
            if (end > i) {
                sb.append('-').append(end);
            }
            i = bits.nextSetBit(end + 1);
        }
        return sb.toString();
    }

    /** The attributes of a node device (register_node() + hugetlb_register_node() + memory_failure). */
    static void registerNode(MemoryModel mm, Kernfs fs, Node n) {
        String path = "/sys/devices/system/node/node" + n.nid;
        KDir d = fs.mkdirs(path);
        fs.addFile(d, "meminfo", 0444, () -> nodeMeminfo(mm, n), null);
        fs.addFile(d, "numastat", 0444, () -> nodeNumastat(mm, n), null);
        fs.addFile(d, "vmstat", 0444, () -> nodeVmstat(mm, n), null);
        fs.addFile(d, "distance", 0444, () -> nodeDistance(mm, n), null);
        fs.addFile(d, "cpulist", 0444, () -> n.nid == mm.cpuNode ? "0\n" : "\n", null);
        fs.addFile(d, "cpumap", 0444, () -> n.nid == mm.cpuNode ? "1\n" : "0\n", null);
        fs.addFile(d, "compact", 0200, null, buf -> { });
        if (n.nid == mm.cpuNode) {
            fs.symlink(d, "cpu0", "../../cpu/cpu0");
        }
        fs.addFile(d, "uevent", 0644, () -> "",
                buf -> Uevent.synthStore(mm.kernel.dmesg(), "node", "node" + n.nid, "/devices/system/node/node" + n.nid, buf));
        fs.mkdirs(path + "/power");
        fs.mkdirs(path + "/x86");
        fs.symlink(d, "subsystem", "../../../../bus/node");
        KDir hp = fs.mkdirs(path + "/hugepages/hugepages-" + HUGEPAGESIZE_KB + "kB");
        fs.addFile(hp, "nr_hugepages", 0644, () -> "0\n", null);
        fs.addFile(hp, "free_hugepages", 0444, () -> "0\n", null);
        fs.addFile(hp, "surplus_hugepages", 0444, () -> "0\n", null);
        if (mm.version.has(KernelFeature.HUGETLB_MEMORY_FAILURE_STATS)) {
            KDir mf = fs.mkdirs(path + "/memory_failure");
            for (String f : new String[] {"total", "ignored", "failed", "delayed", "recovered"}) {
                fs.addFile(mf, f, 0444, () -> "0\n", null);
            }
        }
    }

    // ---------------------------------------------------------------- /proc/meminfo

    /** show_val_kb(): a 16-column label, the value in KiB right-aligned in 8, " kB". */
    private static void kb(StringBuilder sb, String label, long kb) {
        sb.append(padRight(label + ":", 16)).append(padLeft(kb, 8)).append(" kB\n");
    }

    private static void pages(MemoryModel mm, StringBuilder sb, String label, long pages) {
        kb(sb, label, pages << (mm.arch.pageShift() - 10));
    }

    /**
     * Models si_mem_available(): free pages above the reserves, plus the page cache and
     * reclaimable slab that could be freed without going below the low watermarks.
     */
    static long memAvailable(MemoryModel mm, VmStatSnapshot st) {
        long wmarkLow = 0;
        for (Node n : mm.nodes) {
            for (Zone z : n.configured) {
                wmarkLow += z.wmarkLow;
            }
        }
        long available = mm.totalFreePages() - mm.watermarks.totalreservePages;
        long pagecache = st.activeFile() + st.inactiveFile();
        pagecache -= Math.min(pagecache / 2, wmarkLow);
        available += pagecache;
        long reclaimable = st.slabReclaimable();
        reclaimable -= Math.min(reclaimable / 2, wmarkLow);
        available += reclaimable;
        return Math.max(0, available);
    }

    /** Models vm_commit_limit(): (totalram - hugetlb) * overcommit_ratio / 100 + swap. */
    static long commitLimit(MemoryModel mm) {
        return mm.totalManagedPages() * OVERCOMMIT_RATIO / 100;
    }

    /** Models meminfo_proc_show() for Debian's configuration (no CMA, no highmem, THP, hugetlbfs). */
    static String meminfo(MemoryModel mm) {
        VmStatSnapshot st = new VmStatSnapshot(mm);
        StringBuilder sb = new StringBuilder();
        long cached = st.filePages();
        pages(mm, sb, "MemTotal", mm.totalManagedPages());
        pages(mm, sb, "MemFree", mm.totalFreePages());
        pages(mm, sb, "MemAvailable", memAvailable(mm, st));
        pages(mm, sb, "Buffers", 0);
        pages(mm, sb, "Cached", cached);
        pages(mm, sb, "SwapCached", 0);
        pages(mm, sb, "Active", st.activeAnon() + st.activeFile());
        pages(mm, sb, "Inactive", st.inactiveAnon() + st.inactiveFile());
        pages(mm, sb, "Active(anon)", st.activeAnon());
        pages(mm, sb, "Inactive(anon)", st.inactiveAnon());
        pages(mm, sb, "Active(file)", st.activeFile());
        pages(mm, sb, "Inactive(file)", st.inactiveFile());
        pages(mm, sb, "Unevictable", 0);
        pages(mm, sb, "Mlocked", 0);
        pages(mm, sb, "SwapTotal", 0);
        pages(mm, sb, "SwapFree", 0);
        pages(mm, sb, "Zswap", 0);
        pages(mm, sb, "Zswapped", 0);
        pages(mm, sb, "Dirty", 0);
        pages(mm, sb, "Writeback", 0);
        pages(mm, sb, "AnonPages", st.anonPages());
        pages(mm, sb, "Mapped", 0);
        pages(mm, sb, "Shmem", st.shmemPages());
        pages(mm, sb, "KReclaimable", st.slabReclaimable());
        pages(mm, sb, "Slab", st.slabReclaimable() + st.slabUnreclaimable());
        pages(mm, sb, "SReclaimable", st.slabReclaimable());
        pages(mm, sb, "SUnreclaim", st.slabUnreclaimable());
        kb(sb, "KernelStack", st.kernelStackKb());
        pages(mm, sb, "PageTables", st.pageTables());
        pages(mm, sb, "SecPageTables", 0);
        pages(mm, sb, "NFS_Unstable", 0);
        pages(mm, sb, "Bounce", 0);
        pages(mm, sb, "WritebackTmp", 0);
        pages(mm, sb, "CommitLimit", commitLimit(mm));
        // model: every anonymous page is a committed private writable page; nothing else is accounted
        pages(mm, sb, "Committed_AS", st.anonPages());
        kb(sb, "VmallocTotal", VMALLOC_TOTAL_KB);
        pages(mm, sb, "VmallocUsed", 0);
        pages(mm, sb, "VmallocChunk", 0);
        pages(mm, sb, "Percpu", mm.profile.percpuPages() + PERCPU_RUNTIME_PAGES);
        sb.append("HardwareCorrupted: ").append(padLeft(mm.counters.hwpoisonedPages << (mm.arch.pageShift() - 10), 5))
                .append(" kB\n");
        pages(mm, sb, "AnonHugePages", 0);
        pages(mm, sb, "ShmemHugePages", 0);
        pages(mm, sb, "ShmemPmdMapped", 0);
        pages(mm, sb, "FileHugePages", 0);
        pages(mm, sb, "FilePmdMapped", 0);
        if (mm.version.has(KernelFeature.UNACCEPTED_MEMORY_COUNTERS)) {
            pages(mm, sb, "Unaccepted", 0);
        }
        for (String h : new String[] {"HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"}) {
            sb.append(padRight(h + ":", 16)).append("   ").append(padLeft(0, 5)).append('\n');
        }
        kb(sb, "Hugepagesize", HUGEPAGESIZE_KB);
        kb(sb, "Hugetlb", 0);
        long[] dm = DirectPagesCount.kb(mm);
        kb(sb, "DirectMap4k", dm[0]);
        kb(sb, "DirectMap2M", dm[1]);
        return sb.toString();
    }

    // ---------------------------------------------------------------- node device files

    private static void nodeKb(StringBuilder sb, Node n, String label, long kb, int labelWidth) {
        sb.append("Node ").append(n.nid).append(' ').append(padRight(label + ":", labelWidth))
                .append(padLeft(kb, 8)).append(" kB\n");
    }

    private static void nodePages(StringBuilder sb, Node n, String label, long pages) {
        nodeKb(sb, n, label, pages << (n.arch.pageShift() - 10), 16);
    }

    /** Models node_read_meminfo() + hugetlb_report_node_meminfo() in drivers/base/node.c. */
    static String nodeMeminfo(MemoryModel mm, Node n) {
        VmStatSnapshot st = new VmStatSnapshot(mm);
        boolean zero = n.nid != 0;
        long total = 0;
        long free = 0;
        for (Zone z : n.configured) {
            total += z.managedPages;
            free += z.freePages();
        }
        StringBuilder sb = new StringBuilder();
        nodePages(sb, n, "MemTotal", total);
        nodePages(sb, n, "MemFree", free);
        nodePages(sb, n, "MemUsed", total - free);
        nodePages(sb, n, "SwapCached", 0);
        nodePages(sb, n, "Active", zero ? 0 : st.activeAnon() + st.activeFile());
        nodePages(sb, n, "Inactive", zero ? 0 : st.inactiveAnon() + st.inactiveFile());
        nodePages(sb, n, "Active(anon)", st.nodeStat(n, "nr_active_anon"));
        nodePages(sb, n, "Inactive(anon)", st.nodeStat(n, "nr_inactive_anon"));
        nodePages(sb, n, "Active(file)", st.nodeStat(n, "nr_active_file"));
        nodePages(sb, n, "Inactive(file)", st.nodeStat(n, "nr_inactive_file"));
        nodePages(sb, n, "Unevictable", 0);
        nodePages(sb, n, "Mlocked", 0);
        nodePages(sb, n, "Dirty", 0);
        nodePages(sb, n, "Writeback", 0);
        nodePages(sb, n, "FilePages", st.nodeStat(n, "nr_file_pages"));
        nodePages(sb, n, "Mapped", 0);
        nodePages(sb, n, "AnonPages", st.nodeStat(n, "nr_anon_pages"));
        nodePages(sb, n, "Shmem", st.nodeStat(n, "nr_shmem"));
        nodeKb(sb, n, "KernelStack", st.nodeStat(n, "nr_kernel_stack"), 16);
        nodePages(sb, n, "PageTables", st.nodeStat(n, "nr_page_table_pages"));
        nodePages(sb, n, "SecPageTables", 0);
        nodePages(sb, n, "NFS_Unstable", 0);
        nodePages(sb, n, "Bounce", 0);
        nodePages(sb, n, "WritebackTmp", 0);
        long sRecl = st.nodeStat(n, "nr_slab_reclaimable");
        long sUnrecl = st.nodeStat(n, "nr_slab_unreclaimable");
        nodePages(sb, n, "KReclaimable", sRecl);
        nodePages(sb, n, "Slab", sRecl + sUnrecl);
        nodePages(sb, n, "SReclaimable", sRecl);
        nodePages(sb, n, "SUnreclaim", sUnrecl);
        nodePages(sb, n, "AnonHugePages", 0);
        nodePages(sb, n, "ShmemHugePages", 0);
        nodePages(sb, n, "ShmemPmdMapped", 0);
        // 6.1's format strings have one space less after "FileHugePages:" and "FilePmdMapped:"
        int fileThpWidth = mm.version.has(KernelFeature.NODE_MEMINFO_FILE_THP_ALIGNED) ? 16 : 15;
        nodeKb(sb, n, "FileHugePages", 0, fileThpWidth);
        nodeKb(sb, n, "FilePmdMapped", 0, fileThpWidth);
        if (mm.version.has(KernelFeature.UNACCEPTED_MEMORY_COUNTERS)) {
            nodePages(sb, n, "Unaccepted", 0);
        }
        for (String h : new String[] {"HugePages_Total", "HugePages_Free", "HugePages_Surp"}) {
            sb.append("Node ").append(n.nid).append(' ').append(padRight(h + ":", 16)).append(' ').append(padLeft(0, 5))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Models node_read_numastat(). */
    static String nodeNumastat(MemoryModel mm, Node n) {
        VmStatSnapshot st = new VmStatSnapshot(mm);
        String[][] names = {{"numa_hit", "numa_hit"}, {"numa_miss", "numa_miss"}, {"numa_foreign", "numa_foreign"},
            {"interleave_hit", "numa_interleave"}, {"local_node", "numa_local"}, {"other_node", "numa_other"}};
        StringBuilder sb = new StringBuilder();
        for (String[] nm : names) {
            long v = 0;
            for (Zone z : n.configured) {
                v += st.numaEvent(z, nm[1]);
            }
            sb.append(nm[0]).append(' ').append(v).append('\n');
        }
        return sb.toString();
    }

    /** Models node_read_vmstat(): zone stats summed over the node, NUMA events, node stats. */
    static String nodeVmstat(MemoryModel mm, Node n) {
        VmStatSnapshot st = new VmStatSnapshot(mm);
        StringBuilder sb = new StringBuilder();
        for (String item : VmstatItems.zoneStats(mm.version)) {
            long v = 0;
            for (Zone z : n.configured) {
                v += st.zoneStat(z, item);
            }
            sb.append(item).append(' ').append(v).append('\n');
        }
        for (String item : VmstatItems.NUMA_EVENTS) {
            long v = 0;
            for (Zone z : n.configured) {
                v += st.numaEvent(z, item);
            }
            sb.append(item).append(' ').append(v).append('\n');
        }
        for (String item : VmstatItems.nodeStats(mm.version)) {
            sb.append(item).append(' ').append(nodeStatPrinted(st, n, item)).append('\n');
        }
        return sb.toString();
    }

    /** Models node_read_distance(): node_distance() to every online node. */
    static String nodeDistance(MemoryModel mm, Node n) {
        StringBuilder sb = new StringBuilder();
        for (Node o : mm.nodes) {
            if (!o.online) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(mm.nodeDistance(n.nid, o.nid));
        }
        return sb.append('\n').toString();
    }

    private static long nodeStatPrinted(VmStatSnapshot st, Node n, String item) {
        long v = st.nodeStat(n, item);
        return VmstatItems.printInThp(item) ? v / HPAGE_PMD_NR : v;
    }

    // ---------------------------------------------------------------- /proc/zoneinfo

    /** is_zone_first_populated(): the lowest populated zone of the node prints the node stats. */
    private static boolean firstPopulated(Node n, Zone z) {
        for (Zone o : n.configured) {
            if (o.populated()) {
                return o == z;
            }
        }
        return false;
    }

    private static void stat(StringBuilder sb, String name, long v) {
        sb.append("\n      ").append(padRight(name, 12)).append(' ').append(v);
    }

    /**
     * Models zoneinfo_show_print(): every zone of every online node; the node stats at the
     * first populated zone; for unpopulated zones only the watermarks, span and protection.
     */
    static String zoneinfo(MemoryModel mm) {
        VmStatSnapshot st = new VmStatSnapshot(mm);
        boolean promo = mm.version.has(KernelFeature.ZONEINFO_PROMO_WATERMARK);
        StringBuilder sb = new StringBuilder();
        for (Node n : mm.nodes) {
            if (!n.online) {
                continue;
            }
            for (Zone z : n.configured) {
                sb.append("Node ").append(n.nid).append(", zone ").append(padLeft(z.name(), 8));
                if (firstPopulated(n, z)) {
                    sb.append("\n  per-node stats");
                    for (String item : VmstatItems.nodeStats(mm.version)) {
                        stat(sb, item, nodeStatPrinted(st, n, item));
                    }
                }
                sb.append("\n  pages free     ").append(z.freePages());
                sb.append("\n        boost    ").append(0);
                sb.append("\n        min      ").append(z.wmarkMin);
                sb.append("\n        low      ").append(z.wmarkLow);
                sb.append("\n        high     ").append(z.wmarkHigh);
                if (promo) {
                    sb.append("\n        promo    ").append(z.wmarkPromo);
                }
                sb.append("\n        spanned  ").append(z.spannedPages);
                sb.append("\n        present  ").append(z.presentPages);
                sb.append("\n        managed  ").append(z.managedPages);
                sb.append("\n        cma      ").append(z.cmaPages);
                sb.append("\n        protection: (");
                for (int i = 0; i < n.configured.length; i++) {
                    sb.append(i == 0 ? "" : ", ").append(z.lowmemReserve[n.configured[i].type.ordinal()]);
                }
                sb.append(')');
                if (!z.populated()) {
                    sb.append('\n');
                    continue;
                }
                for (String item : VmstatItems.zoneStats(mm.version)) {
                    stat(sb, item, st.zoneStat(z, item));
                }
                for (String item : VmstatItems.NUMA_EVENTS) {
                    stat(sb, item, st.numaEvent(z, item));
                }
                sb.append("\n  pagesets");
                // model: no per-cpu lists, so count is 0 and high is the value Linux derives
                sb.append("\n    cpu: 0");
                sb.append("\n              count: ").append(0);
                sb.append("\n              high:  ").append(Watermarks.pcpHigh(z));
                sb.append("\n              batch: ").append(Watermarks.pcpBatch(z));
                sb.append("\n  vm stats threshold: ").append(Watermarks.statThreshold(z));
                sb.append("\n  node_unreclaimable:  ").append(0);
                sb.append("\n  start_pfn:           ").append(z.startPfn);
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- /proc/buddyinfo

    /** Models frag_show_print(): one line per populated zone, free chunks per order. */
    static String buddyinfo(MemoryModel mm) {
        StringBuilder sb = new StringBuilder();
        for (Node n : mm.nodes) {
            for (Zone z : n.configured) {
                if (!z.populated()) {
                    continue;
                }
                sb.append("Node ").append(n.nid).append(", zone ").append(padLeft(z.name(), 8)).append(' ');
                for (int o = 0; o < mm.arch.nrOrders(); o++) {
                    sb.append(padLeft(z.nrFree(o), 6)).append(' ');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- /proc/pagetypeinfo

    /** The migratetypes Debian's kernels have (MIGRATE_TYPES without CONFIG_CMA). */
    private static boolean printed(MigrateType mt) {
        return mt != MigrateType.CMA;
    }

    /** pagetypeinfo_showfree_print() stops counting a list at 100000 and prints ">100000". */
    private static final int FREECOUNT_CAP = 100000;

    /**
     * Models pagetypeinfo_show() per node with memory: the pageblock geometry,
     * pagetypeinfo_showfree() and pagetypeinfo_showblockcount() (no mixed-block section:
     * page_owner is off).
     */
    static String pagetypeinfo(MemoryModel mm) {
        StringBuilder sb = new StringBuilder();
        for (Node n : mm.nodes) {
            if (!n.online || n.presentPages == 0) {
                continue;
            }
            sb.append("Page block order: ").append(mm.arch.pageblockOrder()).append('\n');
            sb.append("Pages per block:  ").append(mm.arch.pageblockPages()).append('\n');
            sb.append('\n');
            sb.append(padRight("Free pages count per migrate type at order", 43)).append(' ');
            for (int o = 0; o < mm.arch.nrOrders(); o++) {
                sb.append(padLeft(o, 6)).append(' ');
            }
            sb.append('\n');
            for (Zone z : n.configured) {
                if (!z.populated()) {
                    continue;
                }
                for (MigrateType mt : MigrateType.values()) {
                    if (!printed(mt)) {
                        continue;
                    }
                    sb.append("Node ").append(padLeft(n.nid, 4)).append(", zone ").append(padLeft(z.name(), 8))
                            .append(", type ").append(padLeft(mt.text(), 12)).append(' ');
                    for (int o = 0; o < mm.arch.nrOrders(); o++) {
                        int c = z.nrFree(o, mt);
                        if (c >= FREECOUNT_CAP) {
                            sb.append('>').append(padLeft(FREECOUNT_CAP, 6));
                        } else {
                            sb.append(padLeft(c, 6));
                        }
                        sb.append(' ');
                    }
                    sb.append('\n');
                }
            }
            sb.append('\n');
            sb.append(padRight("Number of blocks type ", 23));
            for (MigrateType mt : MigrateType.values()) {
                if (printed(mt)) {
                    sb.append(padLeft(mt.text(), 12)).append(' ');
                }
            }
            sb.append('\n');
            for (Zone z : n.configured) {
                if (!z.populated()) {
                    continue;
                }
                long[] counts = blockCounts(mm, z);
                sb.append("Node ").append(n.nid).append(", zone ").append(padLeft(z.name(), 8)).append(' ');
                for (MigrateType mt : MigrateType.values()) {
                    if (printed(mt)) {
                        sb.append(padLeft(counts[mt.ordinal()], 12)).append(' ');
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Models pagetypeinfo_showblockcount_print(): from zone_start_pfn in pageblock steps, every
     * online pageblock of this zone counts for its migratetype.
     */
    private static long[] blockCounts(MemoryModel mm, Zone z) {
        long[] counts = new long[MigrateType.values().length];
        for (long pfn = z.startPfn; pfn < z.endPfn(); pfn += mm.arch.pageblockPages()) {
            if (!mm.pfnOnline(pfn) || mm.zoneIndexOf(pfn) != z.type.ordinal()) {
                continue;
            }
            counts[mm.pageblockMigratetype(pfn).ordinal()]++;
        }
        return counts;
    }

    // ---------------------------------------------------------------- /proc/vmstat

    /**
     * Models global_dirty_limits() as /proc/vmstat shows it: dirtyable memory (free pages above
     * totalreserve_pages, plus the file LRU, plus one) times the ratio in PAGE_SIZE units.
     * Returns {nr_dirty_threshold, nr_dirty_background_threshold}.
     */
    static long[] dirtyLimits(MemoryModel mm, VmStatSnapshot st) {
        long x = mm.totalFreePages();
        x -= Math.min(x, mm.watermarks.totalreservePages);
        x += st.activeFile() + st.inactiveFile();
        long available = x + 1;
        long ratio = DIRTY_RATIO * mm.arch.pageSize() / 100;
        long bgRatio = DIRTY_BACKGROUND_RATIO * mm.arch.pageSize() / 100;
        long thresh = ratio * available / mm.arch.pageSize();
        long bg = bgRatio * available / mm.arch.pageSize();
        if (bg >= thresh) {
            bg = thresh / 2;
        }
        return new long[] {thresh, bg};
    }

    /** nr_memmap_pages / nr_memmap_boot_pages (6.12): memmap pages of hot-added / boot sections. */
    private static long[] memmapPages(MemoryModel mm) {
        long perSection = (long) mm.arch.pagesPerSection() * 64 / mm.arch.pageSize();
        long hot = 0;
        long boot = 0;
        for (MemSection s : mm.presentSections()) {
            if (s.isEarly()) {
                boot += perSection;
            } else {
                hot += perSection;
            }
        }
        return new long[] {hot, boot};
    }

    /** Models vmstat_start()/vmstat_show(): every item of vmstat_text as "name value". */
    static String vmstat(MemoryModel mm) {
        VmStatSnapshot st = new VmStatSnapshot(mm);
        StringBuilder sb = new StringBuilder();
        for (String item : VmstatItems.zoneStats(mm.version)) {
            long v = 0;
            for (Node n : mm.nodes) {
                for (Zone z : n.configured) {
                    v += st.zoneStat(z, item);
                }
            }
            line(sb, item, v);
        }
        for (String item : VmstatItems.NUMA_EVENTS) {
            long v = 0;
            for (Node n : mm.nodes) {
                for (Zone z : n.configured) {
                    v += st.numaEvent(z, item);
                }
            }
            line(sb, item, v);
        }
        for (String item : VmstatItems.nodeStats(mm.version)) {
            long v = 0;
            for (Node n : mm.nodes) {
                v += nodeStatPrinted(st, n, item);
            }
            line(sb, item, v);
        }
        long[] dirty = dirtyLimits(mm, st);
        line(sb, "nr_dirty_threshold", dirty[0]);
        line(sb, "nr_dirty_background_threshold", dirty[1]);
        if (mm.version.has(KernelFeature.VMSTAT_MEMMAP_PAGES)) {
            long[] memmap = memmapPages(mm);
            line(sb, "nr_memmap_pages", memmap[0]);
            line(sb, "nr_memmap_boot_pages", memmap[1]);
        }
        for (String item : VmstatItems.vmEvents(mm.version)) {
            line(sb, item, st.vmEvent(item));
        }
        line(sb, "nr_unstable", 0);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, long v) {
        sb.append(name).append(' ').append(v).append('\n');
    }

    // ---------------------------------------------------------------- helpers

    private static String padLeft(long v, int w) {
        return padLeft(Long.toString(v), w);
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }

    private static String padRight(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }
}
