package org.hotmem.hotplug;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.PercpuRwSemaphore;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.MemSection;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.Node;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneType;

/**
 * Memory hotplug of one machine: mm/memory_hotplug.c and drivers/base/memory.c. Adds and
 * removes memory, onlines and offlines memory blocks (device_online()/device_offline() →
 * memory_block_change_state() → memory_block_online()/memory_block_offline()), owns the hotplug
 * locks, the memory block devices and their sysfs files ({@link MemorySysfs}), and is the API
 * the drivers, the machine and the tools use. The steps with one job of their own live in
 * helpers: {@link OnlinePages} (online_pages()), {@link OfflinePages} (offline_pages() and its
 * migration loop), {@link MemoryAddRemove} (add_memory_resource(), try_remove_memory(),
 * offline_and_remove_memory() and the "System RAM" resources), {@link MemoryNotifierChain}
 * (memory_notify()), {@link MemoryGroups} (memory groups), {@link ZoneSelection}
 * (zone_for_pfn_range()).
 *
 * <p>Invariants: {@code blocks} holds one device per memory block with present sections, keyed
 * by block id (start pfn / the {@link org.hotmem.mm.Arch}'s pages per block); every hot-added block lies inside one of
 * {@link MemoryAddRemove}'s resources; an offline block has no zone ({@code block.zone == null}).
 *
 * <p>Locking (spec §8.2 order, outer to inner): device_hotplug_lock → device_lock(block) →
 * cpu_hotplug_lock (read) → mem_hotplug_lock (write) → zone->lock. Every public operation
 * runs inside a task. {@code blocks} is guarded by device_hotplug_lock (writers, which are in
 * {@link MemoryAddRemove}, also hold mem_hotplug_lock); a block's state by its device lock.
 */
public final class MemoryHotplug {
    public static final int MHP_NONE = 0;
    public static final int MHP_MERGE_RESOURCE = 1;
    public static final int MHP_MEMMAP_ON_MEMORY = 2;
    public static final int MHP_NID_IS_MGID = 4;
    /**
     * MHP_OFFLINE_INACCESSIBLE (bit 3, kernels with {@link KernelFeature#MEM_PREPARE_ONLINE}): the
     * memory is not accessible until MEM_PREPARE_ONLINE, so add_memory() must not touch the
     * memmap it places on it.
     */
    public static final int MHP_OFFLINE_INACCESSIBLE = 8;

    /**
     * Whether physical memory is backed now. Everywhere but s390 every present range is; s390's
     * standby storage is not until the SCLP assigns it. The model checks it where the kernel
     * would write the memory: a memmap on memory at add_memory() (unless
     * MHP_OFFLINE_INACCESSIBLE) and at online, the pages themselves when online_pages() frees
     * them. A write to unbacked memory is an {@link InaccessibleMemoryException}.
     */
    @FunctionalInterface
    public interface PhysicalMemory {
        boolean accessible(long startPfn, long nrPages);
    }

    final MemoryModel mm;
    final Kernel kernel;
    final Kernfs fs;
    final HotplugParams params;
    final Dmesg log;
    final ZoneSelection zones;
    final Mutex deviceHotplugLock;
    final PercpuRwSemaphore cpuHotplugLock;
    final PercpuRwSemaphore memHotplugLock;
    final TreeMap<Integer, MemoryBlock> blocks = new TreeMap<>();
    final MemoryNotifierChain notifierChain = new MemoryNotifierChain();
    final MemorySysfs sysfs;
    final MemoryGroups groups;
    private final OnlinePages online;
    /** The online_page_callback; null for generic_online_page(). */
    private OnlinePageCallback onlinePageCallback;
    private final OfflinePages offline;
    private final MemoryAddRemove addRemove;
    /** /proc/iomem (null without a kernfs). */
    private final Iomem iomem;
    /** Which physical memory is backed (set once by the platform before any hot-add). */
    private PhysicalMemory physicalMemory = (pfn, nr) -> true;

