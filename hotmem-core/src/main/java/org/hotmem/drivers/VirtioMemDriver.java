package org.hotmem.drivers;

import java.util.TreeMap;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryNotifier;
import org.hotmem.hv.VirtioMem;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.Timer;
import org.hotmem.kernel.Workqueue;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.ZoneType;

/**
 * The guest's virtio-mem driver (drivers/virtio/virtio_mem.c) for one device.
 *
 * <p>Sub Block Mode (device block smaller than a Linux memory block: subblocks of
 * max(pageblock, device block)) and Big Block Mode (big blocks of max(device block, memory
 * block)). The work item ({@link #runWq}) re-reads the config when it changed, logs the
 * plugged and requested size, and plugs or unplugs the difference: plugging sends PLUG for a
 * whole memory block / big block, then adds it with add_memory_driver_managed() (onlining is
 * left to auto-online or user space); unplugging walks the blocks from the highest id, offline
 * ones first, then Movable, then Normal, offlines and removes them and sends UNPLUG.
 * Results: 0 resets the retry timer, -ENOSPC waits for the next event, -EBUSY/-ENOMEM/-ETXTBSY
 * arm the retry timer (50 s doubling to 300 s), -EAGAIN retries at once.
 *
 * <p>model: memory blocks are plugged and unplugged whole. Linux also plugs and unplugs
 * single subblocks of a memory block (partially plugged blocks whose unplugged subblocks stay
 * fake-offline through an online_page callback); hotmem's mm has no such callback, so a
 * request is rounded down to whole memory blocks. An online block is offlined and removed
 * before its UNPLUG request rather than fake-offlined with alloc_contig_range() first; the
 * outcome (Offlined Pages, removed block, device size) is the same.
 *
 * <p>Invariants: {@code states} maps every memory block (SBM) or big block (BBM) id the driver
 * added or plugged to its state; {@code offlineSize} is the size of added blocks that are not
 * online. {@code states} and the hotplug_active flag are guarded by {@code hotplugMutex}, which
 * is held from MEM_GOING_ONLINE/OFFLINE to the matching completion, as in Linux.
 */
public final class VirtioMemDriver {
    /** VIRTIO_MEM_DEFAULT_OFFLINE_THRESHOLD. */
    static final long DEFAULT_OFFLINE_THRESHOLD = 1L << 30;
    static final long RETRY_TIMER_MIN_MS = 50_000;
    static final long RETRY_TIMER_MAX_MS = 300_000;
    /** Time for a request to travel to the device and its response back (virtqueue round trip). */
    static final long REQUEST_ROUNDTRIP_NS = 50_000;

    /** SBM memory-block states and BBM big-block states (VIRTIO_MEM_SBM_MB_* / VIRTIO_MEM_BBM_BB_*). */
    enum BlockState { UNUSED, PLUGGED, OFFLINE, KERNEL, MOVABLE, ADDED }

    private final Kernel kernel;
    private final Dmesg log;
    private final MemoryHotplug hotplug;
    private final VirtioMem dev;
    private final Workqueue wq;
    private final String prefix;
    private final Mutex hotplugMutex;
    private final Workqueue.Work work;
    private final TreeMap<Long, BlockState> states = new TreeMap<>();

    private final boolean inSbm;
    private final long blockBytes;
    private final long deviceBlockSize;
    private final long addr;
    private final long regionSize;
    private final long subblockSize;
    private final long firstId;
    private long nextId;
    private long lastUsableId;
    private final int nid;
    private int mgid;
    private long offlineThreshold;
    private long offlineSize;
    private long pluggedSize;
    private long requestedSize;
    private boolean configChanged;
    private boolean wqActive;
    private boolean hotplugActive;
    private boolean broken;
    private long retryTimerMs = RETRY_TIMER_MIN_MS;
    private Timer retryTimer;

