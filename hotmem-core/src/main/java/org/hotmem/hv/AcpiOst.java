package org.hotmem.hv;

/**
 * The values of an ACPI _OST (OSPM Status Indication) call, as the guest passes them and QEMU
 * reports them in ACPI_DEVICE_OST's {@code source} and {@code status}: the source event is
 * the notification being answered (ACPI's Notify values, include/acpi/actypes.h
 * ACPI_NOTIFY_*), the status one of the _OST status codes (include/acpi/acpi_bus.h
 * ACPI_OST_SC_*). Constants only.
 */
public final class AcpiOst {
    /** Source event ACPI_NOTIFY_DEVICE_CHECK: a device was inserted (a DIMM plugged). */
    public static final int EVENT_DEVICE_CHECK = 1;
    /** Source event ACPI_NOTIFY_EJECT_REQUEST: the platform asks to eject a device (a DIMM unplug). */
    public static final int EVENT_EJECT_REQUEST = 3;

    /** ACPI_OST_SC_SUCCESS. */
    public static final int SUCCESS = 0;
    /** ACPI_OST_SC_NON_SPECIFIC_FAILURE. */
    public static final int NON_SPECIFIC_FAILURE = 1;
    /** ACPI_OST_SC_EJECT_NOT_SUPPORTED (Linux answers an eject it refuses with -EPERM this way). */
    public static final int EJECT_NOT_SUPPORTED = 0x80;
    /** ACPI_OST_SC_DEVICE_IN_USE. */
    public static final int DEVICE_IN_USE = 0x81;
    /** ACPI_OST_SC_DEVICE_BUSY (Linux's answer to an eject that failed with -EBUSY). */
    public static final int DEVICE_BUSY = 0x82;
    /** ACPI_OST_SC_EJECT_IN_PROGRESS: the eject has started; its outcome follows in a second _OST. */
    public static final int EJECT_IN_PROGRESS = 0x84;

    private AcpiOst() {
    }
}
