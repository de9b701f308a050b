package org.hotmem.mm;

/**
 * The Linux kernel being imitated. Selects version-dependent behaviour: boot reservations
 * (hence managed page counts), page dump format, default of auto_online_blocks,
 * memmap_on_memory for multi-block adds, crash_hotplug in sysfs, the "Total pages" formula.
 */
public enum KernelVersion {
    /** Debian 12's linux-image-6.1.0 (6.1.192). */
    V6_1("6.1"),
    /** Debian's linux-image-6.12.117+deb12 (the default). */
    V6_12("6.12");

    private final String text;

    KernelVersion(String text) {
        this.text = text;
    }

    /** "6.1" or "6.12". */
    public String text() {
        return text;
    }

    /** Parses "6.1" / "6.12" (also "V6_1"); throws IllegalArgumentException naming the value. */
    public static KernelVersion parse(String s) {
        for (KernelVersion v : values()) {
            if (v.text.equals(s) || v.name().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown kernel version '" + s + "' (expected 6.1 or 6.12)");
    }

    /** True for 6.12 and later. */
    public boolean atLeast612() {
        return this == V6_12;
    }
}