    /**
     * Models memory_dev_init(): prints the block size, creates a memory block device for every
     * block with present boot memory (state online, zone cached when unique) and the sysfs tree.
     *
     * @param fs the kernfs to register files in, or null for none
     */
    public MemoryHotplug(MemoryModel mm, Kernfs fs, HotplugParams params) {
        this.mm = mm;
        this.kernel = mm.kernel();
        this.fs = fs;
        this.params = params;
        this.log = kernel.dmesg();
        this.zones = new ZoneSelection(mm, params, this);
        this.deviceHotplugLock = new Mutex(kernel, "device_hotplug_lock");
        this.cpuHotplugLock = new PercpuRwSemaphore(kernel, "cpu_hotplug_lock");
        this.memHotplugLock = new PercpuRwSemaphore(kernel, "mem_hotplug_lock");
        this.offline = new OfflinePages(this);
        this.groups = new MemoryGroups(this);
        this.online = new OnlinePages(this);
        this.addRemove = new MemoryAddRemove(this);
        if (mm.arch().blockSizeLogPrefix() != null) {
            log.info(mm.arch().blockSizeLogPrefix() + (mm.arch().blockSizeBytes() >> 20) + "MB");
        }
        this.sysfs = fs == null ? null : new MemorySysfs(this, fs);
        this.iomem = fs == null ? null : new Iomem(this, fs);
        for (MemSection s : mm.presentSections()) {
            int id = (int) (s.startPfn() / mm.arch().pagesPerBlock());
            if (blocks.containsKey(id)) {
                continue;
            }
            // memory_block_add_nid_early(): the node of the block's memory
            MemoryBlock b = addRemove.newBlock(id, Math.max(0, mm.nidOf(s.startPfn())), true, 0, null);
            b.state = MemoryBlock.State.ONLINE;
            b.offline = false;
            b.zone = earlyZone(b);
        }
    }

    /** Models early_node_zone_for_memory_block(): the unique populated zone intersecting the block, else null. */
    private Zone earlyZone(MemoryBlock b) {
        Zone found = null;
        for (Zone z : mm.node(b.nid).zones()) {
            if (!z.populated() || !z.intersects(b.startPfn, b.nrPages)) {
                continue;
            }
            if (found != null) {
                return null;
            }
            found = z;
        }
        return found;
    }

    // ------------------------------------------------------------------ accessors

    public MemoryModel mm() {
        return mm;
    }

    public HotplugParams params() {
        return params;
    }

    /** The block with this id, or null. */
    public MemoryBlock block(int id) {
        return blocks.get(id);
    }

    /** All blocks, by id. */
    public Map<Integer, MemoryBlock> blocks() {
        return java.util.Collections.unmodifiableMap(blocks);
    }

    /**
     * Retries of offline_pages()' migration loop so far, over all calls (finished and running):
     * passes that left a page unmigrated and had to go round again. See {@link OfflineOperation}.
     */
    public long offlineRetries() {
        return offline.offlineRetries();
    }

    /** The offline_pages() calls running now (one per block being offlined). */
    public List<OfflineOperation> activeOfflines() {
        return offline.activeOfflines();
    }

    /** The most recent offline_pages() call (running or finished), or null. */
    public OfflineOperation lastOffline() {
        return offline.lastOffline();
    }

    /** device_hotplug_lock (drivers/base/core.c), taken by sysfs stores before any block lock. */
    public Mutex deviceHotplugLock() {
        return deviceHotplugLock;
    }

    /** lock_device_hotplug(). */
    public void lockDeviceHotplug() {
        deviceHotplugLock.lock();
    }

    /** unlock_device_hotplug(). */
    public void unlockDeviceHotplug() {
        deviceHotplugLock.unlock();
    }

    /**
     * Models lock_device_hotplug_sysfs() for a store to a file of block {@code b}: trylock; when
     * busy the syscall sleeps 5 ms and is restarted (restart_syscall()), which this loop stands
     * for. Each (re)started write(2) holds a kernfs active reference on the file, which
     * device_unregister() drains before removing it: so a store never runs on a block whose
     * memory was removed. Here, a block unregistered while the write waited (or just before the
     * lock was taken) means the restarted write's kernfs_get_active() failed: -ENODEV.
     */
    void lockDeviceHotplugSysfs(MemoryBlock b) {
        while (true) {
            if (blocks.get(b.id) != b) {
                throw new KernelException(Errno.ENODEV);
            }
            if (deviceHotplugLock.trylock()) {
                if (blocks.get(b.id) == b) {
                    return;
                }
                deviceHotplugLock.unlock();
                throw new KernelException(Errno.ENODEV);
            }
            kernel.msleep(5);
        }
    }

    /** mem_hotplug_begin(): cpus_read_lock() + percpu_down_write(&mem_hotplug_lock). */
    void memHotplugBegin() {
        cpuHotplugLock.downRead();
        memHotplugLock.downWrite();
    }

    /** mem_hotplug_done(). */
    void memHotplugDone() {
        memHotplugLock.upWrite();
        cpuHotplugLock.upRead();
    }

