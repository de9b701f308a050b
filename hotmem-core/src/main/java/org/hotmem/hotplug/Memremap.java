package org.hotmem.hotplug;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Completion;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.PercpuRef;
import org.hotmem.mm.DevPagemap;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MemoryType;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneDevice;
import org.hotmem.mm.ZoneType;

/**
 * Device memory as mm/memremap.c maps it: memremap_pages() (per range pagemap_range():
 * conflict and System RAM checks, the pgmap index, arch_add_memory() or add_pages() and
 * move_pfn_range_to_zone() to ZONE_DEVICE under mem_hotplug_lock, then
 * memmap_init_zone_device() outside it) and memunmap_pages() / devm_memremap_pages_release()
 * (kill the pgmap's ref, wait for every reference to go, then per range
 * remove_pfn_range_from_zone() and arch_remove_memory() under mem_hotplug_lock). The memory
 * model's side (the index, the device zone span, the pages) is {@link ZoneDevice}.
 *
 * <p>Device memory never gets memory block devices, is never onlined, sends no memory
 * notifiers and adds nothing to present or managed pages: pfn_to_online_page() is NULL for it,
 * so offlining, valid_zones, removable and hibernation's saveable-page walk skip it.
 *
 * <p>Model: ranges are whole 128 MiB sections (Linux maps 2 MiB subsections; a range that is
 * not section aligned is refused with -EINVAL); the direct map is built for PRIVATE memory
 * too; a WARN prints its message line only (no "WARNING: CPU" header or backtrace).
 * CONFIG_DEVICE_PRIVATE is not set in Debian's 6.1 and 6.12 kernels (so lib/test_hmm.c cannot be
 * built there): {@link #setDevicePrivate} turns it on for a model run.
 *
 * <p>Locking: mem_hotplug_lock (write, via mem_hotplug_begin()) around each range's
 * arch_add_memory() + move_pfn_range_to_zone() and around its removal; memmap_init_zone_device()
 * and the wait for references run without it. The pgmap's ref (percpu_ref) and done
 * (completion) order the release against get_dev_pagemap() users. A pgmap's memremap and
 * memunmap are serialised by its driver (device_lock), not here.
 */
public final class Memremap {
    private final MemoryHotplug hp;
    private final MemoryModel mm;
    private final ZoneDevice zd;
    private final Dmesg log;
    /** CONFIG_DEVICE_PRIVATE (Debian: not set). */
    private boolean devicePrivate;
    /** memunmap_pages() waits for the references (v5.2+); false: the teardown as it was before. */
    private boolean waitForReferences = true;

    public Memremap(MemoryHotplug hp) {
        this.hp = hp;
        this.mm = hp.mm;
        this.zd = mm.zoneDevice();
        this.log = hp.log;
    }

    /** CONFIG_DEVICE_PRIVATE=y for this model run. */
    public void setDevicePrivate(boolean on) {
        devicePrivate = on;
    }

    /**
     * false restores the teardown before Dan Williams' "mm/devm_memremap_pages: fix final page
     * put race" (50f44ee7248a, v5.2, reported by Logan Gunthorpe): devm_memremap_pages_release()
     * killed the ref, dropped the references taken at init and went straight on to
     * arch_remove_memory(), freeing the memmap of pages still referenced (the driver's own
     * percpu_ref teardown, which waited, came after).
     */
    public void setWaitForReferences(boolean on) {
        waitForReferences = on;
    }

    /** The /proc/zoneinfo "Device" zone of node nid. */
    public Zone deviceZone(int nid) {
        return mm.node(nid).zone(ZoneType.DEVICE);
    }

    /**
     * Models memremap_pages(pgmap, nid) in mm/memremap.c: checks the ops the type needs, sets up
     * the ref and completion, maps every range; on a failure the ranges mapped so far are
     * unmapped again (memunmap_pages()). Runs in a task.
     *
     * @throws KernelException EINVAL (type not supported, ops or owner missing, altmap on a
     *         later range, range not allowed), ENOMEM (a pgmap already maps the range's first
     *         or last pfn; memmap allocation failed), ENXIO (the range intersects System RAM)
     */
    public void memremapPages(DevPagemap pgmap, int nid) {
        switch (pgmap.type) {
            case MEMORY_DEVICE_PRIVATE -> {
                if (!devicePrivate) {
                    warn("Device private memory not supported");
                }
                if (!pgmap.migrateToRam) {
                    warn("Missing migrate_to_ram method");
                }
                requirePageFreeAndOwner(pgmap);
            }
            case MEMORY_DEVICE_COHERENT -> requirePageFreeAndOwner(pgmap);
            default -> { }
        }
        Completion done = new Completion(mm.kernel(), "&pgmap->done");
        ZoneDevice.bind(pgmap, new PercpuRef(done::complete), done); // release: dev_pagemap_percpu_release()
        List<long[]> mapped = new ArrayList<>();
        for (int i = 0; i < pgmap.ranges.size(); i++) {
            try {
                pagemapRange(pgmap, i, nid);
            } catch (KernelException e) {
                unmap(pgmap, mapped);
                throw e;
            }
            mapped.add(pgmap.ranges.get(i));
        }
    }

    private void requirePageFreeAndOwner(DevPagemap pgmap) {
        if (!pgmap.pageFree) {
            warn("Missing page_free method");
        }
        if (pgmap.owner == null) {
            warn("Missing owner");
        }
    }

