package org.hotmem.drivers;

import java.util.BitSet;
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
import org.hotmem.mm.ContigRange;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.ZoneType;

/**
 * The guest's virtio-mem driver (drivers/virtio/virtio_mem.c) for one device.
 *
 * <p>Sub Block Mode (SBM: the subblock, max(device block, pageblock), is smaller than a Linux
 * memory block) tracks a state per memory block ({@link SbmState}) and a plugged bit per
 * subblock; Big Block Mode (BBM: big blocks of max(device block, memory block)) a state per big
 * block ({@link BbmState}). The work item ({@link #runWq}) re-reads the config when it changed
 * and plugs or unplugs the difference between requested and plugged size. Plugging fills
 * partially plugged blocks first (subblocks of an online block are fake-onlined: handed to
 * the buddy), then adds new blocks with their plugged subblocks (add_memory_driver_managed();
 * onlining is left to auto-online or user space, and the shared online_page_callback keeps
 * unplugged subblocks PageOffline). Unplugging goes from the highest block down: offline
 * partial, offline, Movable partial, Normal partial, Movable, Normal blocks; online subblocks
 * are fake-offlined first with alloc_contig_range() (five tries in ZONE_MOVABLE, one in a
 * kernel zone, busy subblocks skipped), and a block whose subblocks are all unplugged is
 * offlined and removed. BBM fake-offlines a whole big block (bbm_safe_unplug) before
 * offline_and_remove_memory(). Results: 0 resets the retry timer, -ENOSPC waits for the next
 * event, -EBUSY/-ENOMEM/-ETXTBSY (the device answered BUSY) arm the retry timer (50 s doubling
 * to 300 s), -EAGAIN (config changed, NACK) retries at once, anything else marks it broken.
 *
 * <p>model: fake offline pages need no reference juggling on offlining
 * (virtio_mem_fake_offline_going_offline()): hotmem's offline_pages() counts PageOffline
 * pages as never managed, which nets out the same managed counts.
 *
 * <p>Invariants: {@code sbm}/{@code bbm} map every block id from {@code firstId} to
 * {@code nextId - 1} to its state; a subblock bit is set iff the device has it plugged;
 * {@code pluggedSize} is the sum of plugged subblocks (big blocks); {@code offlineSize} is the
 * size of added memory that is not online. The states and bits are guarded by
 * {@code hotplugMutex}, which the memory notifier holds from MEM_GOING_ONLINE/OFFLINE to the
 * matching completion, as in Linux.
 */
public final class VirtioMemDriver {
    /** VIRTIO_MEM_DEFAULT_OFFLINE_THRESHOLD. */
    static final long DEFAULT_OFFLINE_THRESHOLD = 1L << 30;
    static final long RETRY_TIMER_MIN_MS = 50_000;
    static final long RETRY_TIMER_MAX_MS = 300_000;
    /** Time for a request to travel to the device and its response back (virtqueue round trip). */
    static final long REQUEST_ROUNDTRIP_NS = 50_000;
    /** virtio_mem_fake_offline(): alloc_contig_range() attempts in ZONE_MOVABLE. */
    static final int FAKE_OFFLINE_TRIES = 5;

    /** VIRTIO_MEM_SBM_MB_*. */
    enum SbmState {
        UNUSED, PLUGGED, OFFLINE, OFFLINE_PARTIAL, KERNEL, KERNEL_PARTIAL, MOVABLE, MOVABLE_PARTIAL;

        SbmState full() {
            return switch (this) {
                case OFFLINE_PARTIAL -> OFFLINE;
                case KERNEL_PARTIAL -> KERNEL;
                case MOVABLE_PARTIAL -> MOVABLE;
                default -> this;
            };
        }

        SbmState partial() {
            return switch (this) {
                case OFFLINE -> OFFLINE_PARTIAL;
                case KERNEL -> KERNEL_PARTIAL;
                case MOVABLE -> MOVABLE_PARTIAL;
                default -> this;
            };
        }

        boolean online() {
            return this == KERNEL || this == KERNEL_PARTIAL || this == MOVABLE || this == MOVABLE_PARTIAL;
        }
    }

    /** VIRTIO_MEM_BBM_BB_*. */
    enum BbmState { UNUSED, PLUGGED, ADDED, FAKE_OFFLINE }

    private final Kernel kernel;
    private final Dmesg log;
    private final MemoryHotplug hotplug;
    private final MemoryModel mm;
    private final ContigRange contig;
    private final VirtioMem dev;
    private final VirtioMemDevices devices;
    private final Workqueue wq;
    private final String prefix;
    private final Mutex hotplugMutex;
    private final Workqueue.Work work;
    private final TreeMap<Long, SbmState> sbm = new TreeMap<>();
    private final TreeMap<Long, BbmState> bbm = new TreeMap<>();
    private final BitSet sbPlugged = new BitSet();

