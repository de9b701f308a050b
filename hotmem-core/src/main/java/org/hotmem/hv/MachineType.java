package org.hotmem.hv;

/**
 * The QEMU 7.2 board a machine is ({@code -machine}): {@code pc} (i440FX, ACPI memory hotplug,
 * x86-64 guest) or {@code pseries} (sPAPR, LMB DR connectors driven by RTAS hotplug events,
 * ppc64le guest).
 */
public enum MachineType {
    /** {@code -machine pc}: QEMU's default board on x86 (128 MiB default RAM). */
    PC("pc", 128L << 20),
    /** {@code -machine pseries}: the sPAPR board (hw/ppc/spapr.c; 512 MiB default RAM). */
    PSERIES("pseries", 512L << 20);

    private final String qemuName;
    private final long defaultRamSize;

    MachineType(String qemuName, long defaultRamSize) {
        this.qemuName = qemuName;
        this.defaultRamSize = defaultRamSize;
    }

    /** The name {@code -machine} takes. */
    public String qemuName() {
        return qemuName;
    }

    /** mc->default_ram_size. */
    public long defaultRamSize() {
        return defaultRamSize;
    }

    /** Parses a {@code -machine} name; IllegalArgumentException naming the choices. */
    public static MachineType parse(String name) {
        for (MachineType t : values()) {
            if (t.qemuName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown machine '" + name + "' (expected pc or pseries)");
    }
}
