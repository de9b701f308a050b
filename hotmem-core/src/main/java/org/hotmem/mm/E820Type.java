package org.hotmem.mm;

/** Types of firmware e820 ranges (arch/x86/include/asm/e820/types.h), with the names e820__print_table prints. */
public enum E820Type {
    USABLE("usable"),
    RESERVED("reserved"),
    ACPI("ACPI data"),
    NVS("ACPI NVS"),
    UNUSABLE("unusable");

    private final String text;

    E820Type(String text) {
        this.text = text;
    }

    /** The name in "BIOS-e820: [mem ...] NAME". */
    public String text() {
        return text;
    }
}
