package org.hotmem.drivers;

import java.util.ArrayList;
import java.util.List;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hv.AcpiMemoryHotplug;
import org.hotmem.hv.AcpiOst;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.Workqueue;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;

/**
 * The guest's ACPI memory-device support: drivers/acpi/acpi_memhotplug.c (the PNP0C80 scan
 * handler) together with the parts of drivers/acpi/scan.c and bus.c that deliver hotplug
 * notifications to it (acpi_bus_notify -> acpi_hotplug_schedule -> acpi_device_hotplug,
 * acpi_scan_hot_remove, acpi_scan_try_to_offline).
 *
 * <p>Flow: QEMU raises the memory-hotplug GPE; the handler queues the GPE method on
 * {@code kacpi_notify}, which runs MSCN and schedules one hotplug work per notification on the
 * ordered {@code kacpi_hotplug} workqueue. That work takes device_hotplug_lock and
 * acpi_scan_lock, adds the device's memory (device check) or offlines, removes and ejects it
 * (eject request), and reports the result with _OST.
 *
 * <p>Invariants: {@code devices[slot]} is non-null iff the PNP0C80 device of that slot has the
 * memory handler attached (its memory added and bound); its bound block ids are exactly the
 * memory blocks of its range. Guarded by acpi_scan_lock (and device_hotplug_lock, which every
 * path takes first).
 */
public final class AcpiMemoryHotplugDriver {
    /**
     * The memory hotplug container of QEMU's DSDT (a PNP0A06 Generic Container Device, the pc
     * machine's fifth, as recorded on both kernels) under which the slots' ACPI devices sit.
     */
    static final String CONTAINER = "LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04";
    /** Where the ACPI devices of the memory slots live in sysfs. */
    static final String ACPI_BUS_DIR = "/sys/devices/" + CONTAINER;

    /** The memory handler's per-device data: struct acpi_memory_device with its one range. */
    private static final class AcpiMemoryDevice {
        final int slot;
        final long start;
        final long length;
        int mgid = -1;
        boolean enabled;
        /** The physical nodes (memory blocks) bound to the ACPI device, in bind order. */
        final List<Integer> boundBlocks = new ArrayList<>();
        /** put_online of each physical node during an eject attempt. */
        final List<Boolean> putOnline = new ArrayList<>();

        AcpiMemoryDevice(int slot, long start, long length) {
            this.slot = slot;
            this.start = start;
            this.length = length;
        }
    }

    private final Kernel kernel;
    private final Dmesg log;
    private final MemoryHotplug hotplug;
    private final AcpiMemoryHotplug hw;
    private final Kernfs fs;
    private final Mutex acpiScanLock;
    private final Workqueue kacpiNotify;
    private final Workqueue kacpiHotplug;
    private final AcpiMemoryDevice[] devices;

    /**
     * Creates the driver and the ACPI device objects of every memory slot (the DSDT defines
     * MP00..MPnn whether or not a DIMM is present, so their instance numbers follow the slots).
     */
    public AcpiMemoryHotplugDriver(Kernel kernel, MemoryHotplug hotplug, AcpiMemoryHotplug hw, Kernfs fs) {
        this.kernel = kernel;
        this.log = kernel.dmesg();
        this.hotplug = hotplug;
        this.hw = hw;
        this.fs = fs;
        this.acpiScanLock = new Mutex(kernel, "acpi_scan_lock");
        this.kacpiNotify = new Workqueue(kernel, "kacpi_notify");
        this.kacpiHotplug = new Workqueue(kernel, "kacpi_hotplug");
        this.devices = new AcpiMemoryDevice[hw.slotCount()];
        if (fs != null) {
            for (int slot = 0; slot < hw.slotCount(); slot++) {
                KDir d = fs.mkdirs(ACPI_BUS_DIR + "/" + deviceName(slot));
                final int s = slot;
                fs.addFile(d, "hid", 0444, () -> "PNP0C80\n", null);
                fs.addFile(d, "uid", 0444, () -> s + "\n", null);
                fs.addFile(d, "status", 0444, () -> hw.status(s) + "\n", null);
                fs.addFile(d, "path", 0444, () -> String.format("\\_SB_.PCI0.MHPD.MP%02X\n", s), null);
            }
        }
    }

    /** acpi_device_name of a slot's memory device, e.g. {@code PNP0C80:00}. */
    static String deviceName(int slot) {
        return String.format("PNP0C80:%02x", slot);
    }

    private String devPrefix(int slot) {
        return "acpi " + deviceName(slot) + ": ";
    }

    /**
     * Boot-time enumeration (acpi_bus_scan at acpi_init): attaches the handler to every slot
     * whose DIMM was present at start-up and installs the GPE handler. Runs inside a task.
     */
    public void scanAtBoot() {
        hotplug.lockDeviceHotplug();
        acpiScanLock.lock();
        try {
            for (int slot : hw.enabledSlots()) {
                try {
                    acpiMemoryDeviceAdd(slot);
                } catch (KernelException e) {
                    // acpi_bus_attach ignores a handler's failure
                }
            }
        } finally {
            acpiScanLock.unlock();
            hotplug.unlockDeviceHotplug();
        }
        hw.setGpeHandler(this::gpeInterrupt);
    }