    /** WARN(1, msg) followed by return -EINVAL. */
    private void warn(String msg) {
        log.warn(msg);
        throw new KernelException(Errno.EINVAL);
    }

    /** Models pagemap_range() in mm/memremap.c for range i. */
    private void pagemapRange(DevPagemap pgmap, int i, int nid) {
        long start = pgmap.ranges.get(i)[0];
        long end = pgmap.ranges.get(i)[1];
        if (pgmap.altmap && i > 0) {
            log.warn("altmap not supported for multiple ranges");
            throw new KernelException(Errno.EINVAL);
        }
        long startPfn = start >>> mm.arch().pageShift();
        long nr = (end - start) >>> mm.arch().pageShift();
        for (long pfn : new long[] {startPfn, (end - 1) >>> mm.arch().pageShift()}) {
            DevPagemap conflict = zd.getDevPagemap(pfn);
            if (conflict != null) {
                log.warn("Conflicting mapping in same section");
                zd.putDevPagemap(conflict);
                throw new KernelException(Errno.ENOMEM);
            }
        }
        long ram = hp.systemRamPages(startPfn, startPfn + nr);
        if (ram != 0) {
            log.warn(String.format("attempted on %s region %#x-%#x", ram == nr ? "ram" : "mixed", start, end - 1));
            throw new KernelException(Errno.ENXIO);
        }
        // mhp_range_allowed(); model: and the section alignment hotmem needs
        if (end > mm.arch().maxPhysAddr()) {
            log.warn(String.format("Hotplug memory [%#x-%#x] exceeds maximum addressable range [%#x-%#x]",
                    start, end, 0, mm.arch().maxPhysAddr()));
            throw new KernelException(Errno.EINVAL);
        }
        if (start % mm.arch().sectionSize() != 0 || end % mm.arch().sectionSize() != 0 || end <= start) {
            throw new KernelException(Errno.EINVAL);
        }
        zd.store(startPfn, startPfn + nr, pgmap);
        Zone zone = deviceZone(nid);
        long altmapPages = pgmap.altmap ? altmapPages(nr) : 0;
        hp.memHotplugBegin();
        try {
            mm.sparseAddSections(startPfn, nr, pgmap.altmap, nid); // add_pages() / arch_add_memory()
            zd.movePfnRangeToZone(zone, startPfn, nr, altmapPages);
        } catch (KernelException e) {
            zd.erase(startPfn);
            throw e;
        } finally {
            hp.memHotplugDone();
        }
        zd.memmapInitZoneDevice(zone, startPfn, nr, altmapPages, pgmap);
        if (!pgmap.type.driverOwned()) {
            pgmap.ref().getMany(nr - altmapPages); // one per pfn after the altmap (pfn_len())
        }
    }

    /** vmem_altmap_offset() after vmemmap_populate(): the memmap of nr pages, 64 bytes (sizeof(struct page)) each, per section. */
    private long altmapPages(long nr) {
        long perSection = mm.arch().pagesPerSection();
        long sections = (nr + perSection - 1) / perSection;
        return sections * (perSection * 64L / mm.arch().pageSize());
    }

    /**
     * Models memunmap_pages() in mm/memremap.c: percpu_ref_kill(), the per-pfn references
     * dropped (types other than PRIVATE/COHERENT), wait_for_completion(&pgmap->done) until every
     * other reference (get_dev_pagemap() users, handed-out driver pages) is gone, then each range
     * unmapped. Runs in a task; sleeps while references are held.
     */
    public void memunmapPages(DevPagemap pgmap) {
        unmap(pgmap, pgmap.ranges);
    }

    /** Models devm_memremap_pages_release(): the devres action of devm_memremap_pages() on driver unbind. */
    public void devmMemremapPagesRelease(DevPagemap pgmap) {
        memunmapPages(pgmap);
    }

    private void unmap(DevPagemap pgmap, List<long[]> mapped) {
        PercpuRef ref = pgmap.ref();
        ref.kill();
        if (!pgmap.type.driverOwned()) {
            for (long[] r : mapped) {
                long nr = (r[1] - r[0]) >>> mm.arch().pageShift();
                ref.putMany(nr - (pgmap.altmap && r == pgmap.ranges.get(0) ? altmapPages(nr) : 0));
            }
        }
        if (!waitForReferences) {
            for (long[] r : mapped) {
                pageunmapRange(pgmap, r); // the ref lives on: its driver exits it after the last put
            }
            return;
        }
        pgmap.done().waitForCompletion();
        for (long[] r : mapped) {
            pageunmapRange(pgmap, r);
        }
        ZoneDevice.bind(pgmap, null, null); // percpu_ref_exit()
    }

    /** Models pageunmap_range() in mm/memremap.c. */
    private void pageunmapRange(DevPagemap pgmap, long[] r) {
        long startPfn = r[0] >>> mm.arch().pageShift();
        long nr = (r[1] - r[0]) >>> mm.arch().pageShift();
        hp.memHotplugBegin();
        try {
            mm.removePfnRangeFromZone(mm.zoneOf(startPfn), startPfn, nr);
            mm.sparseRemoveSections(startPfn, nr); // __remove_pages() / arch_remove_memory()
        } finally {
            hp.memHotplugDone();
        }
        zd.erase(startPfn); // pgmap_array_delete()
    }
}
