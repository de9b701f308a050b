package org.hotmem.hotplug;

import java.util.ArrayList;
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
 * migration loop), {@link MemoryNotifierChain} (memory_notify()), {@link MemoryGroups} (memory
 * groups), {@link ZoneSelection} (zone_for_pfn_range()).
 *
 * <p>Invariants: {@code blocks} holds one device per memory block with present sections, keyed
 * by block id (start pfn / {@link #PAGES_PER_BLOCK}); every hot-added block lies inside one of
 * {@code resources}; an offline block has no zone ({@code block.zone == null}).
 *
 * <p>Locking (spec §8.2 order, outer to inner): device_hotplug_lock → device_lock(block) →
 * cpu_hotplug_lock (read) → mem_hotplug_lock (write) → zone->lock. Every public operation
 * runs inside a task. {@code blocks} and {@code resources} are guarded by device_hotplug_lock
 * (writers also hold mem_hotplug_lock); a block's state by its device lock.
 */
public final class MemoryHotplug {
    public static final int MHP_NONE = 0;
    public static final int MHP_MERGE_RESOURCE = 1;
    public static final int MHP_MEMMAP_ON_MEMORY = 2;
    public static final int MHP_NID_IS_MGID = 4;
    public static final long BLOCK_SIZE = MemoryModel.SECTION_SIZE;
    public static final long PAGES_PER_BLOCK = BLOCK_SIZE >>> MemoryModel.PAGE_SHIFT;
    /** Largest address the direct map can cover (MAX_PHYSMEM_BITS 46). */
    public static final long MAX_PHYS = 1L << MemoryModel.MAX_PHYSMEM_BITS;

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
    /** iomem "System RAM" resources, [start, end) bytes. */
    final List<long[]> resources = new ArrayList<>();
    final MemoryNotifierChain notifierChain = new MemoryNotifierChain();
    private final MemorySysfs sysfs;
    final MemoryGroups groups;
    private final OnlinePages online;
    private final OfflinePages offline;

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
        for (long[] r : mm.bootRam()) {
            resources.add(r);
        }
        log.info("x86/mm: Memory block size: " + (BLOCK_SIZE >> 20) + "MB");
        this.sysfs = fs == null ? null : new MemorySysfs(this, fs);
        for (MemSection s : mm.presentSections()) {
            int id = (int) (s.startPfn() / PAGES_PER_BLOCK);
            if (blocks.containsKey(id)) {
                continue;
            }
            MemoryBlock b = newBlock(id, 0, true, 0, null);
            b.state = MemoryBlock.State.ONLINE;
            b.offline = false;
            b.zone = earlyZone(b);
        }
    }

    private MemoryBlock newBlock(int id, int nid, boolean early, long nrVmemmap, MemoryGroup group) {
        MemoryBlock b = new MemoryBlock(id, (long) id * PAGES_PER_BLOCK, PAGES_PER_BLOCK, nid, early,
                new Mutex(kernel, "&dev->mutex"), nrVmemmap, group);
        b.state = MemoryBlock.State.OFFLINE;
        b.offline = true;
        blocks.put(id, b);
        if (sysfs != null) {
            sysfs.addBlock(b);
        }
        return b;
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

    // ------------------------------------------------------------------ add

    /** Models add_memory(): takes device_hotplug_lock around {@link #addMemoryLocked}. */
    public void addMemory(int nid, long start, long size, int mhpFlags) {
        addMemory(nid, start, size, mhpFlags, null);
    }

    /** add_memory() for an ACPI memory device: blocks get a {@code firmware_node} link to {@code firmwareNode}. */
    public void addMemory(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        lockDeviceHotplug();
        try {
            addMemoryLocked(nid, start, size, mhpFlags, firmwareNode);
        } finally {
            unlockDeviceHotplug();
        }
    }

    /**
     * Models __add_memory() (caller holds device_hotplug_lock): register_memory_resource()
     * (range check → -E2BIG with pr_warn; conflict → -EEXIST) then add_memory_resource().
     */
    public void addMemoryLocked(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        long end = start + size;
        if (size <= 0 || start < 0 || end > MAX_PHYS) {
            log.warn(String.format("Hotplug memory [%#x-%#x] exceeds maximum addressable range [%#x-%#x]",
                    start, end, 0, MAX_PHYS));
            throw new KernelException(Errno.E2BIG);
        }
        for (long[] r : resources) {
            if (r[0] < end && r[1] > start) {
                throw new KernelException(Errno.EEXIST);
            }
        }
        long[] res = {start, end};
        resources.add(res);
        try {
            addMemoryResource(nid, start, size, mhpFlags, firmwareNode);
        } catch (RuntimeException e) {
            resources.remove(res);
            throw e;
        }
    }

    /** The MHP_MEMMAP_ON_MEMORY check of add_memory_resource() (mhp_supports_memmap_on_memory()). */
    private boolean memmapOnMemoryFor(long size, int mhpFlags) {
        if ((mhpFlags & MHP_MEMMAP_ON_MEMORY) == 0 || params.memmapOnMemory == HotplugParams.MemmapOnMemory.N) {
            return false;
        }
        // 6.1: only a request of exactly one block; 6.12: every block of a multi-block add.
        return mm.version().atLeast612() || size == BLOCK_SIZE;
    }

    /** Models add_memory_resource(). */
    private void addMemoryResource(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        if (size == 0 || start % BLOCK_SIZE != 0 || size % BLOCK_SIZE != 0) {
            log.err(String.format("Block size [%#x] unaligned hotplug range: start %#x, size %#x", BLOCK_SIZE, start, size));
            throw new KernelException(Errno.EINVAL);
        }
        MemoryGroup group = null;
        if ((mhpFlags & MHP_NID_IS_MGID) != 0) {
            group = groups.get(nid);
            if (group == null) {
                throw new KernelException(Errno.EINVAL);
            }
            nid = group.nid;
        }
        if (!mm.nodePossible(nid)) {
            log.warn("node " + nid + " was absent from the node_possible_map");
            throw new KernelException(Errno.EINVAL);
        }
        long startPfn = start >>> MemoryModel.PAGE_SHIFT;
        long nr = size >>> MemoryModel.PAGE_SHIFT;
        boolean altmap = memmapOnMemoryFor(size, mhpFlags);
        memHotplugBegin();
        List<MemoryBlock> created = new ArrayList<>();
        try {
            for (long pfn = startPfn; pfn < startPfn + nr; pfn += PAGES_PER_BLOCK) {
                if (blocks.containsKey((int) (pfn / PAGES_PER_BLOCK))) {
                    throw new KernelException(Errno.EEXIST);
                }
            }
            mm.sparseAddSections(startPfn, nr, altmap);
            for (long pfn = startPfn; pfn < startPfn + nr; pfn += PAGES_PER_BLOCK) {
                MemoryBlock b = newBlock((int) (pfn / PAGES_PER_BLOCK), nid, false, altmap ? PAGES_PER_BLOCK * 64 / MemoryModel.PAGE_SIZE : 0, group);
                b.firmwareNode = firmwareNode;
                if (sysfs != null && firmwareNode != null) {
                    sysfs.addFirmwareNode(b);
                }
                created.add(b);
            }
        } finally {
            memHotplugDone();
        }
        OnlineType def = params.defaultOnlineType;
        if (def != OnlineType.OFFLINE) {
            for (MemoryBlock b : created) {
                b.onlineType = def;
                try {
                    deviceOnline(b);
                } catch (KernelException ignored) {
                    // online_memory_block errors are ignored by add_memory_resource
                }
            }
        }
    }

    /** Models remove_memory_block() in drivers/base/memory.c: the block and its sysfs directory go. */
    private void removeBlockDevice(MemoryBlock b) {
        blocks.remove(b.id);
        if (sysfs != null) {
            sysfs.removeBlock(b);
        }
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
        memHotplugBegin();
        try {
            if (nrVmemmap > 0) {
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
            b.zone = null;
        } finally {
            memHotplugDone();
        }
    }

    /** System RAM pages in [startPfn, endPfn): walk_system_ram_range(). */
    long systemRamPages(long startPfn, long endPfn) {
        long n = 0;
        for (long[] r : resources) {
            long s = Math.max(startPfn, (r[0] + MemoryModel.PAGE_SIZE - 1) >>> MemoryModel.PAGE_SHIFT);
            long e = Math.min(endPfn, r[1] >>> MemoryModel.PAGE_SHIFT);
            if (s < e) {
                n += e - s;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ remove

    /** Models remove_memory(): device_hotplug_lock + try_remove_memory(); -EBUSY if a block is online. */
    public void removeMemory(long start, long size) {
        lockDeviceHotplug();
        try {
            tryRemoveMemory(start, size);
        } finally {
            unlockDeviceHotplug();
        }
    }

    /** Models __remove_memory() for callers holding device_hotplug_lock (ACPI eject after offlining). */
    public void removeMemoryLocked(long start, long size) {
        tryRemoveMemory(start, size);
    }

    /** Models try_remove_memory(). */
    void tryRemoveMemory(long start, long size) {
        if (size == 0 || start % BLOCK_SIZE != 0 || size % BLOCK_SIZE != 0) {
            throw new KernelException(Errno.EINVAL);
        }
        int first = (int) (start / BLOCK_SIZE);
        int last = (int) ((start + size) / BLOCK_SIZE);
        List<MemoryBlock> in = new ArrayList<>(blocks.subMap(first, last).values());
        for (MemoryBlock b : in) {
            if (b.state != MemoryBlock.State.OFFLINE) {
                long begin = b.startPfn << MemoryModel.PAGE_SHIFT;
                log.warn(String.format("removing memory fails, because memory [0x%016x-0x%016x] is onlined", begin, begin + BLOCK_SIZE - 1));
                throw new KernelException(Errno.EBUSY);
            }
        }
        boolean anyAlt = in.stream().anyMatch(b -> b.nrVmemmap > 0);
        boolean allAlt = in.stream().allMatch(b -> b.nrVmemmap > 0);
        if (anyAlt && !allAlt) {
            log.warn("WARNING: memory range mixes memmap_on_memory and regular blocks");
            throw new KernelException(Errno.EINVAL);
        }
        memHotplugBegin();
        try {
            for (MemoryBlock b : in) {
                removeBlockDevice(b);
            }
            mm.sparseRemoveSections(start >>> MemoryModel.PAGE_SHIFT, size >>> MemoryModel.PAGE_SHIFT);
            resources.removeIf(r -> r[0] >= start && r[1] <= start + size);
        } finally {
            memHotplugDone();
        }
    }

    /**
     * Models offline_and_remove_memory(): offlines every block of the range in order
     * (recording its zone type), removes on success; on failure re-onlines exactly the blocks
     * it offlined with their recorded type and rethrows the first error.
     */
    public void offlineAndRemoveMemory(long start, long size) {
        if (size == 0 || start % BLOCK_SIZE != 0 || size % BLOCK_SIZE != 0) {
            throw new KernelException(Errno.EINVAL);
        }
        lockDeviceHotplug();
        try {
            int first = (int) (start / BLOCK_SIZE);
            int last = (int) ((start + size) / BLOCK_SIZE);
            List<MemoryBlock> in = new ArrayList<>(blocks.subMap(first, last).values());
            List<MemoryBlock> offlined = new ArrayList<>();
            List<OnlineType> types = new ArrayList<>();
            KernelException err = null;
            for (MemoryBlock b : in) {
                OnlineType t = b.zone != null && b.zone.type() == ZoneType.MOVABLE ? OnlineType.ONLINE_MOVABLE : OnlineType.ONLINE_KERNEL;
                try {
                    if (deviceOffline(b) == 0) {
                        offlined.add(b);
                        types.add(t);
                    }
                } catch (KernelException e) {
                    err = e;
                    break;
                }
            }
            if (err == null) {
                try {
                    tryRemoveMemory(start, size);
                    return;
                } catch (KernelException e) {
                    log.err("offline_and_remove_memory: Failed to remove memory: " + (-e.errno().number()));
                    err = e;
                }
            }
            for (int i = 0; i < offlined.size(); i++) {
                MemoryBlock b = offlined.get(i);
                b.onlineType = types.get(i);
                try {
                    deviceOnline(b);
                } catch (KernelException e) {
                    log.err("offline_and_remove_memory: Failed to re-online memory: " + (-e.errno().number()));
                }
            }
            throw err;
        } finally {
            unlockDeviceHotplug();
        }
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