    private final boolean inSbm;
    /** Memory block (SBM) or big block (BBM) size in bytes. */
    private final long blockBytes;
    private final long deviceBlockSize;
    private final long addr;
    private final long regionSize;
    private final long sbSize;
    private final int sbsPerMb;
    private final long firstId;
    private final int pageShift;
    private long nextId;
    private long lastUsableId;
    private final int nid;
    private final int mgid;
    private final long offlineThreshold;
    private long offlineSize;
    private long pluggedSize;
    private long requestedSize;
    private boolean unplugAllRequired;
    private boolean configChanged;
    private boolean wqActive;
    private boolean hotplugActive;
    private boolean broken;
    private long retryTimerMs = RETRY_TIMER_MIN_MS;
    private Timer retryTimer;

    /**
     * Models virtio_mem_probe() up to virtio_device_ready(): virtio_mem_init() (static config,
     * geometry, the kernel lines), the device's registration for the online_page_callback, the
     * memory group and notifier, and the first run of the work item. Runs inside a task.
     */
    public VirtioMemDriver(Kernel kernel, MemoryHotplug hotplug, VirtioMem dev, Workqueue systemFreezableWq,
            VirtioMemDevices devices) {
        this.kernel = kernel;
        this.log = kernel.dmesg();
        this.hotplug = hotplug;
        this.mm = hotplug.mm();
        this.contig = mm.contigRange();
        this.dev = dev;
        this.devices = devices;
        this.wq = systemFreezableWq;
        this.prefix = "virtio_mem virtio" + dev.virtioIndex() + ": ";
        this.hotplugMutex = new Mutex(kernel, "&vm->hotplug_mutex");
        this.work = new Workqueue.Work("virtio_mem_run_wq", this::runWq);
        this.pageShift = mm.arch().pageShift();

        VirtioMem.Config c = dev.config();
        this.pluggedSize = c.pluggedSize();
        this.deviceBlockSize = c.blockSize();
        this.nid = c.nodeId();
        this.addr = c.addr();
        this.regionSize = c.regionSize();

        long mbSize = mm.arch().blockSizeBytes();
        if (addr % mbSize != 0) {
            log.warn(prefix + "The alignment of the physical start address can make some memory unusable.");
        }
        if ((addr + regionSize) % mbSize != 0) {
            log.warn(prefix + "The alignment of the physical end address can make some memory unusable.");
        }
        long threshold = Math.max(2 * mbSize, DEFAULT_OFFLINE_THRESHOLD);
        long sb = Math.max(deviceBlockSize, (long) mm.arch().pageblockPages() << pageShift);
        if (sb < mbSize) {
            inSbm = true;
            sbSize = sb;
            sbsPerMb = (int) (mbSize / sb);
            blockBytes = mbSize;
        } else {
            inSbm = false;
            sbSize = 0;
            sbsPerMb = 0;
            blockBytes = Math.max(deviceBlockSize, mbSize);
            threshold = Math.max(2 * blockBytes, threshold);
        }
        offlineThreshold = threshold;
        firstId = (addr + blockBytes - 1) / blockBytes;
        nextId = firstId;
        log.info(prefix + "start address: 0x" + Long.toHexString(addr));
        log.info(prefix + "region size: 0x" + Long.toHexString(regionSize));
        log.info(prefix + "device block size: 0x" + Long.toHexString(deviceBlockSize));
        log.info(prefix + "nid: " + nid);
        log.info(prefix + "memory block size: 0x" + Long.toHexString(mbSize));
        if (inSbm) {
            log.info(prefix + "subblock size: 0x" + Long.toHexString(sbSize));
        } else {
            log.info(prefix + "big block size: 0x" + Long.toHexString(blockBytes));
        }
        if (pluggedSize != 0) {
            unplugAllRequired = true;
            log.info(prefix + "unplugging all memory is required");
        }
        devices.register(this);
        mgid = hotplug.memoryGroupRegisterDynamic(nid, blockBytes >>> pageShift);
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

    /** Models virtio_mem_retry(). */
    private void retry() {
        wq.queueWork(work);
    }

    /** Models virtio_mem_refresh_config(). */
    private void refreshConfig() {
        VirtioMem.Config c = dev.config();
        pluggedSize = c.pluggedSize();
        long endAddr = addr + c.usableRegionSize() - 1;
        lastUsableId = endAddr / blockBytes;
        if ((endAddr + 1) % blockBytes != 0) {
            lastUsableId--;
        }
        requestedSize = c.requestedSize();
        log.info(prefix + "plugged size: 0x" + Long.toHexString(pluggedSize));
        log.info(prefix + "requested size: 0x" + Long.toHexString(requestedSize));
    }

    /** Models virtio_mem_run_wq(). */
    private void runWq() {
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        if (broken) {
            return;
        }
        wqActive = true;
        int rc;
        for (;;) {
            rc = 0;
            if (unplugAllRequired) {
                rc = sendUnplugAllRequest();
            }
            if (configChanged) {
                configChanged = false;
                refreshConfig();
            }
            if (rc == 0) {
                rc = unplugPendingBlocks();
            }
            if (rc == 0 && requestedSize > pluggedSize) {
                rc = inSbm ? sbmPlugRequest(requestedSize - pluggedSize) : bbmPlugRequest(requestedSize - pluggedSize);
            } else if (rc == 0 && requestedSize < pluggedSize) {
                rc = inSbm ? sbmUnplugRequest(pluggedSize - requestedSize) : bbmUnplugRequest(pluggedSize - requestedSize);
            }
            if (rc != -Errno.EAGAIN.number()) {
                break;
            }
        }
        if (rc == 0) {
            retryTimerMs = RETRY_TIMER_MIN_MS;
        } else if (rc == -Errno.ENOSPC.number()) {
            // we cannot add more memory (alignment, offline threshold): wait for the next event
        } else if (rc == -Errno.EBUSY.number() || rc == -Errno.ENOMEM.number() || rc == -Errno.ETXTBSY.number()) {
            retryTimer = kernel.addTimer(retryTimerMs * 1_000_000L, this::timerExpired);
        } else {
            log.err(prefix + "unknown error, marking device broken: " + rc);
            broken = true;
        }
        wqActive = false;
    }

    /** Models virtio_mem_timer_expired(). */
    private void timerExpired() {
        retry();
        retryTimerMs = Math.min(retryTimerMs * 2, RETRY_TIMER_MAX_MS);
    }

    /** The retry timer's next interval in ms (vm->retry_timer_ms). */
    public long retryTimerMs() {
        return retryTimerMs;
    }

    /** Whether the retry timer is armed. */
    public boolean retryPending() {
        return retryTimer != null;
    }

    // ---------------------------------------------------------------- requests to the device

    /** Models virtio_mem_send_plug_request()/virtio_mem_send_unplug_request(): 0 or a negative errno. */
    private int sendRequest(int type, long start, long size) {
        if (configChanged) {
            return -Errno.EAGAIN.number();
        }
        int resp = dev.request(type, start, (int) (size / deviceBlockSize));
        kernel.scheduleTimeoutUninterruptible(REQUEST_ROUNDTRIP_NS);
        boolean plug = type == VirtioMem.REQ_PLUG;
        return switch (resp) {
            case VirtioMem.RESP_ACK -> {
                pluggedSize += plug ? size : -size;
                yield 0;
            }
            case VirtioMem.RESP_NACK -> plug ? -Errno.EAGAIN.number() : -Errno.ENOMEM.number();
            case VirtioMem.RESP_BUSY -> -Errno.ETXTBSY.number();
            case VirtioMem.RESP_ERROR -> -Errno.EINVAL.number();
            default -> -Errno.ENOMEM.number();
        };
    }

    /** Models virtio_mem_send_unplug_all_request(). */
    private int sendUnplugAllRequest() {
        int resp = dev.request(VirtioMem.REQ_UNPLUG_ALL, 0, 0);
        kernel.scheduleTimeoutUninterruptible(REQUEST_ROUNDTRIP_NS);
        if (resp == VirtioMem.RESP_ACK) {
            unplugAllRequired = false;
            pluggedSize = 0;
            configChanged = true; // the usable region might have shrunk
            return 0;
        }
        return resp == VirtioMem.RESP_BUSY ? -Errno.ETXTBSY.number() : -Errno.ENOMEM.number();
    }

    private long blockStart(long id) {
        return id * blockBytes;
    }

    private long pfn(long physAddr) {
        return physAddr >>> pageShift;
    }

    /** Models virtio_mem_could_add_memory(). */
    private boolean couldAddMemory(long size) {
        return offlineSize + size <= offlineThreshold;
    }

    /** Models virtio_mem_add_memory(): add_memory_driver_managed() with the device's memory group. */
    private int addMemory(long start, long size) {
        offlineSize += size;
        try {
            hotplug.addMemory(mgid, start, size, MemoryHotplug.MHP_MERGE_RESOURCE | MemoryHotplug.MHP_NID_IS_MGID);
            return 0;
        } catch (KernelException e) {
            offlineSize -= size;
            int rc = -e.errno().number();
            log.warn(prefix + "adding memory failed: " + rc);
            return rc;
        }
    }

    /** Models virtio_mem_remove_memory(): remove_memory() of offline memory, then an immediate retry. */
    private int removeMemory(long start, long size) {
        try {
            hotplug.removeMemory(start, size);
        } catch (KernelException e) {
            return -e.errno().number();
        }
        offlineSize -= size;
        retry();
        return 0;
    }

    /** Models virtio_mem_offline_and_remove_memory(). */
    private int offlineAndRemoveMemory(long start, long size) {
        try {
            hotplug.offlineAndRemoveMemory(start, size);
        } catch (KernelException e) {
            return -e.errno().number();
        }
        // MEM_OFFLINE counted it offline; removed, it leaves that count again.
        offlineSize -= size;
        retry();
        return 0;
    }

    // ---------------------------------------------------------------- fake offlining

    /** Models virtio_mem_fake_offline(): takes an online range from the buddy and marks it PageOffline. */
    private int fakeOffline(long startPfn, long nrPages) {
        boolean movable = mm.zoneOf(startPfn).type() == ZoneType.MOVABLE;
        for (int tries = 0; tries < FAKE_OFFLINE_TRIES; tries++) {
            int rc = contig.allocContigRange(startPfn, startPfn + nrPages);
            if (rc == -Errno.ENOMEM.number()) {
                return rc;
            }
            if (rc != 0 && !movable) {
                break;
            }
            if (rc != 0) {
                continue;
            }
            contig.setPageOffline(startPfn, startPfn + nrPages, true);
            mm.adjustManagedPageCount(mm.zoneOf(startPfn), -nrPages);
            return 0;
        }
        return -Errno.EBUSY.number();
    }

    /** Models virtio_mem_fake_online(): PageOffline pages of an online block back to the buddy. */
    private void fakeOnline(long startPfn, long nrPages) {
        long allocated = contig.freeContigRange(startPfn, startPfn + nrPages);
        mm.adjustManagedPageCount(mm.zoneOf(startPfn), allocated);
    }

    /** Whether [start, end) lies in this device's region (virtio_mem_contains_range()). */
    boolean containsPfnRange(long start, long end) {
        long a = start << pageShift;
        long b = end << pageShift;
        return a >= addr && b <= addr + regionSize;
    }

    /** Models virtio_mem_online_page(): plugged subblocks go to the buddy, unplugged ones stay PageOffline. */
    void onlinePages(long start, long end) {
        if (!inSbm) {
            BbmState st = bbm.get((start << pageShift) / blockBytes);
            if (st == BbmState.FAKE_OFFLINE) {
                contig.setPageOffline(start, end, false);
            } else {
                hotplug.genericOnlinePage(start, end);
            }
            return;
        }
        long sbPages = sbSize >>> pageShift;
        for (long pfn = start; pfn < end; ) {
            long next = Math.min(end, (pfn / sbPages + 1) * sbPages);
            long a = pfn << pageShift;
            if (sbPlugged.get(sbBit(a / blockBytes, (int) ((a % blockBytes) / sbSize)))) {
                hotplug.genericOnlinePage(pfn, next);
            } else {
                contig.setPageOffline(pfn, next, false);
            }
            pfn = next;
        }
    }

    // ---------------------------------------------------------------- SBM subblock bits

    private int sbBit(long mbId, int sbId) {
        return (int) ((mbId - firstId) * sbsPerMb + sbId);
    }

    private boolean sbsPlugged(long mbId, int sbId, int count) {
        int bit = sbBit(mbId, sbId);
        return sbPlugged.nextClearBit(bit) >= bit + count;
    }

    private boolean sbsUnplugged(long mbId, int sbId, int count) {
        int bit = sbBit(mbId, sbId);
        int next = sbPlugged.nextSetBit(bit);
        return next < 0 || next >= bit + count;
    }

    private long sbStart(long mbId, int sbId) {
        return blockStart(mbId) + sbId * sbSize;
    }

    /** Models virtio_mem_sbm_plug_sb(). */
    private int plugSb(long mbId, int sbId, int count) {
        int rc = sendRequest(VirtioMem.REQ_PLUG, sbStart(mbId, sbId), count * sbSize);
        if (rc == 0) {
            sbPlugged.set(sbBit(mbId, sbId), sbBit(mbId, sbId) + count);
        }
        return rc;
    }

    /** Models virtio_mem_sbm_unplug_sb(). */
    private int unplugSb(long mbId, int sbId, int count) {
        int rc = sendRequest(VirtioMem.REQ_UNPLUG, sbStart(mbId, sbId), count * sbSize);
        if (rc == 0) {
            sbPlugged.clear(sbBit(mbId, sbId), sbBit(mbId, sbId) + count);
        }
        return rc;
    }

    // ---------------------------------------------------------------- SBM plug

    /** Models virtio_mem_sbm_plug_request(). */
    private int sbmPlugRequest(long diff) {
        long[] nbSb = {diff / sbSize};
        if (nbSb[0] == 0) {
            return 0;
        }
        hotplugMutex.lock();
        for (SbmState wanted : new SbmState[] {SbmState.KERNEL_PARTIAL, SbmState.MOVABLE_PARTIAL, SbmState.OFFLINE_PARTIAL}) {
            for (long id = firstId; id < nextId; id++) {
                if (sbm.get(id) != wanted) {
                    continue;
                }
                int rc = plugAnySb(id, nbSb);
                if (rc != 0 || nbSb[0] == 0) {
                    hotplugMutex.unlock();
                    return rc;
                }
                kernel.preemptionPoint();
            }
        }
        hotplugMutex.unlock();
        for (long id = firstId; id < nextId; id++) {
            if (sbm.get(id) != SbmState.UNUSED) {
                continue;
            }
            if (!couldAddMemory(blockBytes)) {
                return -Errno.ENOSPC.number();
            }
            int rc = plugAndAddMb(id, nbSb);
            if (rc != 0 || nbSb[0] == 0) {
                return rc;
            }
            kernel.preemptionPoint();
        }
        while (nbSb[0] > 0) {
            if (!couldAddMemory(blockBytes)) {
                return -Errno.ENOSPC.number();
            }
            if (nextId > lastUsableId) {
                return -Errno.ENOSPC.number(); // virtio_mem_sbm_prepare_next_mb()
            }
            long id = nextId++;
            sbm.put(id, SbmState.UNUSED);
            int rc = plugAndAddMb(id, nbSb);
            if (rc != 0) {
                return rc;
            }
            kernel.preemptionPoint();
        }
        return 0;
    }

    /** Models virtio_mem_sbm_plug_and_add_mb(): plug the first subblocks, then add the block. */
    private int plugAndAddMb(long id, long[] nbSb) {
        int count = (int) Math.min(nbSb[0], sbsPerMb);
        int rc = plugSb(id, 0, count);
        if (rc != 0) {
            return rc;
        }
        sbm.put(id, count == sbsPerMb ? SbmState.OFFLINE : SbmState.OFFLINE_PARTIAL);
        rc = addMemory(blockStart(id), blockBytes);
        if (rc != 0) {
            sbm.put(id, unplugSb(id, 0, count) == 0 ? SbmState.UNUSED : SbmState.PLUGGED);
            return rc;
        }
        nbSb[0] -= count;
        return 0;
    }

    /** Models virtio_mem_sbm_plug_any_sb(): plug unplugged subblocks of an added block, fake-online them if online. */
    private int plugAnySb(long id, long[] nbSb) {
        SbmState old = sbm.get(id);
        while (nbSb[0] > 0) {
            int sbId = sbPlugged.nextClearBit(sbBit(id, 0)) - sbBit(id, 0);
            if (sbId >= sbsPerMb) {
                break;
            }
            int count = 1;
            while (count < nbSb[0] && sbId + count < sbsPerMb && !sbPlugged.get(sbBit(id, sbId + count))) {
                count++;
            }
            int rc = plugSb(id, sbId, count);
            if (rc != 0) {
                return rc;
            }
            nbSb[0] -= count;
            if (old == SbmState.OFFLINE_PARTIAL) {
                continue;
            }
            fakeOnline(pfn(sbStart(id, sbId)), (count * sbSize) >>> pageShift);
        }
        if (sbsPlugged(id, 0, sbsPerMb)) {
            sbm.put(id, old.full());
        }
        return 0;
    }

    // ---------------------------------------------------------------- SBM unplug

    /** Models virtio_mem_sbm_unplug_request(): partially plugged and Movable blocks first. */
    private int sbmUnplugRequest(long diff) {
        long[] nbSb = {diff / sbSize};
        if (nbSb[0] == 0) {
            return 0;
        }
        SbmState[] order = {SbmState.OFFLINE_PARTIAL, SbmState.OFFLINE, SbmState.MOVABLE_PARTIAL,
            SbmState.KERNEL_PARTIAL, SbmState.MOVABLE, SbmState.KERNEL};
        hotplugMutex.lock();
        for (SbmState wanted : order) {
            for (long id = nextId - 1; id >= firstId; id--) {
                if (sbm.get(id) != wanted) {
                    continue;
                }
                int rc = unplugAnySb(id, nbSb);
                if (rc != 0 || nbSb[0] == 0) {
                    hotplugMutex.unlock();
                    return rc;
                }
                hotplugMutex.unlock();
                kernel.preemptionPoint();
                hotplugMutex.lock();
            }
        }
        hotplugMutex.unlock();
        return nbSb[0] > 0 ? -Errno.EBUSY.number() : 0;
    }

    /** Models virtio_mem_sbm_unplug_any_sb(). */
    private int unplugAnySb(long id, long[] nbSb) {
        return sbm.get(id).online() ? unplugAnySbOnline(id, nbSb) : unplugAnySbOffline(id, nbSb);
    }

    /** Models virtio_mem_sbm_unplug_any_sb_raw(): from the top, runs of plugged subblocks at a time. */
    private int unplugAnySbRaw(long id, long[] nbSb) {
        int sbId = sbsPerMb - 1;
        while (nbSb[0] > 0) {
            while (sbId >= 0 && !sbPlugged.get(sbBit(id, sbId))) {
                sbId--;
            }
            if (sbId < 0) {
                break;
            }
            int count = 1;
            while (count < nbSb[0] && sbId > 0 && sbPlugged.get(sbBit(id, sbId - 1))) {
                count++;
                sbId--;
            }
            int rc = unplugSb(id, sbId, count);
            if (rc != 0) {
                return rc;
            }
            nbSb[0] -= count;
            sbId--;
        }
        return 0;
    }

    /** Models virtio_mem_sbm_unplug_any_sb_offline(): an emptied block is removed. */
    private int unplugAnySbOffline(long id, long[] nbSb) {
        int rc = unplugAnySbRaw(id, nbSb);
        if (!sbsPlugged(id, 0, sbsPerMb)) {
            sbm.put(id, SbmState.OFFLINE_PARTIAL);
        }
        if (rc != 0) {
            return rc;
        }
        if (sbsUnplugged(id, 0, sbsPerMb)) {
            sbm.put(id, SbmState.UNUSED);
            hotplugMutex.unlock();
            rc = removeMemory(blockStart(id), blockBytes);
            hotplugMutex.lock();
            if (rc != 0) {
                throw new IllegalStateException("virtio-mem: removing an offline block failed: " + rc); // BUG_ON()
            }
        }
        return 0;
    }

    /** Models virtio_mem_sbm_unplug_sb_online(): fake-offline, then ask the device. */
    private int unplugSbOnline(long id, int sbId, int count) {
        long startPfn = pfn(sbStart(id, sbId));
        long nrPages = (count * sbSize) >>> pageShift;
        SbmState old = sbm.get(id);
        int rc = fakeOffline(startPfn, nrPages);
        if (rc != 0) {
            return rc;
        }
        rc = unplugSb(id, sbId, count);
        if (rc != 0) {
            fakeOnline(startPfn, nrPages);
            return rc;
        }
        sbm.put(id, old.partial());
        return 0;
    }

    /**
     * Models virtio_mem_sbm_unplug_any_sb_online(): the whole block in one go if asked for, else
     * single subblocks from the top, skipping busy ones; an emptied block is offlined and removed.
     */
    private int unplugAnySbOnline(long id, long[] nbSb) {
        boolean done = false;
        if (nbSb[0] >= sbsPerMb && sbsPlugged(id, 0, sbsPerMb)) {
            int rc = unplugSbOnline(id, 0, sbsPerMb);
            if (rc == 0) {
                nbSb[0] -= sbsPerMb;
                done = true;
            } else if (rc != -Errno.EBUSY.number()) {
                return rc;
            }
        }
        for (int sbId = sbsPerMb - 1; !done && sbId >= 0 && nbSb[0] > 0; sbId--) {
            while (sbId >= 0 && !sbPlugged.get(sbBit(id, sbId))) {
                sbId--;
            }
            if (sbId < 0) {
                break;
            }
            int rc = unplugSbOnline(id, sbId, 1);
            if (rc == -Errno.EBUSY.number()) {
                continue;
            } else if (rc != 0) {
                return rc;
            }
            nbSb[0]--;
        }
        if (sbsUnplugged(id, 0, sbsPerMb)) {
            hotplugMutex.unlock();
            int rc = offlineAndRemoveMemory(blockStart(id), blockBytes);
            hotplugMutex.lock();
            if (rc == 0) {
                sbm.put(id, SbmState.UNUSED);
            }
        }
        return 0;
    }

    /** Models virtio_mem_unplug_pending_mb(): blocks left plugged after a failed add or unplug. */
    private int unplugPendingBlocks() {
        if (!inSbm) {
            for (long id = firstId; id < nextId; id++) {
                if (bbm.get(id) == BbmState.PLUGGED) {
                    int rc = sendRequest(VirtioMem.REQ_UNPLUG, blockStart(id), blockBytes);
                    if (rc != 0) {
                        return rc;
                    }
                    bbm.put(id, BbmState.UNUSED);
                }
            }
            return 0;
        }
        for (long id = firstId; id < nextId; id++) {
            if (sbm.get(id) == SbmState.PLUGGED) {
                int rc = unplugAnySbRaw(id, new long[] {sbsPerMb});
                if (rc != 0) {
                    return rc;
                }
                sbm.put(id, SbmState.UNUSED);
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- BBM

    /** Models virtio_mem_bbm_plug_request(): unused big blocks first, then new ones. */
    private int bbmPlugRequest(long diff) {
        long nb = diff / blockBytes;
        for (long id = firstId; id < nextId && nb > 0; id++) {
            if (bbm.get(id) != BbmState.UNUSED) {
                continue;
            }
            if (!couldAddMemory(blockBytes)) {
                return -Errno.ENOSPC.number();
            }
            int rc = plugAndAddBb(id);
            if (rc != 0) {
                return rc;
            }
            nb--;
            kernel.preemptionPoint();
        }
        while (nb > 0) {
            if (!couldAddMemory(blockBytes) || nextId > lastUsableId) {
                return -Errno.ENOSPC.number();
            }
            long id = nextId++;
            bbm.put(id, BbmState.UNUSED);
            int rc = plugAndAddBb(id);
            if (rc != 0) {
                return rc;
            }
            nb--;
            kernel.preemptionPoint();
        }
        return 0;
    }

    /** Models virtio_mem_bbm_plug_and_add_bb(). */
    private int plugAndAddBb(long id) {
        int rc = sendRequest(VirtioMem.REQ_PLUG, blockStart(id), blockBytes);
        if (rc != 0) {
            return rc;
        }
        bbm.put(id, BbmState.ADDED);
        rc = addMemory(blockStart(id), blockBytes);
        if (rc != 0) {
            bbm.put(id, sendRequest(VirtioMem.REQ_UNPLUG, blockStart(id), blockBytes) == 0
                    ? BbmState.UNUSED : BbmState.PLUGGED);
        }
        return rc;
    }

    /** Models virtio_mem_bbm_unplug_request(): offline big blocks, then Movable ones, then any. */
    private int bbmUnplugRequest(long diff) {
        long nb = diff / blockBytes;
        if (nb == 0) {
            return 0;
        }
        for (int pass = 0; pass < 3; pass++) {
            for (long id = nextId - 1; id >= firstId; id--) {
                if (bbm.get(id) != BbmState.ADDED) {
                    continue;
                }
                kernel.preemptionPoint();
                if (pass == 0 && !bbIsOffline(id) || pass == 1 && !bbIsMovable(id)) {
                    continue;
                }
                int rc = offlineRemoveAndUnplugBb(id);
                if (rc == -Errno.EBUSY.number()) {
                    continue;
                }
                if (rc != 0) {
                    return rc;
                }
                if (--nb == 0) {
                    return 0;
                }
            }
        }
        return -Errno.EBUSY.number();
    }

    private boolean bbIsOffline(long id) {
        long start = pfn(blockStart(id));
        for (long p = start; p < start + (blockBytes >>> pageShift); p += mm.arch().pagesPerSection()) {
            if (mm.pfnOnline(p)) {
                return false;
            }
        }
        return true;
    }

    private boolean bbIsMovable(long id) {
        long start = pfn(blockStart(id));
        for (long p = start; p < start + (blockBytes >>> pageShift); p += mm.arch().pagesPerSection()) {
            if (mm.pfnOnline(p) && mm.zoneOf(p).type() != ZoneType.MOVABLE) {
                return false;
            }
        }
        return true;
    }

    /**
     * Models virtio_mem_bbm_offline_remove_and_unplug_bb() with bbm_safe_unplug: fake-offline
     * every online section first (a failure rolls back), then offline and remove, then unplug.
     */
    private int offlineRemoveAndUnplugBb(long id) {
        long start = pfn(blockStart(id));
        long end = start + (blockBytes >>> pageShift);
        long section = mm.arch().pagesPerSection();
        hotplugMutex.lock();
        bbm.put(id, BbmState.FAKE_OFFLINE);
        for (long p = start; p < end; p += section) {
            if (!mm.pfnOnline(p)) {
                continue;
            }
            int rc = fakeOffline(p, section);
            if (rc != 0) {
                rollbackFakeOffline(id, start, p);
                return rc;
            }
        }
        hotplugMutex.unlock();
        int rc = offlineAndRemoveMemory(blockStart(id), blockBytes);
        if (rc != 0) {
            hotplugMutex.lock();
            rollbackFakeOffline(id, start, end);
            return rc;
        }
        rc = sendRequest(VirtioMem.REQ_UNPLUG, blockStart(id), blockBytes);
        bbm.put(id, rc == 0 ? BbmState.UNUSED : BbmState.PLUGGED);
        return rc;
    }

    /** The rollback_safe_unplug path: fake-online [start, end)'s online sections; caller holds the mutex. */
    private void rollbackFakeOffline(long id, long start, long end) {
        for (long p = start; p < end; p += mm.arch().pagesPerSection()) {
            if (mm.pfnOnline(p)) {
                fakeOnline(p, mm.arch().pagesPerSection());
            }
        }
        bbm.put(id, BbmState.ADDED);
        hotplugMutex.unlock();
    }

    // ---------------------------------------------------------------- memory notifier

    private boolean overlaps(long startPfn, long nrPages) {
        long a = startPfn << pageShift;
        long b = (startPfn + nrPages) << pageShift;
        return a < addr + regionSize && b > addr;
    }

    /** Models virtio_mem_memory_notifier_cb(). */
    private int memoryNotifier(MemoryNotifier.Event event, long startPfn, long nrPages) {
        if (!overlaps(startPfn, nrPages)) {
            return MemoryNotifier.NOTIFY_DONE;
        }
        long id = (startPfn << pageShift) / blockBytes;
        long size = nrPages << pageShift;
        switch (event) {
            case MEM_GOING_OFFLINE -> {
                hotplugMutex.lock();
                hotplugActive = true;
                return MemoryNotifier.NOTIFY_OK;
            }
            case MEM_GOING_ONLINE -> {
                hotplugMutex.lock();
                if (inSbm && sbm.get(id) != SbmState.OFFLINE && sbm.get(id) != SbmState.OFFLINE_PARTIAL) {
                    // virtio_mem_sbm_notify_going_online()
                    log.warn(prefix + "memory block onlining denied");
                    hotplugMutex.unlock();
                    return MemoryNotifier.fromErrno(-Errno.EBUSY.number());
                }
                hotplugActive = true;
                return MemoryNotifier.NOTIFY_OK;
            }
            case MEM_ONLINE -> {
                if (inSbm) {
                    // virtio_mem_sbm_notify_online()
                    boolean movable = mm.zoneOf(startPfn).type() == ZoneType.MOVABLE;
                    boolean partial = sbm.get(id) == SbmState.OFFLINE_PARTIAL;
                    SbmState full = movable ? SbmState.MOVABLE : SbmState.KERNEL;
                    sbm.put(id, partial ? full.partial() : full);
                }
                offlineSize -= size;
                if (!wqActive && couldAddMemory(offlineThreshold / 2)) {
                    retry();
                }
                endHotplug();
                return MemoryNotifier.NOTIFY_OK;
            }
            case MEM_OFFLINE -> {
                if (inSbm) {
                    // virtio_mem_sbm_notify_offline()
                    sbm.put(id, sbsPlugged(id, 0, sbsPerMb) ? SbmState.OFFLINE : SbmState.OFFLINE_PARTIAL);
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
     * The PCI name of virtio device {@code index}: QEMU's pc machine puts its default NIC at slot 3
     * and the virtio -device devices after it in command-line order (recorded: virtio_mem virtio0
     * is virtio-pci 0000:00:04.0).
     */
    static String pciName(int index) {
        return String.format("virtio-pci 0000:00:%02x.0", 4 + index);
    }

    /**
     * Registers the driver's hibernation hooks: since the 2024 suspend/resume support (6.12) a PM
     * notifier at the highest priority vetoes PM_HIBERNATION_PREPARE and PM_RESTORE_PREPARE
     * (virtio_mem_pm_notifier_cb()); before it (6.1) the device's freeze callback fails
     * (virtio_mem_freeze()). Either way hibernation fails with EPERM: after a power cycle the
     * device's memory would be gone, like lost DIMMs.
     */
    public void registerPm(org.hotmem.power.Hibernation power) {
        if (mm.version().has(KernelFeature.VIRTIO_MEM_REFUSES_HIBERNATION)) {
            power.registerPmNotifier(new org.hotmem.power.PmNotifier() {
                @Override public int priority() { return Integer.MAX_VALUE; }

                @Override public int call(int event) {
                    if (event != PM_HIBERNATION_PREPARE && event != PM_RESTORE_PREPARE) return 0;
                    log.err(prefix + "hibernation is not supported.");
                    return -Errno.EPERM.number(); // NOTIFY_BAD
                }
            });
        } else {
            power.registerDevice(new org.hotmem.power.DevicePm() {
                @Override public String name() { return pciName(dev.virtioIndex()); }

                @Override public void freeze() {
                    log.err(prefix + "save/restore not supported.");
                    throw new KernelException(Errno.EPERM);
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

    /** The plugged subblocks of memory block {@code mbId} (SBM), for tools and tests. */
    public int pluggedSubblocks(long mbId) {
        if (!inSbm || mbId < firstId || mbId >= nextId) {
            return 0;
        }
        return sbPlugged.get(sbBit(mbId, 0), sbBit(mbId, sbsPerMb)).cardinality();
    }

    /** The driver's state of block {@code id} (SBM memory block or BBM big block), "UNUSED" if never prepared. */
    public String blockState(long id) {
        Object st = inSbm ? sbm.get(id) : bbm.get(id);
        return st == null ? "UNUSED" : st.toString();
    }
}
