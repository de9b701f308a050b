package org.hotmem.hotplug;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Mutex;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.ZoneType;

/**
 * The add/remove path of mm/memory_hotplug.c and the memory block device bookkeeping of
 * drivers/base/memory.c that belongs to it: register_memory_resource() and the iomem
 * "System RAM" resources, add_memory_resource() (sections added, one memory block device per
 * block created — with its altmap share when memmap_on_memory applies — then auto-onlined per
 * the default online type), try_remove_memory() (every block must be offline; devices removed,
 * sections removed, resource released) and offline_and_remove_memory() (offline all, remove,
 * re-online what it offlined on failure). {@link MemoryHotplug} keeps the public API and
 * delegates here; {@code walk_system_ram_range()} over the resources serves offline_pages().
 *
 * <p>Invariants: {@code resources} holds the boot System RAM ranges and one [start, end) range
 * per successful add; ranges never overlap; every hot-added memory block lies inside one of
 * them; a failed add leaves no resource behind and no block (blocks are created only after
 * sparse_add_section() succeeded, and creating them cannot fail); a remove takes away blocks,
 * sections and resource together or nothing at all.
 *
 * <p>Locking: {@code resources} is written only under device_hotplug_lock; removal also holds
 * mem_hotplug_lock (write). Linux guards the resource tree with resource_lock, a spinlock with
 * no scheduling point inside; here the readers ({@link #systemRamPages}, the conflict check)
 * have no scheduling point either, so the kernel's single-runner discipline stands for it.
 * Memory block devices ({@link MemoryHotplug#blocks}) are created and removed under
 * device_hotplug_lock and mem_hotplug_lock (write); onlining/offlining here goes through
 * device_online()/device_offline() and so takes each block's device lock inside
 * device_hotplug_lock, as spec §8.2 orders.
 */
final class MemoryAddRemove {
    private final MemoryHotplug hp;
    private final MemoryModel mm;
    private final HotplugParams params;
    private final Dmesg log;
    /** iomem "System RAM" resources, [start, end) bytes. */
    private final List<long[]> resources = new ArrayList<>();
    /** The boot ones among them (e820 → iomem), which /proc/iomem shows from the e820 table. */
    private final List<long[]> bootResources;

    /** Registers the boot System RAM ranges (e820 → iomem) as resources. */
    MemoryAddRemove(MemoryHotplug hp) {
        this.hp = hp;
        this.mm = hp.mm;
        this.params = hp.params;
        this.log = hp.log;
        for (long[] r : mm.bootRam()) {
            resources.add(r);
        }
        bootResources = List.copyOf(resources);
    }

    // ------------------------------------------------------------------ memory block devices

    /**
     * Models add_memory_block()/init_memory_block() in drivers/base/memory.c: a new offline
     * memory block device and its sysfs directory. Caller holds mem_hotplug_lock (write) for a
     * hot-added block; at boot (memory_dev_init()) nothing else runs yet.
     */
    MemoryBlock newBlock(int id, int nid, boolean early, long nrVmemmap, MemoryGroup group) {
        MemoryBlock b = new MemoryBlock(id, (long) id * mm.arch().pagesPerBlock(), mm.arch().pagesPerBlock(), nid, early,
                new Mutex(hp.kernel, "&dev->mutex"), nrVmemmap, group);
        b.state = MemoryBlock.State.OFFLINE;
        b.offline = true;
        hp.blocks.put(id, b);
        if (hp.sysfs != null) {
            hp.sysfs.addBlock(b);
        }
        return b;
    }

    /** Models remove_memory_block() in drivers/base/memory.c: the block and its sysfs directory go. */
    private void removeBlockDevice(MemoryBlock b) {
        hp.blocks.remove(b.id);
        if (hp.sysfs != null) {
            hp.sysfs.removeBlock(b);
        }
    }

