package org.hotmem.hotplug;

/**
 * struct memory_group: memory added and removed as a unit (static: a DIMM / ACPI memory
 * device with max_pages; dynamic: virtio-mem in units of unit_pages). The present counters
 * are updated by adjust_present_page_count() under mem_hotplug_lock.
 */
public final class MemoryGroup {
    final int id;
    final int nid;
    final boolean dynamic;
    final long maxPages;
    final long unitPages;
    long presentKernelPages;
    long presentMovablePages;

    MemoryGroup(int id, int nid, boolean dynamic, long maxPages, long unitPages) {
        this.id = id;
        this.nid = nid;
        this.dynamic = dynamic;
        this.maxPages = maxPages;
        this.unitPages = unitPages;
    }

    public int id() {
        return id;
    }

    public int nid() {
        return nid;
    }

    public boolean isDynamic() {
        return dynamic;
    }

    public long presentKernelPages() {
        return presentKernelPages;
    }

    public long presentMovablePages() {
        return presentMovablePages;
    }
}
