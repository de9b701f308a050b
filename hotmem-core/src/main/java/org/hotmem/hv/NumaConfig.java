package org.hotmem.hv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The guest NUMA topology of a QEMU 7.2 {@code pc} machine with one CPU, from its
 * {@code -numa} options. Models parse_numa() / set_numa_options() / parse_numa_node() /
 * parse_numa_distance() in hw/core/numa.c (the options as QAPI's OptsVisitor reads them:
 * {@code node,nodeid=,cpus=,mem=,memdev=,initiator=}, {@code dist,src=,dst=,val=},
 * {@code cpu,node-id=,...}), machine_set_cpu_numa_node() for CPU 0, and
 * numa_complete_configuration(): the implicit node 0 when memory hotplug is configured
 * without {@code -numa}, no gaps in node ids, node memory adding up to {@code -m}, each node's
 * backend consumed by the machine, and the distance table completed symmetrically.
 *
 * <p>Errors are {@link QemuConfigException}s with QEMU's text: option-parse errors start
 * with the option ({@code -numa node,nodeid=0: Duplicate NUMA nodeid: 0}), board errors do not
 * ({@code numa: Node ID missing: 1}).
 *
 * <p>Invariant: immutable once built; node ids are 0..{@link #nodeCount()}-1.
 */
public final class NumaConfig {
    /** MAX_NODES in include/sysemu/numa.h. */
    static final int MAX_NODES = 128;
    /** NUMA_DISTANCE_MIN: the distance of a node to itself. */
    public static final int NUMA_DISTANCE_MIN = 10;
    /** The only CPU of the modelled machine ({@code -smp 1}). */
    private static final int MAX_CPUS = 1;

    private final long[] nodeMem = new long[MAX_NODES];
    private final MemoryBackend[] nodeMemdev = new MemoryBackend[MAX_NODES];
    private final boolean[] present = new boolean[MAX_NODES];
    private final int[][] distance = new int[MAX_NODES][MAX_NODES];
    private boolean haveDistance;
    private int numNodes;
    private int maxNodeId;
    /** The node CPU 0 was assigned to with cpus= or -numa cpu, -1 if none. */
    private int cpuNode = -1;
    private boolean haveMemdevs;
    private boolean haveMem;

    private NumaConfig() {
    }

    /**
     * Parses the values of the {@code -numa} options in command-line order and completes the
     * configuration as the board does.
     *
     * @param values         the values of each {@code -numa} option (without "-numa")
     * @param backend        resolves a memdev path to a memory backend, or null
     * @param memory         the {@code -m} options
     * @throws QemuConfigException with QEMU's message
     */
    public static NumaConfig parse(List<String> values, Function<String, MemoryBackend> backend, MemoryOptions memory) {
        NumaConfig c = new NumaConfig();
        for (String v : values) {
            try {
                c.parseOne(v, backend);
            } catch (QemuConfigException e) {
                throw new QemuConfigException("-numa " + v + ": " + e.getMessage());
            }
        }
        c.complete(memory);
        return c;
    }

    /** Number of NUMA nodes (0: the guest gets no SRAT). */
    public int nodeCount() {
        return numNodes;
    }

    /** Boot memory of node nid (numa_info[nid].node_mem). */
    public long nodeMemory(int nid) {
        return nodeMem[nid];
    }

    /** The node of CPU 0: its explicit assignment, else pc_get_default_cpu_node_id() (socket 0 % nodes = 0). */
    public int cpuNode() {
        return cpuNode >= 0 ? cpuNode : 0;
    }

    /** True when {@code -numa dist} was given (QEMU then builds a SLIT). */
    public boolean hasDistances() {
        return haveDistance;
    }

    /** The completed distance from node a to node b (meaningful when {@link #hasDistances()}). */
    public int distance(int a, int b) {
        return distance[a][b];
    }

    private void parseOne(String value, Function<String, MemoryBackend> backend) {
        Opts o = new Opts(QemuOpts.parse("-numa", value, "type"));
        String type = o.string("type", true);
        switch (type) {
            case "node" -> parseNode(o, backend);
            case "dist" -> parseDist(o);
            case "cpu" -> parseCpu(o);
            case "hmat-lb", "hmat-cache" -> {
                throw new QemuConfigException("ACPI Heterogeneous Memory Attribute Table (HMAT) is disabled, enable it"
                        + " with -machine hmat=on before using any of hmat specific options");
            }
            default -> throw new QemuConfigException("Parameter 'type' does not accept value '" + type + "'");
        }
    }

    /** Models parse_numa_node(). */
    private void parseNode(Opts o, Function<String, MemoryBackend> backend) {
        Long nodeid = o.uint("nodeid", 0xffff, "uint16_t");
        List<Long> cpus = o.uintList("cpus", 0xffff, "uint16_t");
        boolean hasMem = o.has("mem");
        Long mem = hasMem ? o.size("mem") : null;
        String memdev = o.string("memdev", false);
        Long initiator = o.uint("initiator", 0xffff, "uint16_t");
        o.checkConsumed();
        int nodenr = nodeid != null ? (int) (long) nodeid : numNodes;
        if (nodenr >= MAX_NODES) {
            throw new QemuConfigException("Max number of NUMA nodes reached: " + nodenr);
        }
        if (present[nodenr]) {
            throw new QemuConfigException("Duplicate NUMA nodeid: " + nodenr);
        }
        if (initiator != null) {
            throw new QemuConfigException("ACPI Heterogeneous Memory Attribute Table (HMAT) is disabled, enable it"
                    + " with -machine hmat=on before using any of hmat specific options");
        }
        for (long cpu : cpus) {
            if (cpu >= MAX_CPUS) {
                throw new QemuConfigException("CPU index (" + cpu + ") should be smaller than maxcpus (" + MAX_CPUS + ")");
            }
            assignCpu(nodenr);
        }
        haveMemdevs |= memdev != null;
        haveMem |= hasMem;
        if ((hasMem && haveMemdevs) || (memdev != null && haveMem)) {
            throw new QemuConfigException("numa configuration should use either mem= or memdev=,mixing both is not allowed");
        }
        if (hasMem) {
            // pc-i440fx-5.1 and newer clear numa_mem_supported
            throw new QemuConfigException("Parameter -numa node,mem is not supported by this machine type\n"
                    + "Use -numa node,memdev instead");
        }
        assert mem == null;
        if (memdev != null) {
            MemoryBackend b = backend.apply(memdev);
            if (b == null) {
                throw new QemuConfigException("memdev=" + memdev + " is ambiguous");
            }
            nodeMem[nodenr] = b.size();
            nodeMemdev[nodenr] = b;
        }
        present[nodenr] = true;
        maxNodeId = Math.max(maxNodeId, nodenr + 1);
        numNodes++;
    }

    /** Models machine_set_cpu_numa_node() for the machine's one CPU slot. */
    private void assignCpu(int nodenr) {
        if (cpuNode >= 0 && cpuNode != nodenr) {
            throw new QemuConfigException("CPU is already assigned to node-id: " + cpuNode);
        }
        cpuNode = nodenr;
    }

    /** Models set_numa_options() for NUMA_OPTIONS_TYPE_CPU: the CPU slot with socket/die/core/thread 0. */
    private void parseCpu(Opts o) {
        Long nodeId = o.integer("node-id");
        List<Long> ids = new ArrayList<>();
        for (String k : new String[] {"socket-id", "die-id", "core-id", "thread-id"}) {
            Long id = o.integer(k);
            if (id != null) {
                ids.add(id);
            }
        }
        o.checkConsumed();
        if (nodeId == null) {
            throw new QemuConfigException("Missing mandatory node-id property");
        }
        if (nodeId < 0 || nodeId >= MAX_NODES || !present[(int) (long) nodeId]) {
            throw new QemuConfigException("Invalid node-id=" + nodeId + ", NUMA node must be defined with -numa"
                    + " node,nodeid=ID before it's used with -numa cpu,node-id=ID");
        }
        for (long id : ids) {
            if (id != 0) {
                throw new QemuConfigException("no match found");
            }
        }
        assignCpu((int) (long) nodeId);
    }

    /** Models parse_numa_distance(). */
    private void parseDist(Opts o) {
        long src = o.required(o.uint("src", 0xffff, "uint16_t"), "src");
        long dst = o.required(o.uint("dst", 0xffff, "uint16_t"), "dst");
        long val = o.required(o.uint("val", 0xff, "uint8_t"), "val");
        o.checkConsumed();
        if (src >= MAX_NODES || dst >= MAX_NODES) {
            throw new QemuConfigException("Parameter '" + (src >= MAX_NODES ? "src" : "dst")
                    + "' expects an integer between 0 and " + (MAX_NODES - 1));
        }
        if (!present[(int) src] || !present[(int) dst]) {
            throw new QemuConfigException("Source/Destination NUMA node is missing. Please use '-numa node' option to"
                    + " declare it first.");
        }
        if (val < NUMA_DISTANCE_MIN) {
            throw new QemuConfigException("NUMA distance (" + val + ") is invalid, it shouldn't be less than "
                    + NUMA_DISTANCE_MIN + ".");
        }
        if (src == dst && val != NUMA_DISTANCE_MIN) {
            throw new QemuConfigException("Local distance of node " + src + " should be " + NUMA_DISTANCE_MIN + ".");
        }
        distance[(int) src][(int) dst] = (int) val;
        haveDistance = true;
    }

    /** Models numa_complete_configuration() for the pc machine (auto_enable_numa_with_memhp/_memdev). */
    private void complete(MemoryOptions memory) {
        if (numNodes == 0 && (memory.slots() > 0 || Long.compareUnsigned(memory.maxRamSize(), memory.ramSize()) > 0)) {
            present[0] = true;
            numNodes = 1;
            maxNodeId = 1;
            nodeMem[0] = memory.ramSize();
        }
        for (int i = maxNodeId - 1; i >= 0; i--) {
            if (!present[i]) {
                throw new QemuConfigException("numa: Node ID missing: " + i);
            }
        }
        if (numNodes == 0) {
            return;
        }
        long total = 0;
        for (int i = 0; i < numNodes; i++) {
            total += nodeMem[i];
        }
        if (total != memory.ramSize()) {
            throw new QemuConfigException(String.format("total memory for NUMA nodes (0x%x) should equal RAM size (0x%x)",
                    total, memory.ramSize()));
        }
        for (int i = 0; i < numNodes; i++) {
            MemoryBackend b = nodeMemdev[i];
            if (b != null) {
                if (b.isMapped()) {
                    throw new QemuConfigException("memory backend " + b.id() + " can't be used multiple times.");
                }
                b.setMapped(true);
            }
        }
        if (haveDistance) {
            validateDistances();
            for (int s = 0; s < numNodes; s++) {
                for (int d = 0; d < numNodes; d++) {
                    if (distance[s][d] == 0) {
                        distance[s][d] = s == d ? NUMA_DISTANCE_MIN : distance[d][s];
                    }
                }
            }
        }
    }

    /** Models validate_numa_distance(). */
    private void validateDistances() {
        boolean asymmetric = false;
        for (int s = 0; s < numNodes; s++) {
            for (int d = s; d < numNodes; d++) {
                if (distance[s][d] == 0 && distance[d][s] == 0 && s != d) {
                    throw new QemuConfigException("The distance between node " + s + " and " + d + " is missing, at least"
                            + " one distance value between each nodes should be provided.");
                }
                if (distance[s][d] != 0 && distance[d][s] != 0 && distance[s][d] != distance[d][s]) {
                    asymmetric = true;
                }
            }
        }
        if (asymmetric) {
            for (int s = 0; s < numNodes; s++) {
                for (int d = 0; d < numNodes; d++) {
                    if (s != d && distance[s][d] == 0) {
                        throw new QemuConfigException("At least one asymmetrical pair of distances is given, please provide"
                                + " distances for both directions of all node pairs.");
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "NumaConfig" + Arrays.toString(Arrays.copyOf(nodeMem, numNodes));
    }

    /** The members of one -numa option as QAPI's OptsVisitor reads them (opts_type_*). */
    private static final class Opts {
        private final QemuOpts opts;
        private final java.util.Set<String> consumed = new java.util.HashSet<>();

        Opts(QemuOpts opts) {
            this.opts = opts;
        }

        boolean has(String key) {
            return opts.has(key);
        }

        String string(String key, boolean mandatory) {
            consumed.add(key);
            String v = opts.get(key);
            if (v == null && mandatory) {
                throw new QemuConfigException("Parameter '" + key + "' is missing");
            }
            return v;
        }

        long required(Long v, String key) {
            if (v == null) {
                throw new QemuConfigException("Parameter '" + key + "' is missing");
            }
            return v;
        }

        /** opts_type_uint64() + visit_type_uintN()'s range check. */
        Long uint(String key, long max, String typeName) {
            consumed.add(key);
            String v = opts.get(key);
            if (v == null) {
                return null;
            }
            long n = parseUint(v);
            if (n < 0) {
                throw new QemuConfigException("Parameter '" + key + "' expects a uint64 value");
            }
            if (n > max) {
                throw new QemuConfigException("Parameter '" + key + "' expects " + typeName);
            }
            return n;
        }

        /** A repeated uint16 option in list mode, with "a-b" ranges. */
        List<Long> uintList(String key, long max, String typeName) {
            consumed.add(key);
            String v = opts.get(key);
            List<Long> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            int dash = v.indexOf('-', 1);
            long lo = parseUint(dash < 0 ? v : v.substring(0, dash));
            long hi = dash < 0 ? lo : parseUint(v.substring(dash + 1));
            if (lo < 0 || hi < 0 || hi < lo) {
                throw new QemuConfigException("Parameter '" + key + "' expects a uint64 value or range");
            }
            for (long i = lo; i <= hi; i++) {
                if (i > max) {
                    throw new QemuConfigException("Parameter '" + key + "' expects " + typeName);
                }
                out.add(i);
            }
            return out;
        }

        Long integer(String key) {
            consumed.add(key);
            String v = opts.get(key);
            if (v == null) {
                return null;
            }
            try {
                return Long.decode(v);
            } catch (NumberFormatException e) {
                throw new QemuConfigException("Parameter '" + key + "' expects an int64 value");
            }
        }

        Long size(String key) {
            consumed.add(key);
            try {
                return QemuSize.parse(opts.get(key), 'B');
            } catch (QemuSize.SizeFormatException e) {
                throw new QemuConfigException("Parameter '" + key + "' expects a size value");
            }
        }

        /** opts_end_struct(): the first option nothing consumed. */
        void checkConsumed() {
            for (String k : opts.keys()) {
                if (!consumed.contains(k)) {
                    throw new QemuConfigException("Invalid parameter '" + k + "'");
                }
            }
        }

        /** parse_uint() with base 0 (decimal, 0x hex, 0 octal); -1 when it is not a whole unsigned number. */
        private static long parseUint(String s) {
            String t = s.strip();
            if (t.isEmpty() || t.startsWith("-")) {
                return -1;
            }
            try {
                if (t.startsWith("0x") || t.startsWith("0X")) {
                    return Long.parseLong(t.substring(2), 16);
                }
                if (t.length() > 1 && t.startsWith("0")) {
                    return Long.parseLong(t.substring(1), 8);
                }
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