    /** The SCI/GPE handler: runs in interrupt context, defers the GPE method to kacpi_notify. */
    private void gpeInterrupt() {
        kacpiNotify.queueWork(new Workqueue.Work("acpi_ev_asynch_execute_gpe_method", this::runMscn));
    }

    /** \_GPE._E03 -> MHPD.MSCN: every Notify() goes to acpi_bus_notify -> acpi_hotplug_schedule(). */
    private void runMscn() {
        for (AcpiMemoryHotplug.SlotNotification n : hw.scan()) {
            final int slot = n.slot();
            final int type = n.event();
            kacpiHotplug.queueWork(new Workqueue.Work("acpi_hotplug_work_fn", () -> acpiDeviceHotplug(slot, type)));
        }
    }

    /** Models acpi_device_hotplug() in drivers/acpi/scan.c for a memory device. */
    private void acpiDeviceHotplug(int slot, int src) {
        hotplug.lockDeviceHotplug();
        acpiScanLock.lock();
        try {
            int error;
            try {
                error = acpiGenericHotplugEvent(slot, src);
            } catch (KernelException e) {
                error = -e.errno().number();
            }
            int ost;
            if (error == 0) {
                ost = AcpiOst.SUCCESS;
            } else if (error == -Errno.EPERM.number()) {
                ost = AcpiOst.EJECT_NOT_SUPPORTED;
            } else if (error == -Errno.EBUSY.number()) {
                ost = AcpiOst.DEVICE_BUSY;
            } else {
                ost = AcpiOst.NON_SPECIFIC_FAILURE;
            }
            hw.ost(slot, src, ost);
        } finally {
            acpiScanLock.unlock();
            hotplug.unlockDeviceHotplug();
        }
    }

    /** Models acpi_generic_hotplug_event(). */
    private int acpiGenericHotplugEvent(int slot, int type) {
        switch (type) {
            case AcpiOst.EVENT_DEVICE_CHECK:
                return acpiScanDeviceCheck(slot);
            case AcpiOst.EVENT_EJECT_REQUEST:
                hw.ost(slot, AcpiOst.EVENT_EJECT_REQUEST, AcpiOst.EJECT_IN_PROGRESS);
                return acpiScanHotRemove(slot);
            default:
                return -Errno.EINVAL.number();
        }
    }

    /** Models acpi_scan_device_check(): a present device without handler gets scanned (and attached). */
    private int acpiScanDeviceCheck(int slot) {
        if (hw.status(slot) == 0) {
            return 0;
        }
        if (devices[slot] != null) {
            log.debug(devPrefix(slot) + "Already enumerated");
            return 0;
        }
        int ret = acpiMemoryDeviceAdd(slot);
        return ret < 0 ? ret : 0;
    }

    /**
     * Models acpi_memory_device_add(): reads _CRS, checks _STA, adds the memory
     * (acpi_memory_enable_device) and binds the memory blocks. Returns 1 when attached, 0 if
     * the device is not present, or a negative errno.
     */
    private int acpiMemoryDeviceAdd(int slot) {
        AcpiMemoryHotplug.Range r = hw.resources(slot);
        if (r == null) {
            return -Errno.ENODEV.number();
        }
        if (hw.status(slot) != 0xF) {
            return 0;
        }
        AcpiMemoryDevice dev = new AcpiMemoryDevice(slot, r.start(), r.length());
        int result = acpiMemoryEnableDevice(dev);
        if (result != 0) {
            log.err(devPrefix(slot) + "acpi_memory_enable_device() error");
            if (dev.mgid >= 0) {
                hotplug.memoryGroupUnregister(dev.mgid);
            }
            return result;
        }
        devices[slot] = dev;
        log.debug(devPrefix(slot) + "Memory device configured by ACPI");
        return 1;
    }

    /** Models acpi_memory_enable_device(). */
    private int acpiMemoryEnableDevice(AcpiMemoryDevice dev) {
        if (dev.length == 0) {
            log.err(devPrefix(dev.slot) + "device is empty");
            return -Errno.EINVAL.number();
        }
        int node = hw.proximity(dev.slot);
        dev.mgid = hotplug.memoryGroupRegisterStatic(node, dev.length >>> hotplug.mm().arch().pageShift());
        int flags = MemoryHotplug.MHP_NID_IS_MGID | MemoryHotplug.MHP_MEMMAP_ON_MEMORY;
        try {
            hotplug.addMemoryLocked(dev.mgid, dev.start, dev.length, flags, firmwareNodeLink(dev.slot));
        } catch (KernelException e) {
            if (e.errno() != Errno.EEXIST) {
                log.err(devPrefix(dev.slot) + "add_memory failed");
                return -Errno.EINVAL.number();
            }
        }
        bindMemoryBlocks(dev);
        dev.enabled = true;
        return 0;
    }