    /** The "System RAM" resources registered after boot (hot-adds), [start, end) bytes, in order. */
    List<long[]> hotAddedResources() {
        List<long[]> out = new ArrayList<>();
        java.util.Set<long[]> boot = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        boot.addAll(bootResources);
        for (long[] r : resources) {
            if (!boot.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Models walk_system_ram_range() in kernel/resource.c, counting: System RAM pages in [startPfn, endPfn). */
    long systemRamPages(long startPfn, long endPfn) {
        long n = 0;
        for (long[] r : resources) {
            long s = Math.max(startPfn, (r[0] + mm.arch().pageSize() - 1) >>> mm.arch().pageShift());
            long e = Math.min(endPfn, r[1] >>> mm.arch().pageShift());
            if (s < e) {
                n += e - s;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ add

    /** Models add_memory() in mm/memory_hotplug.c: takes device_hotplug_lock around {@link #addMemoryLocked}. */
    void addMemory(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        hp.lockDeviceHotplug();
        try {
            addMemoryLocked(nid, start, size, mhpFlags, firmwareNode);
        } finally {
            hp.unlockDeviceHotplug();
        }
    }

    /**
     * Models __add_memory() in mm/memory_hotplug.c (caller holds device_hotplug_lock):
     * register_memory_resource() (range check → -E2BIG with pr_warn; conflict → -EEXIST) then
     * add_memory_resource(); the resource is released again if that fails.
     */
    void addMemoryLocked(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        long end = start + size;
        if (size <= 0 || start < 0 || end > mm.arch().maxPhysAddr()) {
            log.warn(String.format("Hotplug memory [%#x-%#x] exceeds maximum addressable range [%#x-%#x]",
                    start, end, 0, mm.arch().maxPhysAddr()));
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

    /**
     * Models the MHP_MEMMAP_ON_MEMORY check of add_memory_resource() (mhp_supports_memmap_on_memory()
     * in mm/memory_hotplug.c).
     */
    private boolean memmapOnMemoryFor(long size, int mhpFlags) {
        if ((mhpFlags & MemoryHotplug.MHP_MEMMAP_ON_MEMORY) == 0 || params.memmapOnMemory == HotplugParams.MemmapOnMemory.N) {
            return false;
        }
        // 6.1: only a request of exactly one block; 6.12: every block of a multi-block add.
        return mm.version().has(KernelFeature.MEMMAP_ON_MEMORY_PER_BLOCK) || size == mm.arch().blockSizeBytes();
    }

    /**
     * Models add_memory_resource() in mm/memory_hotplug.c: alignment and node checks, then under
     * mem_hotplug_lock sparse_add_section() and create_memory_block_devices(), then
     * online_memory_block() per block for a default online type other than offline (errors
     * ignored, as Linux does).
     */
    private void addMemoryResource(int nid, long start, long size, int mhpFlags, String firmwareNode) {
        if (size == 0 || start % mm.arch().blockSizeBytes() != 0 || size % mm.arch().blockSizeBytes() != 0) {
            log.err(String.format("Block size [%#x] unaligned hotplug range: start %#x, size %#x", mm.arch().blockSizeBytes(), start, size));
            throw new KernelException(Errno.EINVAL);
        }
        MemoryGroup group = null;
        if ((mhpFlags & MemoryHotplug.MHP_NID_IS_MGID) != 0) {
            group = hp.groups.get(nid);
            if (group == null) {
                throw new KernelException(Errno.EINVAL);
            }
            nid = group.nid;
        }
        if (!mm.nodePossible(nid)) {
            log.warn("node " + nid + " was absent from the node_possible_map");
            throw new KernelException(Errno.EINVAL);
        }
        long startPfn = start >>> mm.arch().pageShift();
        long nr = size >>> mm.arch().pageShift();
        boolean altmap = memmapOnMemoryFor(size, mhpFlags);
        if (altmap && (mhpFlags & MemoryHotplug.MHP_OFFLINE_INACCESSIBLE) == 0) {
            // the memmap on the memory is written as its sections are added
            for (long pfn = startPfn; pfn < startPfn + nr; pfn += mm.arch().pagesPerBlock()) {
                hp.touch(pfn, mm.arch().pagesPerBlock() * 64 / mm.arch().pageSize(), "sparse_add_section()");
            }
        }
        hp.memHotplugBegin();
        List<MemoryBlock> created = new ArrayList<>();
        try {
            for (long pfn = startPfn; pfn < startPfn + nr; pfn += mm.arch().pagesPerBlock()) {
                if (hp.blocks.containsKey((int) (pfn / mm.arch().pagesPerBlock()))) {
                    throw new KernelException(Errno.EEXIST);
                }
            }
            mm.tryOnlineNode(nid);
            mm.sparseAddSections(startPfn, nr, altmap, nid);
            for (long pfn = startPfn; pfn < startPfn + nr; pfn += mm.arch().pagesPerBlock()) {
                MemoryBlock b = newBlock((int) (pfn / mm.arch().pagesPerBlock()), nid, false,
                        altmap ? mm.arch().pagesPerBlock() * 64 / mm.arch().pageSize() : 0, group);
                b.firmwareNode = firmwareNode;
                if (hp.sysfs != null && firmwareNode != null) {
                    hp.sysfs.addFirmwareNode(b);
                }
                created.add(b);
            }
        } finally {
            hp.memHotplugDone();
        }
        OnlineType def = params.defaultOnlineType;
        if (def != OnlineType.OFFLINE) {
            for (MemoryBlock b : created) {
                b.onlineType = def;
                try {
                    hp.deviceOnline(b);
                } catch (KernelException ignored) {
                    // online_memory_block errors are ignored by add_memory_resource
                }
            }
        }
    }

    // ------------------------------------------------------------------ remove

    /** Models remove_memory() in mm/memory_hotplug.c: device_hotplug_lock + try_remove_memory(). */
    void removeMemory(long start, long size) {
        hp.lockDeviceHotplug();
        try {
            tryRemoveMemory(start, size);
        } finally {
            hp.unlockDeviceHotplug();
        }
    }

    /**
     * Models try_remove_memory() in mm/memory_hotplug.c (caller holds device_hotplug_lock):
     * -EINVAL unaligned; -EBUSY with a pr_warn if a block is not offline; -EINVAL for a range
     * mixing memmap_on_memory and regular blocks; else, under mem_hotplug_lock, the block
     * devices, the sections and the resource go, and the node goes offline if nothing is left
     * in it (try_offline_node()).
     */
    void tryRemoveMemory(long start, long size) {
        if (size == 0 || start % mm.arch().blockSizeBytes() != 0 || size % mm.arch().blockSizeBytes() != 0) {
            throw new KernelException(Errno.EINVAL);
        }
        int first = (int) (start / mm.arch().blockSizeBytes());
        int last = (int) ((start + size) / mm.arch().blockSizeBytes());
        List<MemoryBlock> in = new ArrayList<>(hp.blocks.subMap(first, last).values());
        for (MemoryBlock b : in) {
            if (b.state != MemoryBlock.State.OFFLINE) {
                long begin = b.startPfn << mm.arch().pageShift();
                log.warn(String.format("removing memory fails, because memory [0x%016x-0x%016x] is onlined", begin, begin + mm.arch().blockSizeBytes() - 1));
                throw new KernelException(Errno.EBUSY);
            }
        }
        boolean anyAlt = in.stream().anyMatch(b -> b.nrVmemmap > 0);
        boolean allAlt = in.stream().allMatch(b -> b.nrVmemmap > 0);
        if (anyAlt && !allAlt) {
            log.warn("WARNING: memory range mixes memmap_on_memory and regular blocks");
            throw new KernelException(Errno.EINVAL);
        }
        hp.memHotplugBegin();
        try {
            for (MemoryBlock b : in) {
                removeBlockDevice(b);
            }
            mm.sparseRemoveSections(start >>> mm.arch().pageShift(), size >>> mm.arch().pageShift());
            resources.removeIf(r -> r[0] >= start && r[1] <= start + size);
            if (!in.isEmpty()) {
                int nid = in.get(0).nid;
                mm.tryOfflineNode(nid, hp.blocks.values().stream().anyMatch(b -> b.nid == nid));
            }
        } finally {
            hp.memHotplugDone();
        }
    }

    /**
     * Models offline_and_remove_memory() in mm/memory_hotplug.c: offlines every block of the
     * range in order (recording its zone type), removes on success; on failure re-onlines
     * exactly the blocks it offlined with their recorded type and rethrows the first error.
     */
    void offlineAndRemoveMemory(long start, long size) {
        if (size == 0 || start % mm.arch().blockSizeBytes() != 0 || size % mm.arch().blockSizeBytes() != 0) {
            throw new KernelException(Errno.EINVAL);
        }
        hp.lockDeviceHotplug();
        try {
            int first = (int) (start / mm.arch().blockSizeBytes());
            int last = (int) ((start + size) / mm.arch().blockSizeBytes());
            List<MemoryBlock> in = new ArrayList<>(hp.blocks.subMap(first, last).values());
            List<MemoryBlock> offlined = new ArrayList<>();
            List<OnlineType> types = new ArrayList<>();
            KernelException err = null;
            for (MemoryBlock b : in) {
                OnlineType t = b.zone != null && b.zone.type() == ZoneType.MOVABLE ? OnlineType.ONLINE_MOVABLE : OnlineType.ONLINE_KERNEL;
                try {
                    if (hp.deviceOffline(b) == 0) {
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
                    hp.deviceOnline(b);
                } catch (KernelException e) {
                    log.err("offline_and_remove_memory: Failed to re-online memory: " + (-e.errno().number()));
                }
            }
            throw err;
        } finally {
            hp.unlockDeviceHotplug();
        }
    }
}
