package org.hotmem.mm;

/** enum migratetype (include/linux/mmzone.h), with the names /proc/pagetypeinfo prints. */
public enum MigrateType {
    UNMOVABLE("Unmovable"),
    MOVABLE("Movable"),
    RECLAIMABLE("Reclaimable"),
    HIGHATOMIC("HighAtomic"),
    CMA("CMA"),
    ISOLATE("Isolate");

    private static final MigrateType[] VALUES = values();
    private final String text;

    MigrateType(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    static MigrateType of(int ordinal) {
        return VALUES[ordinal];
    }
}
