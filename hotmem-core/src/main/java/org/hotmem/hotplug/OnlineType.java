package org.hotmem.hotplug;

import org.hotmem.kernel.KernelStrings;

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
        for (OnlineType o : values()) {
            if (KernelStrings.sysfsStreq(s, o.text)) {
                return o;
            }
        }
        return null;
    }
}