    /**
     * Models virtio_mem_probe() up to virtio_device_ready(): reads the static config, logs the
     * device geometry, registers the memory group and the memory notifier, and queues the first
     * run of the work item. Runs inside a task.
     */
    public VirtioMemDriver(Kernel kernel, MemoryHotplug hotplug, VirtioMem dev, Workqueue systemFreezableWq) {
        this.kernel = kernel;
        this.log = kernel.dmesg();
        this.hotplug = hotplug;
        this.dev = dev;
        this.wq = systemFreezableWq;
        this.prefix = "virtio_mem virtio" + dev.virtioIndex() + ": ";
        this.hotplugMutex = new Mutex(kernel, "&vm->hotplug_mutex");
        this.work = new Workqueue.Work("virtio_mem_run_wq", this::runWq);

        VirtioMem.Config c = dev.config();
        this.pluggedSize = c.pluggedSize();
        this.deviceBlockSize = c.blockSize();
        this.nid = c.nodeId();
        this.addr = c.addr();
        this.regionSize = c.regionSize();
        log.info(prefix + "start address: 0x" + Long.toHexString(addr));
        log.info(prefix + "region size: 0x" + Long.toHexString(regionSize));
        log.info(prefix + "device block size: 0x" + Long.toHexString(deviceBlockSize));
        log.info(prefix + "nid: " + nid);

        long mbSize = hotplug.mm().arch().blockSizeBytes();
        if (addr % mbSize != 0) {
            log.warn(prefix + "The alignment of the physical start address can make some memory unusable.");
        }
        if ((addr + regionSize) % mbSize != 0) {
            log.warn(prefix + "The alignment of the physical end address can make some memory unusable.");
        }
        offlineThreshold = Math.max(2 * mbSize, DEFAULT_OFFLINE_THRESHOLD);
        long sb = Math.max(deviceBlockSize, (long) hotplug.mm().arch().pageblockPages() << hotplug.mm().arch().pageShift());
        if (sb < mbSize) {
            inSbm = true;
            subblockSize = sb;
            blockBytes = mbSize;
        } else {
            inSbm = false;
            subblockSize = 0;
            blockBytes = Math.max(deviceBlockSize, mbSize);
            offlineThreshold = Math.max(2 * blockBytes, offlineThreshold);
        }
        firstId = (addr + blockBytes - 1) / blockBytes;
        nextId = firstId;
        log.info(prefix + "memory block size: 0x" + Long.toHexString(mbSize));
        if (inSbm) {
            log.info(prefix + "subblock size: 0x" + Long.toHexString(subblockSize));
        } else {
            log.info(prefix + "big block size: 0x" + Long.toHexString(blockBytes));
        }
        mgid = hotplug.memoryGroupRegisterDynamic(nid, blockBytes >>> hotplug.mm().arch().pageShift());
        hotplug.registerMemoryNotifier(this::memoryNotifier, 0);
        dev.setConfigChangeHandler(this::configChangedInterrupt);
        configChanged = true;
        wq.queueWork(work);
    }

    /** virtio_mem_config_changed(): interrupt context, queue the work. */
    private void configChangedInterrupt() {
        configChanged = true;
        wq.queueWork(work);
    }

    private void retry() {
        wq.queueWork(work);
    }

    /** Models virtio_mem_refresh_config(). */
    private void refreshConfig() {
        VirtioMem.Config c = dev.config();
        pluggedSize = c.pluggedSize();
        long endAddr = addr + c.usableRegionSize() - 1;
        lastUsableId = (endAddr + 1) / blockBytes - 1;
        if (c.usableRegionSize() == 0) {
            lastUsableId = firstId - 1;
        }
        requestedSize = c.requestedSize();
        log.info(prefix + "plugged size: 0x" + Long.toHexString(pluggedSize));
        log.info(prefix + "requested size: 0x" + Long.toHexString(requestedSize));
    }

