package org.hotmem.hotplug;

import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MigrateType;
import org.hotmem.mm.Zone;

/**
 * The online path of mm/memory_hotplug.c: online_pages() for a range whose zone
 * {@link ZoneSelection} has chosen: move_pfn_range_to_zone() with the pageblocks isolated,
 * MEM_GOING_ONLINE (MEM_CANCEL_ONLINE and the zone range removed again on a veto), the pages
 * freed into the buddy allocator, sections marked online, present pages accounted, the zonelists
 * rebuilt when the zone becomes populated, the range un-isolated, watermarks recomputed and
 * MEM_ONLINE sent. {@link MemoryHotplug} calls it from memory_block_online().
 *
 * <p>Invariants: on success every page of the range is in {@code zone} and was freed into the
 * buddy allocator (online_pages_range()), its sections are online and the zone's, node's and
 * group's present counts include it; a vetoed call leaves the zone spans and counts as they were.
 * The class holds no mutable state.
 *
 * <p>Locking: the caller holds device_hotplug_lock, the block's device lock and mem_hotplug_lock
 * (write), which keep zone spans and present counts stable; zone->lock is taken here around each
 * free-list/pageblock step exactly as Linux takes it, and never across a notifier call.
 */
final class OnlinePages {
    private final MemoryHotplug hp;
    private final MemoryModel mm;
    private final Dmesg log;

    OnlinePages(MemoryHotplug hp) {
        this.hp = hp;
        this.mm = hp.mm;
        this.log = hp.log;
    }

    /** Models online_pages() in mm/memory_hotplug.c. Caller holds mem_hotplug_lock (write). */
    void onlinePages(long pfn, long nr, Zone zone, MemoryGroup group) {
        if (nr <= 0 || pfn % mm.arch().pageblockPages() != 0 || (pfn + nr) % mm.arch().pagesPerSection() != 0) {
            throw new KernelException(Errno.EINVAL);
        }
        mm.movePfnRangeToZone(zone, pfn, nr, MigrateType.ISOLATE);
        int ret = MemoryNotifier.toErrno(hp.notifierChain.memoryNotify(MemoryNotifier.Event.MEM_GOING_ONLINE, pfn, nr));
        if (ret != 0) {
            log.debug(String.format("online_pages [mem %#010x-%#010x] failed", pfn << mm.arch().pageShift(), ((pfn + nr) << mm.arch().pageShift()) - 1));
            hp.notifierChain.memoryNotify(MemoryNotifier.Event.MEM_CANCEL_ONLINE, pfn, nr);
            mm.removePfnRangeFromZone(zone, pfn, nr);
            throw new KernelException(Errno.fromNumber(-ret));
        }
        hp.touch(pfn, nr, "online_pages()");
        mm.zoneLock(zone);
        try {
            mm.adjustIsolatePageblocks(zone, nr / mm.arch().pageblockPages());
        } finally {
            mm.zoneUnlock(zone);
        }
        boolean rebuild = !zone.populated();
        mm.zoneLock(zone);
        try {
            hp.onlinePagesRange(pfn, pfn + nr);
        } finally {
            mm.zoneUnlock(zone);
        }
        mm.setSectionsOnline(pfn & -mm.arch().pagesPerSection(), pfn + nr, true);
        hp.adjustPresent(zone, group, pfn, nr);
        mm.nodeStatesSetNode(zone);
        if (rebuild) {
            mm.buildAllZonelists(null, mm.totalPagesForZonelistMessage());
        }
        mm.zoneLock(zone);
        try {
            mm.isolation().undoIsolatePageRange(pfn, pfn + nr, MigrateType.MOVABLE);
        } finally {
            mm.zoneUnlock(zone);
        }
        mm.setupPerZoneWmarks();
        hp.notifierChain.memoryNotify(MemoryNotifier.Event.MEM_ONLINE, pfn, nr);
    }
}
