package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A device that occupies part of the device-memory region (QEMU's TYPE_MEMORY_DEVICE
 * interface, include/hw/mem/memory-device.h): pc-dimm and virtio-mem.
 *
 * <p>Invariant: the device's region is {@code [addr, addr + memdev.size())}; {@code id},
 * {@code memdev} and {@code addr} are fixed once the device is realized (final fields).
 * Subclasses guard their own mutable state.
 */
public abstract sealed class MemoryDevice permits PcDimm, VirtioMem {
    private final String id;
    private final MemoryBackend memdev;
    private final long addr;

    MemoryDevice(String id, MemoryBackend memdev, long addr) {
        this.id = id;
        this.memdev = memdev;
        this.addr = addr;
    }

    /** The qdev id (may be null for an anonymous device). */
    public final String id() {
        return id;
    }

    /** Guest-physical start of the device's region. */
    public final long addr() {
        return addr;
    }

    /** Size of the region it occupies in the device-memory address space: the backend's size. */
    public final long regionSize() {
        return memdev.size();
    }

    /** The backend providing its memory. */
    public final MemoryBackend memdev() {
        return memdev;
    }

    /** Memory currently plugged (the whole region for a DIMM, the plugged part for virtio-mem). */
    public abstract long pluggedSize();

    /** The canonical QOM path of the device. */
    public abstract String qomPath();

    /** One element of query-memory-devices: {"type": ..., "data": {...}}. */
    public abstract ObjectNode info();
}
