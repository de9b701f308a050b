package org.hotmem.mm;

/** enum zone_type on x86_64 (include/linux/mmzone.h), with the names /proc/zoneinfo and valid_zones print. */
public enum ZoneType {
    DMA("DMA"),
    DMA32("DMA32"),
    NORMAL("Normal"),
    MOVABLE("Movable"),
    DEVICE("Device");

    private final String zoneName;

    ZoneType(String zoneName) {
        this.zoneName = zoneName;
    }

    /** The zone name as Linux prints it ("DMA32", "Normal", "Movable"). */
    public String zoneName() {
        return zoneName;
    }

    /** True for the zones kernel (unmovable) allocations may use. */
    public boolean isKernelZone() {
        return this == DMA || this == DMA32 || this == NORMAL;
    }
}
