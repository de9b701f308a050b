package org.hotmem.hv;

/**
 * A {@code memory-backend-ram} object (backends/hostmem-ram.c): an id under /objects, a size,
 * and whether a device maps it (host_memory_backend_is_mapped()). A backend can back at most
 * one memory device at a time.
 *
 * <p>Invariant: {@code mapped} is set when a device is plugged on the backend and cleared
 * when that device is ejected; id and size are fixed. Not thread-safe: changed only by {@link Qemu}'s handlers, which run one at a
 * time.
 */
public final class MemoryBackend {
    private final String id;
    private final long size;
    /** Set while a pc-dimm or virtio-mem device uses the backend. */
    private boolean mapped;

    public MemoryBackend(String id, long size) {
        this.id = id;
        this.size = size;
    }

    public String id() {
        return id;
    }

    public long size() {
        return size;
    }

    /** The canonical QOM path, e.g. {@code /objects/mem1}. */
    public String qomPath() {
        return "/objects/" + id;
    }

    public boolean isMapped() {
        return mapped;
    }

    void setMapped(boolean mapped) {
        this.mapped = mapped;
    }
}
