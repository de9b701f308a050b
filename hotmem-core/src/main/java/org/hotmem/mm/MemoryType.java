package org.hotmem.mm;

/** enum memory_type of include/linux/memremap.h: what kind of device memory a dev_pagemap maps. */
public enum MemoryType {
    /** Device memory the CPU cannot address (lib/test_hmm.c, GPU drivers): no direct map; needs migrate_to_ram, page_free and an owner. */
    MEMORY_DEVICE_PRIVATE(true),
    /** CPU-coherent device memory handed out by a driver: needs page_free and an owner. */
    MEMORY_DEVICE_COHERENT(true),
    /** Persistent memory for filesystem DAX (drivers/nvdimm/pmem.c). */
    MEMORY_DEVICE_FS_DAX(false),
    /** Device-DAX (drivers/dax/device.c). */
    MEMORY_DEVICE_GENERIC(false),
    /** PCI peer-to-peer BARs (drivers/pci/p2pdma.c), mapped uncached. */
    MEMORY_DEVICE_PCI_P2PDMA(false);

    private final boolean driverOwned;

    MemoryType(boolean driverOwned) {
        this.driverOwned = driverOwned;
    }

    /**
     * PRIVATE and COHERENT: the driver hands pages out one by one (zone_device_page_init()),
     * each taking a pgmap reference; free pages have refcount 0. The other types' pages start
     * with refcount 1 and memremap_pages() takes one pgmap reference per pfn.
     */
    public boolean driverOwned() {
        return driverOwned;
    }
}
