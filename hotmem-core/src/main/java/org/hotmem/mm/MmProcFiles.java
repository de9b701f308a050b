package org.hotmem.mm;

import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;

/**
 * /proc/zoneinfo, /proc/meminfo, /proc/buddyinfo, /proc/pagetypeinfo (mm/vmstat.c,
 * fs/proc/meminfo.c) of one memory model. Reads are lockless snapshots, as in Linux.
 */
final class MmProcFiles {
    private MmProcFiles() {
    }

    static void register(MemoryModel mm, Kernfs fs) {
        KDir proc = fs.mkdirs("/proc");
        fs.addFile(proc, "zoneinfo", 0444, () -> zoneinfo(mm), null);
        fs.addFile(proc, "meminfo", 0444, () -> meminfo(mm), null);
        fs.addFile(proc, "buddyinfo", 0400, () -> buddyinfo(mm), null);
        fs.addFile(proc, "pagetypeinfo", 0400, () -> pagetypeinfo(mm), null);
    }

    /** Models zoneinfo_show_print(): the start_pfn line only for populated zones. */
    static String zoneinfo(MemoryModel mm) {
        StringBuilder sb = new StringBuilder();
        for (Node n : mm.nodes) {
            boolean first = true;
            for (Zone z : n.zones) {
                sb.append(String.format("Node %d, zone %8s", n.nid, z.name()));
                if (first) {
                    sb.append("\n  per-node stats");
                    sb.append(String.format("\n      %s %d", "nr_inactive_anon", 0));
                    sb.append(String.format("\n      %s %d", "nr_active_anon", 0));
                    first = false;
                }
                sb.append(String.format("\n  pages free     %d", z.freePages));
                sb.append(String.format("\n        boost    %d", 0));
                sb.append(String.format("\n        min      %d", z.wmarkMin));
                sb.append(String.format("\n        low      %d", z.wmarkLow));
                sb.append(String.format("\n        high     %d", z.wmarkHigh));
                sb.append(String.format("\n        spanned  %d", z.spannedPages));
                sb.append(String.format("\n        present  %d", z.presentPages));
                sb.append(String.format("\n        managed  %d", z.managedPages));
                sb.append(String.format("\n        cma      %d", z.cmaPages));
                sb.append("\n        protection: (0, 0, 0, 0, 0)");
                if (!z.populated()) {
                    sb.append('\n');
                    continue;
                }
                sb.append(String.format("\n      nr_free_pages %d", z.freePages));
                sb.append("\n  pagesets");
                sb.append("\n    cpu: 0");
                sb.append("\n              count: 0");
                sb.append("\n              high:  0");
                sb.append("\n              batch: 1");
                sb.append("\n  vm stats threshold: 0");
                sb.append("\n  node_unreclaimable:  0");
                sb.append(String.format("\n  start_pfn:           %d", z.startPfn));
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static void kb(StringBuilder sb, String name, long pages) {
        sb.append(String.format("%-16s%8d kB%n", name + ":", pages * 4));
    }

    /** Models meminfo_proc_show() (the memory totals hotmem tracks; the rest reads 0). */
    static String meminfo(MemoryModel mm) {
        StringBuilder sb = new StringBuilder();
        long lru = 0;
        for (AddressSpace as : mm.owners()) {
            for (int s = 0; s < as.size(); s++) {
                if (as.pfn(s) >= 0) {
                    lru++;
                }
            }
        }
        kb(sb, "MemTotal", mm.totalManagedPages());
        kb(sb, "MemFree", mm.totalFreePages());
        kb(sb, "MemAvailable", mm.totalFreePages());
        kb(sb, "Buffers", 0);
        kb(sb, "Cached", 0);
        kb(sb, "SwapCached", 0);
        kb(sb, "Active", lru);
        kb(sb, "Inactive", 0);
        kb(sb, "Unevictable", 0);
        kb(sb, "Mlocked", 0);
        kb(sb, "SwapTotal", 0);
        kb(sb, "SwapFree", 0);
        kb(sb, "Dirty", 0);
        kb(sb, "Writeback", 0);
        kb(sb, "AnonPages", lru);
        kb(sb, "Mapped", 0);
        kb(sb, "Shmem", 0);
        long movableTotal = 0;
        long movableFree = 0;
        for (Node n : mm.nodes) {
            Zone z = n.zone(ZoneType.MOVABLE);
            movableTotal += z.managedPages;
            movableFree += z.freePages;
        }
        kb(sb, "HugePages_Total", 0);
        kb(sb, "CmaTotal", 0);
        kb(sb, "CmaFree", 0);
        sb.append(String.format("%-16s%8d kB%n", "Hugepagesize:", 2048));
        assert movableTotal >= movableFree;
        return sb.toString();
    }

    /** Models frag_show(): one line per populated zone, free chunks per order. */
    static String buddyinfo(MemoryModel mm) {
        StringBuilder sb = new StringBuilder();
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                if (!z.populated()) {
                    continue;
                }
                sb.append(String.format("Node %d, zone %8s ", n.nid, z.name()));
                for (int o = 0; o < Zone.NR_ORDERS; o++) {
                    sb.append(String.format("%6d ", z.nrFree(o)));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** Models pagetypeinfo_show(). */
    static String pagetypeinfo(MemoryModel mm) {
        StringBuilder sb = new StringBuilder();
        sb.append("Page block order: 9\nPages per block:  512\n\n");
        sb.append(String.format("%-43s", "Free pages count per migrate type at order"));
        for (int o = 0; o < Zone.NR_ORDERS; o++) {
            sb.append(String.format("%6d ", o));
        }
        sb.append('\n');
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                if (!z.populated()) {
                    continue;
                }
                for (MigrateType mt : MigrateType.values()) {
                    sb.append(String.format("Node %4d, zone %8s, type %12s ", n.nid, z.name(), mt.text()));
                    for (int o = 0; o < Zone.NR_ORDERS; o++) {
                        sb.append(String.format("%6d ", z.nrFree(o, mt)));
                    }
                    sb.append('\n');
                }
            }
        }
        sb.append('\n');
        sb.append(String.format("%-23s", "Number of blocks type "));
        for (MigrateType mt : MigrateType.values()) {
            sb.append(String.format("%12s ", mt.text()));
        }
        sb.append('\n');
        for (Node n : mm.nodes) {
            for (Zone z : n.zones) {
                if (!z.populated()) {
                    continue;
                }
                long[] counts = new long[MigrateType.values().length];
                for (long pb = z.startPfn & ~(MemoryModel.PAGEBLOCK_PAGES - 1L); pb < z.endPfn(); pb += MemoryModel.PAGEBLOCK_PAGES) {
                    if (mm.zoneIndexOf(pb) == z.type.ordinal()) {
                        counts[mm.pageblockMigratetype(pb).ordinal()]++;
                    }
                }
                sb.append(String.format("Node %d, zone %8s ", n.nid, z.name()));
                for (long c : counts) {
                    sb.append(String.format("%12d ", c));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
