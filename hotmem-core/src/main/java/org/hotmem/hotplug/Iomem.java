package org.hotmem.hotplug;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.E820Entry;

/**
 * /proc/iomem (kernel/resource.c, r_show()) as far as memory goes: the resources
 * e820__reserve_resources() made of the boot e820 table ("System RAM", "Reserved",
 * "Persistent Memory (legacy)", ...) and the "System RAM" resource of each hot-add
 * (register_memory_resource()), one line each, "%0*llx-%0*llx : NAME" with at least 8 hex digits.
 *
 * <p>Model: only these top-level memory resources; the kernel image's children ("Kernel
 * code", ...), the PCI windows, ROMs and APIC resources, the driver-managed names ("System RAM
 * (virtio_mem)") and the nesting under their parents are not modelled. Device memory mapped
 * by memremap_pages() adds no resource (its driver requests one).
 *
 * Drivers' regions inside them ({@link #requestMemRegion}, e.g. nd_pmem's "namespace0.0" in
 * "Persistent Memory (legacy)") are printed as children, indented by two spaces.
 *
 * <p>State: the requested regions (their drivers' bind/unbind, under device_lock); otherwise it
 * reads the memory model's e820 table and the hotplug resources (guarded by
 * device_hotplug_lock; a read sees one state between scheduling points).
 */
public final class Iomem {
    private final MemoryHotplug hp;
    /** Regions drivers requested inside a top-level resource (__request_region()): {start, end, name}. */
    private final List<Object[]> requested = new ArrayList<>();

    Iomem(MemoryHotplug hp, Kernfs fs) {
        this.hp = hp;
        fs.addFile(fs.mkdirs("/proc"), "iomem", 0444, this::show, null);
    }

    /** Models r_show() over iomem_resource's top level. */
    private String show() {
        List<Object[]> lines = new ArrayList<>();
        for (E820Entry e : hp.mm.e820Table()) {
            lines.add(new Object[] {e.addr(), e.end(), e.type().resourceName()});
        }
        for (long[] r : hp.hotAddedResources()) {
            lines.add(new Object[] {r[0], r[1], "System RAM"});
        }
        lines.sort(Comparator.comparingLong(l -> (long) l[0]));
        StringBuilder sb = new StringBuilder();
        for (Object[] l : lines) {
            sb.append(String.format("%08x-%08x : %s%n", (long) l[0], (long) l[1] - 1, l[2]));
            for (Object[] c : requested) {
                if ((long) c[0] >= (long) l[0] && (long) c[1] <= (long) l[1]) {
                    sb.append(String.format("  %08x-%08x : %s%n", (long) c[0], (long) c[1] - 1, c[2]));
                }
            }
        }
        return sb.toString();
    }

    /** Models devm_request_mem_region(dev, start, size, name): a child of the resource holding it. */
    public void requestMemRegion(long start, long size, String name) {
        requested.add(new Object[] {start, start + size, name});
    }

    /** Models the devres release of that region. */
    public void releaseMemRegion(long start) {
        requested.removeIf(r -> (long) r[0] == start);
    }
}
