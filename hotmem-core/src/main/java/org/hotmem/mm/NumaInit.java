package org.hotmem.mm;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.hotmem.kernel.Dmesg;

/**
 * The x86 NUMA set-up of boot: numa_init() with x86_acpi_numa_init() (the SRAT) or
 * dummy_numa_init() (no SRAT: one node faked over all memory), in arch/x86/mm/numa.c (6.1)
 * and mm/numa_memblks.c (6.12). It maps proximity domains to node ids in the order the SRAT
 * names them (processor entries first: acpi_map_pxm_to_node()), prints the SRAT lines,
 * trims the memory blocks to RAM below max_pfn and merges each node's neighbouring blocks
 * (numa_cleanup_meminfo()), and sets node_possible_map from every node the table names.
 *
 * <p>Invariant: immutable after {@link #run}; {@link #meminfo()} blocks are disjoint and
 * sorted by start within a node.
 */
final class NumaInit {
    /** One numa_memblk: [start, end) of node nid, in bytes. */
    record Block(int nid, long start, long end) {
    }

    private final int[] pxmToNode = new int[256];
    private int nextNode;
    private final BitSet possible = new BitSet();
    private final List<Block> meminfo = new ArrayList<>();
    private int cpuNode;
    private final int pageShift;

    private NumaInit(Arch arch) {
        this.pageShift = arch.pageShift();
        java.util.Arrays.fill(pxmToNode, -1);
    }

    /**
     * Runs numa_init() for the firmware's SRAT over the boot RAM ({@code memory}, memblock
     * ranges in bytes) up to {@code maxPfn}, printing what Linux prints. Without an SRAT, x86's
     * dummy_numa_init() prints its fake node; a device-tree machine (one node) prints nothing here.
     */
    static NumaInit run(Arch arch, Srat srat, List<long[]> memory, long maxPfn, KernelVersion version, Dmesg log) {
        NumaInit n = new NumaInit(arch);
        long high = maxPfn << arch.pageShift();
        if (!srat.present()) {
            if (arch.bootMap() == Arch.BootMap.E820) {
                log.info("No NUMA configuration found");
                log.info(String.format("Faking a node at [mem %#018x-%#018x]", 0L, high - 1));
            }
            n.possible.set(0);
            n.meminfo.add(new Block(0, 0, high));
            return n;
        }
        List<Block> blocks = new ArrayList<>();
        for (int apic = 0; apic < srat.cpuProximity().size(); apic++) {
            int pxm = srat.cpuProximity().get(apic);
            int node = n.mapPxm(pxm);
            if (apic == 0) {
                n.cpuNode = node;
            }
            if (version.has(KernelFeature.SRAT_APIC_LINES)) {
                log.info(String.format("SRAT: PXM %d -> APIC 0x%02x -> Node %d", pxm, apic, node));
            }
        }
        for (Srat.Memory m : srat.memory()) {
            int node = n.mapPxm(m.proximityDomain());
            log.info(String.format("ACPI: SRAT: Node %d PXM %d [mem %#010x-%#010x]%s", node, m.proximityDomain(),
                    m.base(), m.end() - 1, m.hotpluggable() ? " hotplug" : ""));
            blocks.add(new Block(node, m.base(), m.end()));
        }
        long low = version.has(KernelFeature.NUMA_MEMINFO_FROM_FIRST_MEMORY) ? memory.get(0)[0] : 0;
        n.cleanup(blocks, memory, low, high, log);
        return n;
    }

    /** acpi_map_pxm_to_node(): the next free node id for a proximity domain seen first. */
    private int mapPxm(int pxm) {
        if (pxmToNode[pxm] < 0) {
            pxmToNode[pxm] = nextNode++;
        }
        possible.set(pxmToNode[pxm]);
        return pxmToNode[pxm];
    }

