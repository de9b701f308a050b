package org.hotmem.hotplug;

import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.Node;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneType;

/**
 * Which zone a range goes to when onlined (mm/memory_hotplug.c zone_for_pfn_range and its
 * helpers). Reads zone spans locklessly, as Linux does; callers hold device_hotplug_lock.
 */
final class ZoneSelection {
    private final MemoryModel mm;
    private final HotplugParams params;
    private final MemoryHotplug hp;

    ZoneSelection(MemoryModel mm, HotplugParams params, MemoryHotplug hp) {
        this.mm = mm;
        this.params = params;
        this.hp = hp;
    }

    /** Models default_kernel_zone_for_pfn(): the first of DMA, DMA32, Normal whose span intersects, else Normal. */
    Zone defaultKernelZone(int nid, long pfn, long nr) {
        Node n = mm.node(nid);
        for (ZoneType t : new ZoneType[] {ZoneType.DMA, ZoneType.DMA32, ZoneType.NORMAL}) {
            if (n.zone(t).intersects(pfn, nr)) {
                return n.zone(t);
            }
        }
        return n.zone(ZoneType.NORMAL);
    }

    /** Models default_zone_for_pfn() (contig-zones): span intersection decides, movable_node breaks ties. */
    Zone defaultZone(int nid, long pfn, long nr) {
        Zone kernel = defaultKernelZone(nid, pfn, nr);
        Zone movable = mm.node(nid).zone(ZoneType.MOVABLE);
        boolean inKernel = kernel.intersects(pfn, nr);
        boolean inMovable = movable.intersects(pfn, nr);
        if (inKernel ^ inMovable) {
            return inKernel ? kernel : movable;
        }
        return params.movableNode ? movable : kernel;
    }

    /** Models zone_for_pfn_range(). */
    Zone zoneFor(OnlineType type, int nid, MemoryGroup group, long pfn, long nr) {
        if (type == OnlineType.ONLINE_KERNEL) {
            return defaultKernelZone(nid, pfn, nr);
        }
        if (type == OnlineType.ONLINE_MOVABLE) {
            return mm.node(nid).zone(ZoneType.MOVABLE);
        }
        if (params.onlinePolicy == HotplugParams.OnlinePolicy.AUTO_MOVABLE) {
            return autoMovableZone(group, pfn, nr, nid);
        }
        return defaultZone(nid, pfn, nr);
    }

    /** Models auto_movable_zone_for_pfn(). */
    private Zone autoMovableZone(MemoryGroup group, long pfn, long nr, int nid) {
        long onlinePages = 0;
        long maxPages;
        if (params.autoMovableRatio == 0) {
            return defaultKernelZone(nid, pfn, nr);
        }
        if (group != null && !group.dynamic) {
            maxPages = group.maxPages;
            onlinePages = group.presentMovablePages;
            if (group.presentKernelPages > 0) {
                return defaultKernelZone(nid, pfn, nr);
            }
        } else if (group == null || group.unitPages == nr) {
            maxPages = nr;
        } else {
            maxPages = group.unitPages;
            long start = pfn & -group.unitPages;
            for (long p = start; p < start + group.unitPages; p += mm.arch().pagesPerSection()) {
                if (!mm.pfnOnline(p)) {
                    continue;
                }
                if (mm.zoneIndexOf(p) != ZoneType.MOVABLE.ordinal()) {
                    return defaultKernelZone(nid, pfn, nr);
                }
                onlinePages += mm.arch().pagesPerSection();
            }
        }
        long need = maxPages - onlinePages;
        if (!canOnlineMovable(-1, group, need)) {
            return defaultKernelZone(nid, pfn, nr);
        }
        if (params.autoMovableNumaAware && !canOnlineMovable(nid, group, need)) {
            return defaultKernelZone(nid, pfn, nr);
        }
        return mm.node(nid).zone(ZoneType.MOVABLE);
    }

    /** Models auto_movable_can_online_movable(). nid -1 = all nodes. */
    private boolean canOnlineMovable(int nid, MemoryGroup group, long need) {
        long movable = 0;
        long kernelEarly = 0;
        for (int n = 0; n < mm.nrNodes(); n++) {
            if (nid >= 0 && n != nid) {
                continue;
            }
            for (Zone z : mm.node(n).zones()) {
                if (!z.populated()) {
                    continue;
                }
                if (z.type() == ZoneType.MOVABLE) {
                    movable += z.presentPages();
                } else if (z.type().isKernelZone()) {
                    kernelEarly += z.presentEarlyPages() - z.cmaPages();
                    movable += z.cmaPages();
                }
            }
        }
        long req = 0;
        long grpMovable = 0;
        for (MemoryGroup g : hp.groups.all()) {
            if (!g.dynamic || g == group || (nid >= 0 && g.nid != nid)) {
                continue;
            }
            req += Math.max(0, g.presentMovablePages * 100 / params.autoMovableRatio - g.presentKernelPages);
            grpMovable += g.presentMovablePages;
        }
        if (kernelEarly <= req) {
            return false;
        }
        kernelEarly -= req;
        movable -= grpMovable;
        if (group != null && group.dynamic) {
            kernelEarly += group.presentKernelPages;
        }
        return movable + need <= (long) params.autoMovableRatio * kernelEarly / 100;
    }
}
