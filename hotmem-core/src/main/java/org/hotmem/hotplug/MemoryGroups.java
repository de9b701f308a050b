package org.hotmem.hotplug;

import java.util.Collection;
import java.util.Collections;
import java.util.TreeMap;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.MemoryModel;

/**
 * The registry of memory groups of drivers/base/memory.c (the {@code memory_groups} xarray):
 * memory_group_register_static(), memory_group_register_dynamic(), memory_group_unregister()
 * and the lookup add_memory_resource() does for MHP_NID_IS_MGID.
 *
 * <p>Invariants: ids are handed out in increasing order and never reused; every registered group
 * is on a possible node; a static group has max_pages &gt; 0, a dynamic one a power-of-two
 * unit_pages of at least one memory block; a group that still has memory blocks is never
 * unregistered.
 *
 * <p>Locking: Linux guards the xarray with its own xa_lock; here registration and lookup have no
 * scheduling point, so the kernel's single-runner discipline guards {@code groups} and
 * {@code nextGroupId}. Drivers register before adding memory and unregister after removing it;
 * the blocks that reference a group are added and removed under device_hotplug_lock and
 * mem_hotplug_lock (write). A group's present counters are updated under mem_hotplug_lock
 * (write) by {@link MemoryHotplug#adjustPresent}.
 */
final class MemoryGroups {
    private final MemoryHotplug hp;
    private final MemoryModel mm;
    private final TreeMap<Integer, MemoryGroup> groups = new TreeMap<>();
    private int nextGroupId;

    MemoryGroups(MemoryHotplug hp) {
        this.hp = hp;
        this.mm = hp.mm;
    }

    /** Models memory_group_register_static(): -EINVAL for max_pages 0 or an impossible node. */
    int registerStatic(int nid, long maxPages) {
        if (maxPages == 0 || !mm.nodePossible(nid)) {
            throw new KernelException(Errno.EINVAL);
        }
        MemoryGroup g = new MemoryGroup(nextGroupId++, nid, false, maxPages, 0);
        groups.put(g.id, g);
        return g.id;
    }

    /** Models memory_group_register_dynamic(): unit_pages a power of two >= block pages. */
    int registerDynamic(int nid, long unitPages) {
        if (unitPages <= 0 || Long.bitCount(unitPages) != 1 || unitPages < mm.arch().pagesPerBlock() || !mm.nodePossible(nid)) {
            throw new KernelException(Errno.EINVAL);
        }
        MemoryGroup g = new MemoryGroup(nextGroupId++, nid, true, 0, unitPages);
        groups.put(g.id, g);
        return g.id;
    }

    /** Models memory_group_unregister(): -EINVAL unknown, -EBUSY if blocks still belong to it. */
    void unregister(int mgid) {
        MemoryGroup g = groups.get(mgid);
        if (g == null) {
            throw new KernelException(Errno.EINVAL);
        }
        for (MemoryBlock b : hp.blocks.values()) {
            if (b.group == g) {
                throw new KernelException(Errno.EBUSY);
            }
        }
        groups.remove(mgid);
    }

    /** Models memory_group_find_by_id(): the group, or null. */
    MemoryGroup get(int mgid) {
        return groups.get(mgid);
    }

    /** Every registered group, by id (the xa_for_each walks of auto_movable_can_online_movable()). */
    Collection<MemoryGroup> all() {
        return Collections.unmodifiableCollection(groups.values());
    }
}
