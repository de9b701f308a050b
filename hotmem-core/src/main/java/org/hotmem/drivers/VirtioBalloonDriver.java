package org.hotmem.drivers;

import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryNotifier;
import org.hotmem.hv.VirtioBalloon;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.Workqueue;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.Zone;

/**
 * The guest's virtio-balloon driver (drivers/virtio/virtio_balloon.c, mm/balloon_compaction.c)
 * for one device, with deflate-on-oom and without free page hinting and reporting.
 *
 * <p>A config change queues {@code update_balloon_size_work} on system_freezable_wq. Each run
 * moves at most 256 pages (VIRTIO_BALLOON_ARRAY_PFNS_MAX) towards the target: inflating
 * allocates movable pages (balloon_page_alloc(), GFP_HIGHUSER_MOVABLE), takes each out of
 * its zone's managed pages and tells the host on the inflate queue; deflating gives back the
 * most recently inflated pages (the balloon list is LIFO) after telling the host. Then it
 * writes {@code actual} (QEMU emits BALLOON_CHANGE) and requeues itself while a difference
 * remains, so the balloon moves in steps over virtual time. With VIRTIO_BALLOON_F_DEFLATE_ON_OOM
 * the pages stay managed (MemTotal does not shrink) and an OOM notifier gives 256 pages back per
 * out_of_memory() call (virtio_balloon_oom_notify()), writing the new {@code actual}.
 *
 * <p>model: balloon pages are pages of a movable owner in hotmem's mm, marked PageOffline
 * ({@link org.hotmem.mm.AddressSpace#setPageOffline}), so offlining migrates them as Linux's
 * balloon compaction does and hibernation does not save them. Linux's
 * virtballoon_migratepage() moves the page's "not managed" mark to the zone of the new page;
 * hotmem does the same for the pages of an offlined range when the memory notifier reports
 * MEM_OFFLINE or MEM_CANCEL_OFFLINE (after mm migrated them).
 *
 * <p>Invariants: {@code slots[0..numPages)} are the owner slots of the pages in the balloon,
 * oldest first; {@code zones[i]} is the zone whose managed count page {@code slots[i]} was
 * taken out of, {@code pfns[i]} where that page was then. Guarded by {@code balloonLock}.
 */
public final class VirtioBalloonDriver {
    /** VIRTIO_BALLOON_ARRAY_PFNS_MAX. */
    static final int ARRAY_PFNS_MAX = 256;
    /** Round trip of one inflate batch: the host discards the pages (TCG: ~2.8 ms per MiB). */
    static final long INFLATE_BATCH_NS = 2_800_000;
    /** VIRTIO_BALLOON_OOM_NR_PAGES: pages given back per OOM notification. */
    static final int OOM_NR_PAGES = 256;
    /** Round trip of one deflate batch (TCG: ~0.9 ms per MiB). */
    static final long DEFLATE_BATCH_NS = 900_000;

    private final Kernel kernel;
    private final Dmesg log;
    private final MemoryModel mm;
    private final VirtioBalloon dev;
    private final Workqueue wq;
    private final String prefix;
    private final Mutex balloonLock;
    private final AddressSpace pages;
    private final Workqueue.Work updateWork;
    private int[] slots = new int[1024];
    private long[] pfnOf = new long[1024];
    private Zone[] zoneOf = new Zone[1024];
    /** vb->num_pages: 4 KiB pages in the balloon. */
    private int numPages;
    private long nextToken = 0xba11_0000_0000_0000L;
    /** update_balloon_stats_work. */
    private final Workqueue.Work statsWork;
    /** VIRTIO_BALLOON_F_DEFLATE_ON_OOM negotiated: balloon pages stay in managed_pages. */
    private final boolean deflateOnOom;

    /** Models virtballoon_probe(): ready the device and start towards the current target. */
    public VirtioBalloonDriver(Kernel kernel, MemoryHotplug hotplug, VirtioBalloon dev, Workqueue systemFreezableWq) {
        this.kernel = kernel;
        this.log = kernel.dmesg();
        this.mm = hotplug.mm();
        this.dev = dev;
        this.wq = systemFreezableWq;
        this.prefix = "virtio_balloon virtio" + dev.virtioIndex() + ": ";
        this.balloonLock = new Mutex(kernel, "&vb->balloon_lock");
        this.pages = mm.newAddressSpace("balloon", Gfp.MOVABLE_ANON);
        pages.setPageOffline();
        this.updateWork = new Workqueue.Work("update_balloon_size_func", this::updateBalloonSize);
        dev.setConfigChangeHandler(this::configChanged);
        this.deflateOnOom = dev.deflateOnOom();
        hotplug.registerMemoryNotifier(this::memoryNotifier, 0);
        if (deflateOnOom) {
            mm.registerOomNotifier(this::oomNotify);
        }
        // init_vqs(): the stats virtqueue gets its first buffer at probe; stats_request() queues the refill
        this.statsWork = new Workqueue.Work("update_balloon_stats_func", this::statsHandleRequest);
        dev.setStatsRequestHandler(() -> wq.queueWork(statsWork));
        statsHandleRequest();
        if (towardsTarget() != 0) {
            configChanged();
        }
    }

    /**
     * Models stats_handle_request() with update_balloon_stats(): the tagged values pushed to the
     * device. // model: no swapping, page faults or hugetlb pages exist, so those counters are 0.
     */
    private void statsHandleRequest() {
        long page = mm.arch().pageSize();
        int[] tags = {0, 1, 2, 3, 8, 9, 4, 5, 6, 7};
        long[] values = {0, 0, 0, 0, 0, 0, mm.totalFreePages() * page, mm.totalManagedPages() * page,
                mm.siMemAvailable() * page, mm.filePages() * page};
        dev.receiveStats(tags, values);
    }

