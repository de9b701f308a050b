package org.hotmem.drivers;

import org.hotmem.hotplug.MemoryBlock;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hv.SpaprMemoryHotplug;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Workqueue;
import org.hotmem.mm.Arch;

/**
 * The pseries DLPAR memory code of the guest (arch/powerpc/platforms/pseries/dlpar.c and
 * hotplug-memory.c) for the count-indexed requests QEMU sends: an RTAS hotplug event is queued
 * on the "pseries hotplug workqueue" (queue_hotplug_event()), whose work runs
 * handle_dlpar_errorlog() → dlpar_memory() under lock_device_hotplug().
 *
 * <p>Add ({@link #addByIndexedCount}): each LMB is added with __add_memory() and onlined by the
 * DLPAR code itself with device_online(), so it goes to the default zone (ZONE_NORMAL, or
 * ZONE_MOVABLE with movable_node) whatever auto_online_blocks says; the "was hot-added" lines
 * follow once all are in. Remove ({@link #removeByIndexedCount}): the LMBs are offlined
 * (device_offline(); one already offline is not offlined again) and removed in order; the
 * first failure re-adds the LMBs removed so far and logs "Memory indexed-count-remove failed";
 * on success each LMB's DRC is released to QEMU, which emits DEVICE_DELETED after the last.
 *
 * <p>Invariant: stateless between requests; the LMB's memory block is block
 * {@code addr / LMB size} because the block size is the LMB size on pseries.
 */
public final class PseriesHotplugMemory {
    private static final String PFX = "pseries-hotplug-mem: ";

    private final Kernel kernel;
    private final Dmesg log;
    private final MemoryHotplug hotplug;
    private final SpaprMemoryHotplug drcs;
    private final Workqueue wq;
    private final Arch arch;

    /** Registers the RTAS hotplug event handler (pseries_hp_wq and the event IRQ of ras.c). */
    public PseriesHotplugMemory(Kernel kernel, MemoryHotplug hotplug, SpaprMemoryHotplug drcs) {
        this.kernel = kernel;
        this.log = kernel.dmesg();
        this.hotplug = hotplug;
        this.drcs = drcs;
        this.arch = hotplug.mm().arch();
        this.wq = new Workqueue(kernel, "pseries hotplug workqueue");
        drcs.setGuestHandler(e -> wq.queueWork(new Workqueue.Work("pseries_hp_work_fn", () -> handle(e))));
    }

    /** Models handle_dlpar_errorlog() → dlpar_memory() for a count-indexed request. */
    private void handle(SpaprMemoryHotplug.HotplugEvent e) {
        hotplug.lockDeviceHotplug();
        try {
            if (e.add()) {
                addByIndexedCount(e.count(), e.firstIndex());
            } else {
                removeByIndexedCount(e.count(), e.firstIndex());
            }
        } finally {
            hotplug.unlockDeviceHotplug();
        }
    }

    private long base(long drcIndex) {
        return (drcIndex & ~SpaprMemoryHotplug.DRC_INDEX_LMB) * SpaprMemoryHotplug.LMB_SIZE;
    }

    private int blockOf(long drcIndex) {
        return (int) (base(drcIndex) / arch.blockSizeBytes());
    }

    /** Models dlpar_memory_add_by_ic(). */
    void addByIndexedCount(int count, long first) {
        log.info(String.format(PFX + "Attempting to hot-add %d LMB(s) at index %x", count, first));
        int added = 0;
        boolean failed = false;
        for (; added < count; added++) {
            if (!addLmb(first + added)) {
                failed = true;
                break;
            }
        }
        if (failed) {
            log.err(PFX + "Memory indexed-count-add failed, removing any added LMBs");
            for (int i = 0; i < added; i++) {
                removeLmb(first + i);
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            log.info(String.format(PFX + "Memory at %x (drc index %x) was hot-added", base(first + i), first + i));
        }
    }

    /**
     * Models dlpar_add_lmb(): __add_memory() (whose arch_add_memory() maps the LMB with
     * radix__create_section_mapping(): "radix-mmu: Mapped ... with 2.00 MiB pages"), then
     * dlpar_online_lmb(): device_online(), i.e. the default zone. False on failure (the LMB's
     * memory is removed again).
     */
    private boolean addLmb(long drcIndex) {
        long start = base(drcIndex);
        long size = SpaprMemoryHotplug.LMB_SIZE;
        try {
            log.info(String.format("radix-mmu: Mapped 0x%016x-0x%016x with 2.00 MiB pages", start, start + size));
            hotplug.addMemoryLocked(0, start, size, MemoryHotplug.MHP_NONE, null);
        } catch (KernelException ex) {
            return false;
        }
        try {
            hotplug.deviceOnline(blockOf(drcIndex));
        } catch (KernelException ex) {
            hotplug.removeMemoryLocked(start, size);
            return false;
        }
        return true;
    }

    /** Models dlpar_memory_remove_by_ic(). */
    void removeByIndexedCount(int count, long first) {
        log.info(String.format(PFX + "Attempting to hot-remove %d LMB(s) at %x", count, first));
        int removed = 0;
        boolean failed = false;
        for (; removed < count; removed++) {
            if (!removeLmb(first + removed)) {
                failed = true;
                break;
            }
        }
        if (failed) {
            log.err(PFX + "Memory indexed-count-remove failed, adding any removed LMBs");
            for (int i = 0; i < removed; i++) {
                drcs.unisolate(first + i); // dlpar_unisolate_drc(): QEMU's hint that the removal failed
                if (!addLmb(first + i)) {
                    log.err(String.format(PFX + "Failed to add LMB, drc index %x", first + i));
                }
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            drcs.release(first + i); // dlpar_release_drc()
            log.info(String.format(PFX + "Memory at %x (drc index %x) was hot-removed", base(first + i), first + i));
        }
    }

    /**
     * Models dlpar_remove_lmb(): dlpar_offline_lmb() (device_offline() unless the block is
     * offline already) and __remove_memory(). False if the offline fails.
     */
    private boolean removeLmb(long drcIndex) {
        MemoryBlock b = hotplug.block(blockOf(drcIndex));
        if (b == null) {
            return false;
        }
        try {
            hotplug.deviceOffline(b.id());
        } catch (KernelException ex) {
            return false;
        }
        hotplug.removeMemoryLocked(base(drcIndex), SpaprMemoryHotplug.LMB_SIZE);
        return true;
    }
}