    /**
     * Models numa_cleanup_meminfo(): blocks without RAM move to the reserved list, the rest are
     * clipped to [low, high), then blocks of one node are joined when the hole between them
     * holds no other node's memory, each join printed.
     */
    private void cleanup(List<Block> blocks, List<long[]> memory, long low, long high, Dmesg log) {
        List<Block> mi = new ArrayList<>();
        for (Block b : blocks) {
            if (!overlapsMemory(memory, b.start, b.end)) {
                continue;
            }
            long s = Math.max(b.start, low);
            long e = Math.min(b.end, high);
            if (s < e) {
                mi.add(new Block(b.nid, s, e));
            }
        }
        for (int i = 0; i < mi.size(); i++) {
            for (int j = i + 1; j < mi.size(); j++) {
                Block bi = mi.get(i);
                Block bj = mi.get(j);
                if (bi.nid != bj.nid) {
                    continue;
                }
                long start = Math.min(bi.start, bj.start);
                long end = Math.max(bi.end, bj.end);
                boolean blocked = false;
                for (Block bk : mi) {
                    if (bk.nid != bi.nid && start < bk.end && end > bk.start) {
                        blocked = true;
                        break;
                    }
                }
                if (blocked) {
                    continue;
                }
                log.info(String.format("NUMA: Node %d [mem %#010x-%#010x] + [mem %#010x-%#010x] -> [mem %#010x-%#010x]",
                        bi.nid, bi.start, bi.end - 1, bj.start, bj.end - 1, start, end - 1));
                mi.set(i, new Block(bi.nid, start, end));
                mi.remove(j--);
            }
        }
        meminfo.addAll(mi);
    }

    private static boolean overlapsMemory(List<long[]> memory, long start, long end) {
        for (long[] r : memory) {
            if (r[0] < end && start < r[1]) {
                return true;
            }
        }
        return false;
    }

    /** node_possible_map. */
    BitSet possible() {
        return (BitSet) possible.clone();
    }

    /** nr_node_ids: the highest possible node + 1. */
    int nrNodeIds() {
        return possible.length();
    }

    /** The node of CPU 0 (early_cpu_to_node(0)). */
    int cpuNode() {
        return cpuNode;
    }

    /** numa_meminfo after clean-up. */
    List<Block> meminfo() {
        return List.copyOf(meminfo);
    }

    /** The node memblock assigns to pfn (memblock_set_node() from numa_meminfo), or -1 outside every block. */
    int nodeOf(long pfn) {
        long addr = pfn << pageShift;
        for (Block b : meminfo) {
            if (addr >= b.start && addr < b.end) {
                return b.nid;
            }
        }
        return -1;
    }

    /** The hull [start, end) in bytes of node nid's blocks, or null when it has no memory. */
    long[] span(int nid) {
        long lo = Long.MAX_VALUE;
        long hi = -1;
        for (Block b : meminfo) {
            if (b.nid == nid) {
                lo = Math.min(lo, b.start);
                hi = Math.max(hi, b.end);
            }
        }
        return hi < 0 ? null : new long[] {lo, hi};
    }

    /** A memblock range [r0, r1) split at node boundaries: {start, end, nid} parts, ascending (memblock_set_node()). */
    List<long[]> split(long[] r) {
        List<long[]> out = new ArrayList<>();
        long at = r[0];
        while (at < r[1]) {
            int nid = Math.max(0, nodeOf(at >>> pageShift));
            long end = r[1];
            for (Block b : meminfo) {
                if (b.start > at && b.start < end) {
                    end = b.start;
                }
                if (at >= b.start && at < b.end && b.end < end) {
                    end = b.end;
                }
            }
            out.add(new long[] {at, end, nid});
            at = end;
        }
        return out;
    }

    /** The node of pfn, or of the nearest block below it (holes inside a section belong to the section's node). */
    int nodeOfOrNearest(long pfn) {
        long addr = pfn << pageShift;
        int best = 0;
        long bestStart = -1;
        for (Block b : meminfo) {
            if (addr >= b.start && addr < b.end) {
                return b.nid;
            }
            if (b.start <= addr && b.start > bestStart) {
                best = b.nid;
                bestStart = b.start;
            }
        }
        return best;
    }

    /** The nodes of the SRAT, without parsing memory: what node_possible_map will be (for sizing pgdat arrays). */
    static int nrNodeIds(Srat srat) {
        NumaInit n = new NumaInit(Arch.X86_64); // only the PXM map is used
        srat.cpuProximity().forEach(n::mapPxm);
        srat.memory().forEach(m -> n.mapPxm(m.proximityDomain()));
        return Math.max(1, n.nrNodeIds());
    }
}
