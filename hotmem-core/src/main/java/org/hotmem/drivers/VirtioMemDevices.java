package org.hotmem.drivers;

import java.util.ArrayList;
import java.util.List;
import org.hotmem.hotplug.MemoryHotplug;

/**
 * The virtio-mem devices of one machine and the online_page_callback they share
 * (virtio_mem_devices, register_virtio_mem_device(), virtio_mem_online_page_cb()): the first
 * device sets the callback; a range of a device goes to that device, any other range (a DIMM)
 * to generic_online_page().
 *
 * <p>Invariant: the callback is set iff {@code devices} is non-empty. Guarded by the machine's
 * scheduler (Linux: virtio_mem_mutex for the list, RCU for the callback's walk).
 */
public final class VirtioMemDevices {
    private final MemoryHotplug hotplug;
    private final List<VirtioMemDriver> devices = new ArrayList<>();
    private final MemoryHotplug.OnlinePageCallback callback = this::onlinePages;

    public VirtioMemDevices(MemoryHotplug hotplug) {
        this.hotplug = hotplug;
    }

    /** Models register_virtio_mem_device(). */
    int register(VirtioMemDriver vm) {
        if (devices.isEmpty()) {
            int rc = hotplug.setOnlinePageCallback(callback);
            if (rc != 0) {
                return rc;
            }
        }
        devices.add(vm);
        return 0;
    }

    /** Models unregister_virtio_mem_device(). */
    void unregister(VirtioMemDriver vm) {
        devices.remove(vm);
        if (devices.isEmpty()) {
            hotplug.restoreOnlinePageCallback(callback);
        }
    }

    /** Models virtio_mem_online_page_cb(). */
    private void onlinePages(long start, long end) {
        for (VirtioMemDriver vm : devices) {
            if (vm.containsPfnRange(start, end)) {
                vm.onlinePages(start, end);
                return;
            }
        }
        hotplug.genericOnlinePage(start, end);
    }
}
