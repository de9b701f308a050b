package org.hotmem.hotplug;

/** MMOP_* online types (include/linux/memory_hotplug.h) with the strings sysfs accepts. */
public enum OnlineType {
    OFFLINE("offline"),
    ONLINE("online"),
    ONLINE_KERNEL("online_kernel"),
    ONLINE_MOVABLE("online_movable");

    private final String text;

    OnlineType(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** Models mhp_online_type_from_str(): exact match (sysfs_streq), null if none. */
    public static OnlineType fromString(String s) {
        String t = SysfsStrings.stripOneNewline(s);
        for (OnlineType o : values()) {
            if (o.text.equals(t)) {
                return o;
            }
        }
        return null;
    }
}
