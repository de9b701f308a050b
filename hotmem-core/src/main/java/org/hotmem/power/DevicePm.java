package org.hotmem.power;

/**
 * A device's hibernation callbacks (struct dev_pm_ops, the phases hotmem models): {@code freeze}
 * before the snapshot, {@code thaw} after it in the image kernel, {@code poweroff} before the
 * machine goes down, {@code restore} in the image kernel after a resume. A callback that fails
 * throws a KernelException with the device's errno. Called in the hibernating task with user
 * space and the freezable kernel threads frozen.
 */
public interface DevicePm {
    /** The device as dev_printk() names it: "virtio-pci 0000:00:04.0". */
    String name();

    /** The bus's ->freeze callback as %pS prints it, e.g. "virtio_pci_freeze+0x0/0x50 [virtio_pci]". */
    default String freezeCallback() { return "virtio_pci_freeze+0x0/0x50 [virtio_pci]"; }

    default void freeze() { }
    default void thaw() { }
    default void poweroff() { }
    default void restore() { }
}