    /** Models virtio_mem_run_wq(). */
    private void runWq() {
        if (broken) {
            return;
        }
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        wqActive = true;
        int rc;
        for (;;) {
            rc = 0;
            if (configChanged) {
                configChanged = false;
                refreshConfig();
            }
            if (requestedSize > pluggedSize) {
                rc = plugRequest(requestedSize - pluggedSize);
            } else if (requestedSize < pluggedSize) {
                rc = unplugRequest(pluggedSize - requestedSize);
            }
            if (rc == -Errno.EAGAIN.number()) {
                continue;
            }
            break;
        }
        if (rc == 0) {
            retryTimerMs = RETRY_TIMER_MIN_MS;
        } else if (rc == -Errno.ENOSPC.number()) {
            // wait for the next event (config change, memory onlined)
        } else if (rc == -Errno.EBUSY.number() || rc == -Errno.ENOMEM.number() || rc == -Errno.ETXTBSY.number()) {
            long delay = retryTimerMs;
            retryTimer = kernel.addTimer(delay * 1_000_000L, () -> {
                retryTimerMs = Math.min(retryTimerMs * 2, RETRY_TIMER_MAX_MS);
                retry();
            });
        } else {
            log.err(prefix + "unknown error, marking device broken: " + rc);
            broken = true;
        }
        wqActive = false;
    }

    // ---------------------------------------------------------------- requests to the device

    /** Models virtio_mem_send_plug_request()/..._unplug_request(): 0 or a negative errno. */
    private int sendRequest(int type, long start, long size) {
        int nb = (int) (size / deviceBlockSize);
        int resp = dev.request(type, start, nb);
        kernel.scheduleTimeoutUninterruptible(REQUEST_ROUNDTRIP_NS);
        switch (resp) {
            case VirtioMem.RESP_ACK:
                pluggedSize += type == VirtioMem.REQ_PLUG ? size : -size;
                return 0;
            case VirtioMem.RESP_BUSY:
                return -Errno.ETXTBSY.number();
            case VirtioMem.RESP_NACK:
                return type == VirtioMem.REQ_PLUG ? -Errno.EAGAIN.number() : -Errno.ENOMEM.number();
            default:
                return -Errno.EINVAL.number();
        }
    }

    /** Models virtio_mem_mb_id_to_phys()/virtio_mem_bb_id_to_phys(): the physical start of block {@code id}. */
    private long blockStart(long id) {
        return id * blockBytes;
    }

    /** Models virtio_mem_could_add_memory(): adding {@code size} keeps offline memory within the threshold. */
    private boolean couldAddMemory(long size) {
        return offlineSize + size <= offlineThreshold;
    }

    // ---------------------------------------------------------------- plug

    /**
     * Models virtio_mem_sbm_plug_request()/virtio_mem_bbm_plug_request() for whole blocks:
     * plug and add blocks left plugged-but-unused, then new blocks, while the offline
     * threshold allows.
     */
    private int plugRequest(long diff) {
        long nb = diff / blockBytes;
        while (nb > 0) {
            Long id = null;
            for (var e : states.entrySet()) {
                if (e.getValue() == BlockState.UNUSED) {
                    id = e.getKey();
                    break;
                }
            }
            if (id == null) {
                if (nextId > lastUsableId) {
                    return -Errno.ENOSPC.number();
                }
                id = nextId++;
            }
            if (!couldAddMemory(blockBytes)) {
                return -Errno.ENOSPC.number();
            }
            int rc = plugAndAdd(id);
            if (rc != 0) {
                return rc;
            }
            nb--;
            kernel.preemptionPoint();
        }
        return 0;
    }

    /** Models virtio_mem_sbm_plug_and_add_mb() / virtio_mem_bbm_plug_and_add_bb(). */
    private int plugAndAdd(long id) {
        int rc = sendRequest(VirtioMem.REQ_PLUG, blockStart(id), blockBytes);
        if (rc != 0) {
            states.putIfAbsent(id, BlockState.UNUSED);
            return rc;
        }
        hotplugMutex.lock();
        states.put(id, inSbm ? BlockState.OFFLINE : BlockState.ADDED);
        hotplugMutex.unlock();
        rc = addMemory(id);
        if (rc != 0) {
            BlockState back = sendRequest(VirtioMem.REQ_UNPLUG, blockStart(id), blockBytes) == 0
                    ? BlockState.UNUSED : BlockState.PLUGGED;
            hotplugMutex.lock();
            states.put(id, back);
            hotplugMutex.unlock();
        }
        return rc;
    }