    private static String firmwareNodeLink(int slot) {
        return "../../../" + CONTAINER + "/" + deviceName(slot);
    }

    /** Models acpi_bind_memory_blocks(): each block of the range becomes a physical node of the device. */
    private void bindMemoryBlocks(AcpiMemoryDevice dev) {
        int first = (int) (dev.start / hotplug.mm().arch().blockSizeBytes());
        int last = (int) ((dev.start + dev.length) / hotplug.mm().arch().blockSizeBytes());
        for (int id = first; id < last; id++) {
            if (hotplug.block(id) == null) {
                continue;
            }
            dev.boundBlocks.add(id);
            dev.putOnline.add(false);
            if (fs != null) {
                KDir d = fs.mkdirs(ACPI_BUS_DIR + "/" + deviceName(dev.slot));
                String name = dev.boundBlocks.size() == 1 ? "physical_node" : "physical_node" + (dev.boundBlocks.size() - 1);
                fs.symlink(d, name, "../../../system/memory/memory" + id);
            }
        }
    }

    /** Models acpi_unbind_memory_blocks(). */
    private void unbindMemoryBlocks(AcpiMemoryDevice dev) {
        if (fs != null) {
            for (int i = 0; i < dev.boundBlocks.size(); i++) {
                String name = i == 0 ? "physical_node" : "physical_node" + i;
                fs.remove(ACPI_BUS_DIR + "/" + deviceName(dev.slot) + "/" + name);
            }
        }
        dev.boundBlocks.clear();
        dev.putOnline.clear();
    }

    /**
     * Models acpi_scan_hot_remove(): offline every bound memory block (two passes), then
     * detach the handler (which removes the memory) and evaluate _EJ0.
     */
    private int acpiScanHotRemove(int slot) {
        AcpiMemoryDevice dev = devices[slot];
        if (dev != null) {
            int err = acpiScanTryToOffline(dev);
            if (err != 0) {
                return err;
            }
            acpiMemoryDeviceRemove(dev);
            devices[slot] = null;
        }
        hw.eject(slot);
        if (hw.status(slot) != 0) {
            log.warn(devPrefix(slot) + "Eject incomplete - status 0x" + Integer.toHexString(hw.status(slot)));
        }
        return 0;
    }

    /** Models acpi_scan_try_to_offline() with acpi_bus_offline()/acpi_bus_online(). */
    private int acpiScanTryToOffline(AcpiMemoryDevice dev) {
        Integer errdev = busOffline(dev, false);
        if (errdev != null) {
            errdev = busOffline(dev, true);
            if (errdev != null) {
                log.warn("memory memory" + errdev + ": Offline failed.");
                busOnline(dev);
                return -Errno.EBUSY.number();
            }
        }
        return 0;
    }

    /** acpi_bus_offline(): device_offline() every physical node; returns the last failing block (null if none). */
    private Integer busOffline(AcpiMemoryDevice dev, boolean secondPass) {
        Integer errdev = null;
        for (int i = 0; i < dev.boundBlocks.size(); i++) {
            int id = dev.boundBlocks.get(i);
            if (secondPass) {
                if (dev.putOnline.get(i)) {
                    continue;
                }
            } else {
                dev.putOnline.set(i, false);
            }
            try {
                int ret = hotplug.deviceOffline(id);
                dev.putOnline.set(i, ret == 0);
            } catch (KernelException e) {
                errdev = id;
                if (secondPass) {
                    break;
                }
            }
        }
        return errdev;
    }

    /** acpi_bus_online(): onlines again what this eject attempt offlined. */
    private void busOnline(AcpiMemoryDevice dev) {
        for (int i = 0; i < dev.boundBlocks.size(); i++) {
            if (dev.putOnline.get(i)) {
                try {
                    hotplug.deviceOnline(dev.boundBlocks.get(i));
                } catch (KernelException ignored) {
                    // device_online()'s error is ignored here, as in Linux
                }
                dev.putOnline.set(i, false);
            }
        }
    }

    /** Models acpi_memory_device_remove() -> acpi_memory_remove_memory(). */
    private void acpiMemoryDeviceRemove(AcpiMemoryDevice dev) {
        if (dev.enabled) {
            unbindMemoryBlocks(dev);
            hotplug.removeMemoryLocked(dev.start, dev.length);
            dev.enabled = false;
        }
        if (dev.mgid >= 0) {
            hotplug.memoryGroupUnregister(dev.mgid);
            dev.mgid = -1;
        }
    }

    /** Whether the memory handler is attached to the device of {@code slot}. */
    public boolean attached(int slot) {
        return devices[slot] != null;
    }
}
