package org.hotmem.hotplug;

import org.hotmem.kernel.Mutex;
import org.hotmem.mm.Zone;

/**
 * struct memory_block: one sysfs memory block device (drivers/base/memory.c).
 *
 * <p>Guarded by: {@code state} by the device lock (read locklessly by state_show);
 * {@code onlineType} by device_hotplug_lock; {@code zone}, {@code nrVmemmap} by
 * mem_hotplug_lock; {@code offline} (dev->offline) by the device lock.
 */
public final class MemoryBlock {
    /** Block states as drivers/base/memory.c keeps them. */
    public enum State {
        ONLINE("online"), GOING_OFFLINE("going-offline"), OFFLINE("offline");

        private final String text;

        State(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    final int id;
    final long startPfn;
    final long nrPages;
    final int nid;
    final boolean early;
    final Mutex devLock;
    State state;
    OnlineType onlineType = OnlineType.OFFLINE;
    Zone zone;
    /** memmap_on_memory: pages at the start of the block holding its memmap (altmap), 0 if none. */
    final long nrVmemmap;
    final MemoryGroup group;
    boolean offline;
    String firmwareNode;
    int nrHwpoison;

    MemoryBlock(int id, long startPfn, long nrPages, int nid, boolean early, Mutex devLock, long nrVmemmap, MemoryGroup group) {
        this.id = id;
        this.startPfn = startPfn;
        this.nrPages = nrPages;
        this.nid = nid;
        this.early = early;
        this.devLock = devLock;
        this.nrVmemmap = nrVmemmap;
        this.group = group;
    }

    public int id() {
        return id;
    }

    public long startPfn() {
        return startPfn;
    }

    public long nrPages() {
        return nrPages;
    }

    public State state() {
        return state;
    }

    public Zone zone() {
        return zone;
    }

    public int nid() {
        return nid;
    }

    public long nrVmemmap() {
        return nrVmemmap;
    }

    public MemoryGroup group() {
        return group;
    }

    /** dev->offline, what the {@code online} file shows inverted. */
    public boolean devOffline() {
        return offline;
    }

    public String name() {
        return "memory" + id;
    }
}