    /** get_online_mems(): readers that need spans and present pages stable. */
    public void getOnlineMems() {
        memHotplugLock.downRead();
    }

    /** put_online_mems(). */
    public void putOnlineMems() {
        memHotplugLock.upRead();
    }

    // ------------------------------------------------------------------ notifiers

    /** Models register_memory_notifier()/hotplug_memory_notifier(nb, pri): higher priority first, ties in registration order. */
    public void registerMemoryNotifier(MemoryNotifier nb, int priority) {
        notifierChain.register(nb, priority);
    }

    /** Models unregister_memory_notifier(). */
    public void unregisterMemoryNotifier(MemoryNotifier nb) {
        notifierChain.unregister(nb);
    }

    // ------------------------------------------------------------------ online_page_callback

    /**
     * online_page_callback_t: hands the pages [start, end) of a range being onlined over to the
     * kernel; called for naturally aligned chunks of at most MAX_ORDER pages (online_pages_range()).
     */
    public interface OnlinePageCallback {
        void onlinePages(long start, long end);
    }

    /**
     * Models set_online_page_callback(): -EINVAL unless the generic callback is in place. The
     * callback is guarded by mem_hotplug_lock in Linux; here every caller runs on the machine's
     * scheduler and onlining never yields inside online_pages_range().
     */
    public int setOnlinePageCallback(OnlinePageCallback cb) {
        if (onlinePageCallback != null) {
            return -Errno.EINVAL.number();
        }
        onlinePageCallback = cb;
        return 0;
    }

    /** Models restore_online_page_callback(): back to generic_online_page() if cb is the one set. */
    public void restoreOnlinePageCallback(OnlinePageCallback cb) {
        if (onlinePageCallback == cb) {
            onlinePageCallback = null;
        }
    }

    /** Models generic_online_page(): the pages go to the buddy allocator and count as managed. */
    public void genericOnlinePage(long start, long end) {
        mm.onlinePagesRange(start, end);
    }

    /** Models online_pages_range(): the callback for each MAX_ORDER-aligned chunk of [start, end). */
    void onlinePagesRange(long start, long end) {
        if (onlinePageCallback == null) {
            genericOnlinePage(start, end);
            return;
        }
        long chunk = 1L << mm.arch().maxOrder();
        for (long pfn = start; pfn < end; ) {
            long next = Math.min(end, (pfn & -chunk) + chunk);
            onlinePageCallback.onlinePages(pfn, next);
            pfn = next;
        }
    }

    // ------------------------------------------------------------------ groups

    /** Models memory_group_register_static(): -EINVAL for max_pages 0 or an impossible node. */
    public int memoryGroupRegisterStatic(int nid, long maxPages) {
        return groups.registerStatic(nid, maxPages);
    }

    /** Models memory_group_register_dynamic(): unit_pages a power of two >= block pages. */
    public int memoryGroupRegisterDynamic(int nid, long unitPages) {
        return groups.registerDynamic(nid, unitPages);
    }

    /** Models memory_group_unregister(): -EINVAL unknown, -EBUSY if blocks still belong to it. */
    public void memoryGroupUnregister(int mgid) {
        groups.unregister(mgid);
    }

    /** Models memory_group_find_by_id(): the group, or null. */
    public MemoryGroup group(int mgid) {
        return groups.get(mgid);
    }

    // ------------------------------------------------------------------ physical memory

    /** The platform's view of which physical memory is backed (s390: assigned storage). */
    public void setPhysicalMemory(PhysicalMemory p) {
        this.physicalMemory = p;
    }

    /** The kernel writes [pfn, pfn + nr) for {@code what}: an {@link InaccessibleMemoryException} if it is not backed. */
    void touch(long pfn, long nr, String what) {
        if (nr > 0 && !physicalMemory.accessible(pfn, nr)) {
            throw new InaccessibleMemoryException(String.format("%s writes [mem %#010x-%#010x], which is not accessible", what,
                    pfn << mm.arch().pageShift(), ((pfn + nr) << mm.arch().pageShift()) - 1));
        }
    }

    // ------------------------------------------------------------------ add

    /** Models add_memory(): takes device_hotplug_lock around {@link #addMemoryLocked}. */
    public void addMemory(int nid, long start, long size, int mhpFlags) {
        addMemory(nid, start, size, mhpFlags, null);
    }

    /** add_memory() for an ACPI memory device: blocks get a {@code firmware_node} link to {@code firmwareNode}. */
    public void addMemory(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        addRemove.addMemory(nid, start, size, mhpFlags, firmwareNode);
    }

