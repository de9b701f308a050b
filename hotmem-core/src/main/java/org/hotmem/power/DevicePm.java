package org.hotmem.power;

/**
 * A device's hibernation callbacks (struct dev_pm_ops, the phases hotmem models): {@code freeze}
 * before the snapshot, {@code thaw} after it in the image kernel, {@code poweroff} before the
 * machine goes down, {@code restore} in the image kernel after a resume. A callback that fails
 * throws a KernelException with the device's errno. Called in the hibernating task with user
 * space and the freezable kernel threads frozen.
 */
public interface DevicePm {
    /** dev_name(), for the "PM: dpm_run_callback(): ... returns -N" lines. */
    String name();

    /** The callback the driver installs for ->freeze, e.g. "virtio_pci_freeze". */
    default String freezeCallback() { return "pci_pm_freeze"; }

    default void freeze() { }
    default void thaw() { }
    default void poweroff() { }
    default void restore() { }
}
