package org.hotmem.mm;

/** Types of firmware e820 ranges (arch/x86/include/asm/e820/types.h), with the names e820__print_table prints. */
public enum E820Type {
    USABLE("usable", 1, "System RAM"),
    RESERVED("reserved", 2, "Reserved"),
    ACPI("ACPI data", 3, "ACPI Tables"),
    NVS("ACPI NVS", 4, "ACPI Non-volatile Storage"),
    UNUSABLE("unusable", 5, "Unusable memory"),
    /** E820_TYPE_PRAM: legacy emulated persistent memory (memmap=nn!ss). */
    PRAM("persistent (type 12)", 12, "Persistent Memory (legacy)");

    private final String text;
    private final int value;
    private final String resourceName;

    E820Type(String text, int value, String resourceName) {
        this.text = text;
        this.value = value;
        this.resourceName = resourceName;
    }

    /** The type's number (enum e820_type); e820__update_table() lets the larger one win an overlap. */
    public int value() {
        return value;
    }

    /** e820_type_to_string(): the name of the /proc/iomem resource e820__reserve_resources() makes. */
    public String resourceName() {
        return resourceName;
    }

    /** The name in "BIOS-e820: [mem ...] NAME". */
    public String text() {
        return text;
    }
}