    /**
     * Models __add_memory() (caller holds device_hotplug_lock): register_memory_resource()
     * (range check → -E2BIG with pr_warn; conflict → -EEXIST) then add_memory_resource().
     */
    public void addMemoryLocked(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        addRemove.addMemoryLocked(nid, start, size, mhpFlags, firmwareNode);
    }

    // ------------------------------------------------------------------ device online/offline

    /** Models device_online() on a block: 1 if already online, 0 on success; errors thrown. */
    public int deviceOnline(int id) {
        MemoryBlock b = blocks.get(id);
        if (b == null) {
            throw new KernelException(Errno.ENODEV);
        }
        return deviceOnline(b);
    }

    /** Models device_offline() on a block: 1 if already offline, 0 on success; errors thrown. */
    public int deviceOffline(int id) {
        MemoryBlock b = blocks.get(id);
        if (b == null) {
            throw new KernelException(Errno.ENODEV);
        }
        return deviceOffline(b);
    }

    int deviceOnline(MemoryBlock b) {
        b.devLock.lock();
        try {
            if (!b.offline) {
                return 1;
            }
            memorySubsysOnline(b);
            b.offline = false;
            return 0;
        } finally {
            b.devLock.unlock();
        }
    }

    int deviceOffline(MemoryBlock b) {
        b.devLock.lock();
        try {
            if (b.offline) {
                return 1;
            }
            memorySubsysOffline(b);
            b.offline = true;
            return 0;
        } finally {
            b.devLock.unlock();
        }
    }

    /** Models memory_subsys_online(). */
    private void memorySubsysOnline(MemoryBlock b) {
        if (b.state == MemoryBlock.State.ONLINE) {
            return;
        }
        if (b.onlineType == OnlineType.OFFLINE) {
            b.onlineType = OnlineType.ONLINE;
        }
        try {
            memoryBlockChangeState(b, MemoryBlock.State.ONLINE, MemoryBlock.State.OFFLINE);
        } finally {
            b.onlineType = OnlineType.OFFLINE;
        }
    }

    /** Models memory_subsys_offline(). */
    private void memorySubsysOffline(MemoryBlock b) {
        if (b.state == MemoryBlock.State.OFFLINE) {
            return;
        }
        memoryBlockChangeState(b, MemoryBlock.State.OFFLINE, MemoryBlock.State.ONLINE);
    }

    /** Models memory_block_change_state(). */
    void memoryBlockChangeState(MemoryBlock b, MemoryBlock.State to, MemoryBlock.State from) {
        if (b.state != from) {
            throw new KernelException(Errno.EINVAL);
        }
        if (to == MemoryBlock.State.OFFLINE) {
            b.state = MemoryBlock.State.GOING_OFFLINE;
        }
        try {
            if (to == MemoryBlock.State.ONLINE) {
                memoryBlockOnline(b);
            } else {
                memoryBlockOffline(b);
            }
            b.state = to;
        } catch (RuntimeException e) {
            b.state = from;
            throw e;
        }
    }

    /** Models memory_block_online() (6.12 takes mem_hotplug_lock here; 6.1 inside online_pages — same order). */
    private void memoryBlockOnline(MemoryBlock b) {
        if (b.nrHwpoison > 0) {
            throw new KernelException(Errno.EHWPOISON);
        }
        Zone zone = zones.zoneFor(b.onlineType, b.nid, b.group, b.startPfn, b.nrPages);
        long nrVmemmap = b.nrVmemmap;
        boolean prepare = mm.version().has(KernelFeature.MEM_PREPARE_ONLINE);
        memHotplugBegin();
        try {
            if (prepare) {
                int ret = MemoryNotifier.toErrno(notifierChain.memoryNotify(MemoryNotifier.Event.MEM_PREPARE_ONLINE, b.startPfn, b.nrPages));
                if (ret != 0) {
                    throw new KernelException(Errno.fromNumber(-ret));
                }
            }
            try {
                if (nrVmemmap > 0) {
                    touch(b.startPfn, nrVmemmap, "mhp_init_memmap_on_memory()");
                    mm.initMemmapOnMemory(zone, b.startPfn, nrVmemmap);
                }
                try {
                    online.onlinePages(b.startPfn + nrVmemmap, b.nrPages - nrVmemmap, zone, b.group);
                } catch (RuntimeException e) {
                    if (nrVmemmap > 0) {
                        mm.deinitMemmapOnMemory(zone, b.startPfn, nrVmemmap);
                    }
                    throw e;
                }
            } catch (KernelException e) {
                if (prepare) {
                    notifierChain.memoryNotify(MemoryNotifier.Event.MEM_FINISH_OFFLINE, b.startPfn, b.nrPages);
                }
                throw e;
            }
            if (nrVmemmap > 0) {
                adjustPresent(zone, b.group, b.startPfn, nrVmemmap);
            }
            b.zone = zone;
        } finally {
            memHotplugDone();
        }
    }

