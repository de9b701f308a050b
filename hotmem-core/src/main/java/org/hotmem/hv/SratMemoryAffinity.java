package org.hotmem.hv;

/**
 * One SRAT Memory Affinity structure that QEMU builds (build_srat_memory() in
 * hw/i386/acpi-build.c). Only enabled, non-empty entries are recorded here: Linux ignores the
 * padding entries QEMU adds with length 0.
 */
public record SratMemoryAffinity(long base, long length, int proximityDomain, boolean hotpluggable) {

    /** Exclusive end. */
    public long end() {
        return base + length;
    }

    /**
     * The line acpi_numa_memory_affinity_init() in drivers/acpi/numa/srat.c prints for this
     * entry on a single-node guest, e.g. {@code ACPI: SRAT: Node 0 PXM 0 [mem 0x140000000-0x63fffffff] hotplug}.
     */
    public String logLine(int node) {
        return String.format("ACPI: SRAT: Node %d PXM %d [mem %#010x-%#010x]%s", node, proximityDomain, base,
                end() - 1, hotpluggable ? " hotplug" : "");
    }
}
