package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A device that occupies part of the device-memory region (QEMU's TYPE_MEMORY_DEVICE
 * interface, include/hw/mem/memory-device.h): pc-dimm and virtio-mem.
 */
public interface MemoryDevice {
    /** The qdev id (may be null for an anonymous device). */
    String id();

    /** Guest-physical start of the device's region. */
    long addr();

    /** Size of the region it occupies in the device-memory address space. */
    long regionSize();

    /** Memory currently plugged (the whole region for a DIMM, the plugged part for virtio-mem). */
    long pluggedSize();

    /** The backend providing its memory. */
    MemoryBackend memdev();

    /** One element of query-memory-devices: {"type": ..., "data": {...}}. */
    ObjectNode info();
}