    /** Models adjust_present_page_count() in mm/memory_hotplug.c: zone/node present pages and the group's per-zone-kind count. Caller holds mem_hotplug_lock (write). */
    void adjustPresent(Zone zone, MemoryGroup group, long pfn, long nr) {
        mm.adjustPresentPageCount(zone, pfn, nr);
        if (group != null) {
            if (zone.type() == ZoneType.MOVABLE) {
                group.presentMovablePages += nr;
            } else {
                group.presentKernelPages += nr;
            }
        }
    }

    /** Models memory_block_offline(). */
    private void memoryBlockOffline(MemoryBlock b) {
        if (b.zone == null) {
            throw new KernelException(Errno.EINVAL);
        }
        long nrVmemmap = b.nrVmemmap;
        Zone zone = b.zone;
        memHotplugBegin();
        try {
            if (nrVmemmap > 0) {
                adjustPresent(zone, b.group, b.startPfn, -nrVmemmap);
            }
            try {
                offline.offlinePages(b.startPfn + nrVmemmap, b.nrPages - nrVmemmap, zone, b.group);
            } catch (RuntimeException e) {
                if (nrVmemmap > 0) {
                    adjustPresent(zone, b.group, b.startPfn, nrVmemmap);
                }
                throw e;
            }
            if (nrVmemmap > 0) {
                mm.setSectionsOnline(b.startPfn, b.startPfn + b.nrPages, false);
                mm.deinitMemmapOnMemory(zone, b.startPfn, nrVmemmap);
            }
            if (mm.version().has(KernelFeature.MEM_PREPARE_ONLINE)) {
                notifierChain.memoryNotify(MemoryNotifier.Event.MEM_FINISH_OFFLINE, b.startPfn, b.nrPages);
            }
            b.zone = null;
        } finally {
            memHotplugDone();
        }
    }

    /** /proc/iomem's resources (null without a kernfs). */
    public Iomem iomem() {
        return iomem;
    }

    /** The hot-added "System RAM" resources (/proc/iomem). */
    List<long[]> hotAddedResources() {
        return addRemove.hotAddedResources();
    }

    /** System RAM pages in [startPfn, endPfn): walk_system_ram_range(). */
    long systemRamPages(long startPfn, long endPfn) {
        return addRemove.systemRamPages(startPfn, endPfn);
    }

    // ------------------------------------------------------------------ remove

    /** Models remove_memory(): device_hotplug_lock + try_remove_memory(); -EBUSY if a block is online. */
    public void removeMemory(long start, long size) {
        addRemove.removeMemory(start, size);
    }

    /** Models __remove_memory() for callers holding device_hotplug_lock (ACPI eject after offlining). */
    public void removeMemoryLocked(long start, long size) {
        addRemove.tryRemoveMemory(start, size);
    }

    /**
     * Models offline_and_remove_memory(): offlines every block of the range in order
     * (recording its zone type), removes on success; on failure re-onlines exactly the blocks
     * it offlined with their recorded type and rethrows the first error.
     */
    public void offlineAndRemoveMemory(long start, long size) {
        addRemove.offlineAndRemoveMemory(start, size);
    }

    // ------------------------------------------------------------------ sysfs helpers

    /** What valid_zones shows (without the newline). */
    public String validZones(MemoryBlock b) {
        if (b.state == MemoryBlock.State.ONLINE) {
            return b.zone != null ? b.zone.name() : "none";
        }
        long pfn = b.startPfn;
        long nr = b.nrPages;
        Zone def = zones.zoneFor(OnlineType.ONLINE, b.nid, b.group, pfn, nr);
        StringBuilder sb = new StringBuilder(def.name());
        for (OnlineType t : new OnlineType[] {OnlineType.ONLINE_KERNEL, OnlineType.ONLINE_MOVABLE}) {
            Zone z = zones.zoneFor(t, b.nid, b.group, pfn, nr);
            if (z != def) {
                sb.append(' ').append(z.name());
            }
        }
        return sb.toString();
    }

    /** The node of the machine (one node for now). */
    Node node(int nid) {
        return mm.node(nid);
    }
}
