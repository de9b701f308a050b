package org.hotmem.drivers;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.hotplug.Memremap;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.DevPagemap;
import org.hotmem.mm.E820Entry;
import org.hotmem.mm.E820Type;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MemoryType;

/**
 * The legacy emulated pmem of {@code memmap=nn!ss}: nd_e820 (drivers/nvdimm/e820.c) makes one
 * region with ND_REGION_PAGEMAP per e820 type-12 range, whose raw namespace nd_pmem
 * (drivers/nvdimm/pmem.c, pmem_attach_disk()) binds: devm_request_mem_region() of the namespace
 * ("namespaceN.0" under "Persistent Memory (legacy)" in /proc/iomem), the dev_warn "unable to
 * guarantee persistence of writes" (an e820 region has no flush hints), and, because
 * pmem_should_map_pages() holds for such a region, devm_memremap_pages() of the whole range as
 * MEMORY_DEVICE_FS_DAX with its memmap in RAM (no altmap). Unbinding the namespace
 * ({@code echo namespace0.0 > /sys/bus/nd/drivers/nd_pmem/unbind}) runs the devres release:
 * devm_memremap_pages_release() (waits for the page references) and the region's release.
 * As recorded on Debian 6.1 and 6.12 with the nvdimm modules loaded by hand: the Device zone
 * spans the range while bound and keeps its span after the unbind.
 *
 * <p>Model: the block device (/dev/pmem0, /sys/block/pmem0), the nd bus sysfs and the
 * btt/pfn/dax seeds are not modelled; the region's node is that of its memory (node 0 when
 * the range has no memmap yet) rather than the SRAT's target node; Debian's guest in the recorder has no nvdimm modules, so
 * the binding is reached through this class (the machine's {@code legacyPmem()}), not modprobe.
 *
 * <p>Invariant: {@code bound} holds the pgmaps of the bound namespaces, by namespace index.
 * Bind and unbind run in tasks and are serialised by the caller (device_lock of the namespace).
 */
public final class LegacyPmem {
    private final MemoryModel mm;
    private final Memremap memremap;
    private final org.hotmem.hotplug.Iomem iomem;
    private final Dmesg log;
    private final List<E820Entry> regions = new ArrayList<>();
    private final DevPagemap[] bound;

    public LegacyPmem(MemoryModel mm, Memremap memremap, org.hotmem.hotplug.Iomem iomem, Dmesg log) {
        this.mm = mm;
        this.memremap = memremap;
        this.iomem = iomem;
        this.log = log;
        for (E820Entry e : mm.e820Table()) {
            if (e.type() == E820Type.PRAM) {
                regions.add(e);
            }
        }
        bound = new DevPagemap[regions.size()];
    }

    /** The e820 type-12 ranges, one region (and namespace) each. */
    public List<E820Entry> regions() {
        return List.copyOf(regions);
    }

    /** The pgmap of namespace i while nd_pmem is bound to it, else null. */
    public DevPagemap pgmap(int i) {
        return bound[i];
    }

    private static String namespace(int i) {
        return "namespace" + i + ".0";
    }

    /** Models nd_pmem_probe() → pmem_attach_disk() for namespace i. Runs in a task. */
    public void bind(int i) {
        if (bound[i] != null) {
            return;
        }
        E820Entry r = regions.get(i);
        iomem.requestMemRegion(r.addr(), r.size(), namespace(i));
        log.warn("nd_pmem " + namespace(i) + ": unable to guarantee persistence of writes");
        DevPagemap p = DevPagemap.of(MemoryType.MEMORY_DEVICE_FS_DAX, r.addr(), r.size());
        try {
            memremap.memremapPages(p, Math.max(0, mm.nidOf(r.addr() >>> mm.arch().pageShift())));
        } catch (KernelException e) {
            iomem.releaseMemRegion(r.addr());
            throw e;
        }
        bound[i] = p;
    }

    /** Models the unbind of namespace i: pmem's devres actions, devm_memremap_pages_release() among them. Runs in a task. */
    public void unbind(int i) {
        DevPagemap p = bound[i];
        if (p == null) {
            return;
        }
        memremap.devmMemremapPagesRelease(p);
        iomem.releaseMemRegion(regions.get(i).addr());
        bound[i] = null;
    }
}