    /** Models virtio_mem_add_memory(): add_memory_driver_managed() with the device's memory group. */
    private int addMemory(long id) {
        offlineSize += blockBytes;
        try {
            hotplug.addMemory(mgid, blockStart(id), blockBytes,
                    MemoryHotplug.MHP_MERGE_RESOURCE | MemoryHotplug.MHP_NID_IS_MGID);
            return 0;
        } catch (KernelException e) {
            offlineSize -= blockBytes;
            int rc = -e.errno().number();
            log.warn(prefix + "adding memory failed: " + rc);
            return rc;
        }
    }

    // ---------------------------------------------------------------- unplug

    /**
     * Models virtio_mem_sbm_unplug_request() / virtio_mem_bbm_unplug_request() for whole
     * blocks: offline blocks first, then Movable, then Normal ones, each class from the highest
     * block id down. -EBUSY if not everything requested could be unplugged.
     */
    private int unplugRequest(long diff) {
        long nb = diff / blockBytes;
        if (nb == 0) {
            return 0;
        }
        BlockState[] order = inSbm
                ? new BlockState[] {BlockState.OFFLINE, BlockState.MOVABLE, BlockState.KERNEL}
                : new BlockState[] {BlockState.ADDED};
        for (BlockState wanted : order) {
            for (Long id : states.descendingKeySet().toArray(new Long[0])) {
                if (nb == 0) {
                    return 0;
                }
                if (states.get(id) != wanted) {
                    continue;
                }
                int rc = unplugBlock(id, wanted);
                if (rc == 0) {
                    nb--;
                } else if (rc != -Errno.EBUSY.number()) {
                    return rc;
                }
                kernel.preemptionPoint();
            }
        }
        return nb > 0 ? -Errno.EBUSY.number() : 0;
    }

    private int unplugBlock(long id, BlockState state) {
        long start = blockStart(id);
        if (state == BlockState.OFFLINE) {
            int rc = sendRequest(VirtioMem.REQ_UNPLUG, start, blockBytes);
            if (rc != 0) {
                return rc;
            }
            hotplugMutex.lock();
            states.put(id, BlockState.UNUSED);
            hotplugMutex.unlock();
            try {
                hotplug.removeMemory(start, blockBytes);
                offlineSize -= blockBytes;
            } catch (KernelException e) {
                log.warn(prefix + "removing memory failed: " + (-e.errno().number()));
            }
            return 0;
        }
        try {
            hotplug.offlineAndRemoveMemory(start, blockBytes);
        } catch (KernelException e) {
            return -e.errno().number();
        }
        // The block is gone; it was counted offline by MEM_OFFLINE and leaves that count now.
        offlineSize -= blockBytes;
        int rc = sendRequest(VirtioMem.REQ_UNPLUG, start, blockBytes);
        hotplugMutex.lock();
        states.put(id, rc == 0 ? BlockState.UNUSED : BlockState.PLUGGED);
        hotplugMutex.unlock();
        return rc;
    }

    // ---------------------------------------------------------------- memory notifier

    private boolean owns(long startPfn) {
        long a = startPfn << hotplug.mm().arch().pageShift();
        return a >= addr && a < addr + regionSize;
    }

