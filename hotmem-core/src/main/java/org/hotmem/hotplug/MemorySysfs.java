package org.hotmem.hotplug;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.KernelStrings;
import org.hotmem.kernel.Uevent;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.KernelFeature;

/**
 * The sysfs files of memory hotplug: /sys/devices/system/memory (drivers/base/memory.c),
 * /sys/devices/system/node/nodeN/memoryM links, and
 * /sys/module/memory_hotplug/parameters (mm/memory_hotplug.c module parameters).
 * Store functions take device_hotplug_lock with the sysfs trylock/restart variant.
 */
final class MemorySysfs {
    static final String ROOT = "/sys/devices/system/memory";
    private final MemoryHotplug hp;
    private final Kernfs fs;

    MemorySysfs(MemoryHotplug hp, Kernfs fs) {
        this.hp = hp;
        this.fs = fs;
        KDir root = fs.mkdirs(ROOT);
        HotplugParams p = hp.params;
        fs.addFile(root, "block_size_bytes", 0444, () -> Long.toHexString(hp.mm.arch().blockSizeBytes()) + "\n", null);
        fs.addFile(root, "auto_online_blocks", 0644, () -> p.defaultOnlineType.text() + "\n", buf -> {
            OnlineType t = OnlineType.fromString(buf);
            if (t == null) {
                throw new KernelException(Errno.EINVAL);
            }
            p.defaultOnlineType = t;
        });
        if (hp.mm.version().has(KernelFeature.CRASH_HOTPLUG_ATTR)) {
            fs.addFile(root, "crash_hotplug", 0444, () -> "0\n", null);
        }
        fs.addFile(root, "hard_offline_page", 0200, null, buf -> new PoisonPage(hp).hardOffline(buf));
        fs.addFile(root, "soft_offline_page", 0200, null, buf -> new PoisonPage(hp).softOffline(buf));
        fs.addFile(root, "uevent", 0644, () -> "", buf -> Uevent.synthStore(hp.mm.kernel().dmesg(), "", "memory",
                "/devices/system/memory", buf));
        fs.mkdirs(ROOT + "/power");
        fs.mkdirs("/sys/devices/system/node/node0");
        fs.mkdirs("/sys/bus/memory");
        KDir params = fs.mkdirs("/sys/module/memory_hotplug/parameters");
        fs.addFile(params, "memmap_on_memory", 0444, () -> switch (p.memmapOnMemory) {
            case N -> "N\n";
            case Y -> "Y\n";
            case FORCE -> "force\n";
        }, null);
        // param_attr_store(): the parameter's own set function, as on the command line
        fs.addFile(params, "online_policy", 0644, () -> p.onlinePolicy.text() + "\n", p::setOnlinePolicy);
        fs.addFile(params, "auto_movable_ratio", 0644, () -> Integer.toUnsignedString(p.autoMovableRatio) + "\n",
                p::setAutoMovableRatio);
        fs.addFile(params, "auto_movable_numa_aware", 0644, () -> (p.autoMovableNumaAware ? "Y" : "N") + "\n",
                p::setAutoMovableNumaAware);
    }

    /** Models register_memory() + the attribute groups of a memory block device. */
    void addBlock(MemoryBlock b) {
        KDir d = fs.mkdirs(ROOT + "/" + b.name());
        fs.addFile(d, "phys_index", 0444, () -> String.format("%08x%n", b.id), null);
        fs.addFile(d, "phys_device", 0444, () -> "0\n", null);
        fs.addFile(d, "removable", 0444, () -> "1\n", null);
        fs.addFile(d, "state", 0644, () -> b.state.text() + "\n", buf -> stateStore(b, buf));
        fs.addFile(d, "online", 0644, () -> (b.offline ? "0" : "1") + "\n", buf -> onlineStore(b, buf));
        fs.addFile(d, "valid_zones", 0444, () -> hp.validZones(b) + "\n", null);
        fs.addFile(d, "uevent", 0644, () -> "", buf -> Uevent.synthStore(hp.mm.kernel().dmesg(), "memory", b.name(),
                "/devices/system/memory/" + b.name(), buf));
        fs.mkdirs(ROOT + "/" + b.name() + "/power");
        fs.symlink(d, "node" + b.nid, "../../node/node" + b.nid);
        fs.symlink(d, "subsystem", "../../../../bus/memory");
        KDir node = fs.mkdirs("/sys/devices/system/node/node" + b.nid);
        if (node.child(b.name()) == null) {
            fs.symlink(node, b.name(), "../../memory/" + b.name());
        }
    }

    /** The firmware_node link of a block added by the ACPI memory driver. */
    void addFirmwareNode(MemoryBlock b) {
        KDir d = fs.mkdirs(ROOT + "/" + b.name());
        if (d.child("firmware_node") == null) {
            fs.symlink(d, "firmware_node", b.firmwareNode);
        }
    }

    void removeBlock(MemoryBlock b) {
        fs.remove(ROOT + "/" + b.name());
        fs.remove("/sys/devices/system/node/node" + b.nid + "/" + b.name());
    }

    /** Models state_store(): exact strings, then device_online/offline; "already there" (1) → -EINVAL. */
    private void stateStore(MemoryBlock b, String buf) {
        OnlineType t = OnlineType.fromString(buf);
        if (t == null) {
            throw new KernelException(Errno.EINVAL);
        }
        hp.lockDeviceHotplugSysfs(b);
        int ret;
        try {
            if (t == OnlineType.OFFLINE) {
                ret = hp.deviceOffline(b);
            } else {
                b.onlineType = t;
                ret = hp.deviceOnline(b);
            }
        } finally {
            hp.unlockDeviceHotplug();
        }
        if (ret > 0) {
            throw new KernelException(Errno.EINVAL);
        }
    }

    /** Models online_store(): kstrtobool, then device_online/offline; "already there" is success. */
    private void onlineStore(MemoryBlock b, String buf) {
        boolean on = KernelStrings.kstrtobool(buf);
        hp.lockDeviceHotplugSysfs(b);
        try {
            if (on) {
                hp.deviceOnline(b);
            } else {
                hp.deviceOffline(b);
            }
        } finally {
            hp.unlockDeviceHotplug();
        }
    }
}