    /** virtballoon_changed(): the config interrupt queues the size update. */
    private void configChanged() {
        wq.queueWork(updateWork);
    }

    /** Models towards_target(). */
    private long towardsTarget() {
        return (long) dev.numPages() - numPages;
    }

    /** Models update_balloon_size_func(). */
    private void updateBalloonSize() {
        long diff = towardsTarget();
        if (diff == 0) {
            return;
        }
        if (diff > 0) {
            diff -= fillBalloon(diff);
        } else {
            diff += leakBalloon(-diff);
        }
        dev.setActual(numPages);
        if (diff != 0) {
            wq.queueWork(updateWork);
        }
    }

    /** Models fill_balloon(): one array's worth of pages at most. */
    private int fillBalloon(long want) {
        int num = (int) Math.min(want, ARRAY_PFNS_MAX);
        int[] got = new int[num];
        int n = 0;
        for (; n < num; n++) {
            try {
                got[n] = pages.add(nextToken++);
            } catch (KernelException e) {
                log.info(prefix + "Out of puff! Can't get 1 pages");
                kernel.msleep(200);
                break;
            }
        }
        balloonLock.lock();
        try {
            long[] pfns = new long[n];
            for (int i = 0; i < n; i++) {
                long pfn = pages.pfn(got[i]);
                pfns[i] = pfn;
                Zone z = mm.zoneOf(pfn);
                push(got[i], pfn, z);
                if (!deflateOnOom) {
                    mm.adjustManagedPageCount(z, -1);
                }
            }
            if (n != 0) {
                dev.inflate(pfns, n);
                kernel.scheduleTimeoutUninterruptible(INFLATE_BATCH_NS);
            }
        } finally {
            balloonLock.unlock();
        }
        return n;
    }

    /** Models leak_balloon(): the newest pages first. */
    private int leakBalloon(long want) {
        balloonLock.lock();
        try {
            int num = (int) Math.min(Math.min(want, ARRAY_PFNS_MAX), numPages);
            long[] pfns = new long[num];
            int[] out = new int[num];
            for (int i = 0; i < num; i++) {
                out[i] = slots[--numPages];
                pfns[i] = pages.pfn(out[i]);
            }
            if (num != 0) {
                dev.deflate(pfns, num);
                kernel.scheduleTimeoutUninterruptible(DEFLATE_BATCH_NS);
            }
            for (int i = 0; i < num; i++) {
                if (!deflateOnOom) {
                    mm.adjustManagedPageCount(zoneOf[numPages + i], 1);
                }
                zoneOf[numPages + i] = null;
                pages.free(out[i]);
            }
            return num;
        } finally {
            balloonLock.unlock();
        }
    }

    private void push(int slot, long pfn, Zone zone) {
        if (numPages == slots.length) {
            slots = java.util.Arrays.copyOf(slots, slots.length * 2);
            pfnOf = java.util.Arrays.copyOf(pfnOf, slots.length);
            zoneOf = java.util.Arrays.copyOf(zoneOf, slots.length);
        }
        pfnOf[numPages] = pfn;
        zoneOf[numPages] = zone;
        slots[numPages++] = slot;
    }

    /**
     * After mm offlined (or tried to offline) a range, balloon pages that were in it live
     * elsewhere: move their managed-count adjustment to the new page's zone, as
     * virtballoon_migratepage() does per migrated page.
     */
    private int memoryNotifier(MemoryNotifier.Event event, long startPfn, long nrPages) {
        if (event != MemoryNotifier.Event.MEM_OFFLINE && event != MemoryNotifier.Event.MEM_CANCEL_OFFLINE) {
            return MemoryNotifier.NOTIFY_DONE;
        }
        for (int i = 0; i < numPages; i++) {
            long old = pfnOf[i];
            if (old < startPfn || old >= startPfn + nrPages) {
                continue;
            }
            long now = pages.pfn(slots[i]);
            if (now == old) {
                continue;
            }
            Zone nz = mm.zoneOf(now);
            if (nz != zoneOf[i]) {
                if (!deflateOnOom) {
                    mm.adjustManagedPageCount(zoneOf[i], 1);
                    mm.adjustManagedPageCount(nz, -1);
                }
                zoneOf[i] = nz;
            }
            pfnOf[i] = now;
        }
        return MemoryNotifier.NOTIFY_OK;
    }

    /**
     * Registers the device's hibernation callbacks (virtballoon_freeze()/virtballoon_restore()
     * through virtio-pci's freeze, thaw, poweroff and restore): freezing deflates the whole balloon
     * (remove_common(): every page leaked back, actual written) so no balloon page is in the
     * image; thaw and restore re-create the queues and move towards the host's target again.
     * // model: the virtqueue reset and re-creation are not modelled.
     */
    public void registerPm(org.hotmem.power.Hibernation power) {
        power.registerDevice(new org.hotmem.power.DevicePm() {
            @Override public String name() { return VirtioMemDriver.pciName(dev.virtioIndex()); }

            @Override public void freeze() { removeCommon(); }

            @Override public void poweroff() { removeCommon(); }

            @Override public void thaw() { restore(); }

            @Override public void restore() {
                if (towardsTarget() != 0) configChanged();
            }
        });
    }

    /** Models virtio_balloon_oom_notify(): leak OOM_NR_PAGES, then update_balloon_size(). */
    private long oomNotify() {
        long freed = leakBalloon(OOM_NR_PAGES);
        dev.setActual(numPages);
        return freed;
    }

    /** Models remove_common(): leak every page, then update_balloon_size(). */
    private void removeCommon() {
        while (numPages > 0) leakBalloon(numPages);
        dev.setActual(numPages);
    }

    /** Pages currently in the balloon. */
    public int numPages() {
        return numPages;
    }
}