    /** Models virtio_mem_memory_notifier_cb(). */
    private int memoryNotifier(MemoryNotifier.Event event, long startPfn, long nrPages) {
        if (!owns(startPfn)) {
            return MemoryNotifier.NOTIFY_DONE;
        }
        long id = (startPfn << hotplug.mm().arch().pageShift()) / blockBytes;
        long size = nrPages << hotplug.mm().arch().pageShift();
        switch (event) {
            case MEM_GOING_ONLINE -> {
                hotplugMutex.lock();
                BlockState st = states.get(id);
                if (inSbm && st != BlockState.OFFLINE) {
                    log.warn(prefix + "memory block onlining denied");
                    hotplugMutex.unlock();
                    return MemoryNotifier.fromErrno(-Errno.EBUSY.number());
                }
                hotplugActive = true;
                return MemoryNotifier.NOTIFY_OK;
            }
            case MEM_GOING_OFFLINE -> {
                hotplugMutex.lock();
                hotplugActive = true;
                return MemoryNotifier.NOTIFY_OK;
            }
            case MEM_ONLINE -> {
                if (inSbm) {
                    boolean movable = hotplug.mm().zoneOf(startPfn).type() == ZoneType.MOVABLE;
                    states.put(id, movable ? BlockState.MOVABLE : BlockState.KERNEL);
                }
                offlineSize -= size;
                endHotplug();
                if (!wqActive && couldAddMemory(offlineThreshold / 2)) {
                    retry();
                }
                return MemoryNotifier.NOTIFY_OK;
            }
            case MEM_OFFLINE -> {
                if (inSbm) {
                    states.put(id, BlockState.OFFLINE);
                }
                offlineSize += size;
                endHotplug();
                return MemoryNotifier.NOTIFY_OK;
            }
            case MEM_CANCEL_ONLINE, MEM_CANCEL_OFFLINE -> {
                endHotplug();
                return MemoryNotifier.NOTIFY_OK;
            }
            default -> {
                return MemoryNotifier.NOTIFY_DONE;
            }
        }
    }

    private void endHotplug() {
        if (hotplugActive) {
            hotplugActive = false;
            hotplugMutex.unlock();
        }
    }

    /**
     * Registers the driver's hibernation hooks: since the 2024 suspend/resume support (6.12) a PM
     * notifier at the highest priority vetoes PM_HIBERNATION_PREPARE and PM_RESTORE_PREPARE
     * (virtio_mem_pm_notifier_cb()); before it (6.1) the device's freeze callback fails
     * (virtio_mem_freeze()). Either way hibernation fails with EPERM: after a power cycle the
     * device's memory would be gone, like lost DIMMs.
     */
    /**
     * The PCI name of virtio device {@code index}: QEMU's pc machine puts its default NIC at slot 3
     * and the virtio -device devices after it in command-line order (recorded: virtio_mem virtio0
     * is virtio-pci 0000:00:04.0).
     */
    static String pciName(int index) {
        return String.format("virtio-pci 0000:00:%02x.0", 4 + index);
    }

    public void registerPm(org.hotmem.power.Hibernation power) {
        if (hotplug.mm().version().has(KernelFeature.VIRTIO_MEM_REFUSES_HIBERNATION)) {
            power.registerPmNotifier(new org.hotmem.power.PmNotifier() {
                @Override public int priority() { return Integer.MAX_VALUE; }

                @Override public int call(int event) {
                    if (event != PM_HIBERNATION_PREPARE && event != PM_RESTORE_PREPARE) return 0;
                    log.err(prefix + "hibernation is not supported.");
                    return -org.hotmem.kernel.Errno.EPERM.number(); // NOTIFY_BAD
                }
            });
        } else {
            power.registerDevice(new org.hotmem.power.DevicePm() {
                @Override public String name() { return pciName(dev.virtioIndex()); }

                @Override public void freeze() {
                    log.err(prefix + "save/restore not supported.");
                    throw new KernelException(org.hotmem.kernel.Errno.EPERM);
                }
            });
        }
    }

    /** The size the driver believes is plugged (vm->plugged_size). */
    public long pluggedSize() {
        return pluggedSize;
    }

    /** True in Sub Block Mode. */
    public boolean inSbm() {
        return inSbm;
    }
}
