package org.hotmem.mm;

import java.util.List;

/**
 * The ACPI System Resource Affinity Table as the firmware hands it to the kernel (what the
 * guest's acpi_numa_init() parses): the proximity domain of each processor (by APIC id) and
 * the enabled memory affinity ranges, in table order. Built by the hypervisor (QEMU's
 * build_srat()); read by {@link NumaInit}. An empty table stands for "no SRAT".
 *
 * @param cpuProximity the proximity domain of the processor with APIC id i
 * @param memory       the enabled Memory Affinity structures (QEMU's zero-length padding
 *                     entries are disabled and omitted: Linux skips them)
 * @param distances    the SLIT that comes with it (row i: distances from proximity domain i),
 *                     empty without one; // model: proximity domain i is node i here
 */
public record Srat(List<Integer> cpuProximity, List<Memory> memory, List<List<Integer>> distances) {
    /** No SRAT at all (QEMU builds none without NUMA nodes). */
    public static final Srat NONE = new Srat(List.of(), List.of(), List.of());

    public Srat {
        cpuProximity = List.copyOf(cpuProximity);
        memory = List.copyOf(memory);
        distances = distances.stream().map(List::copyOf).toList();
    }

    /** The SLIT as numa_distance[][] (empty without a SLIT). */
    public int[][] slit() {
        return distances.stream().map(r -> r.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    /** True when the firmware provides a SRAT. */
    public boolean present() {
        return !memory.isEmpty() || !cpuProximity.isEmpty();
    }

    /**
     * One Memory Affinity structure (ACPI 5.2.16.2): [base, base + length) belongs to
     * {@code proximityDomain}; {@code hotpluggable} is the Hot Pluggable flag.
     */
    public record Memory(long base, long length, int proximityDomain, boolean hotpluggable) {
        /** Exclusive end. */
        public long end() {
            return base + length;
        }
    }
}
