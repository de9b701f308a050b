package org.hotmem.kernel.demo;

import java.util.List;
import org.hotmem.kernel.DeadlockReport;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.PercpuRwSemaphore;
import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.kernel.SeqLock;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.Workqueue;

/**
 * A small built-in program of tasks contending on the memory-hotplug locks, used by
 * {@code hotmem demo} and by the scheduler's determinism tests.
 *
 * <p>Two "online" user tasks take device_hotplug_lock then mem_hotplug_lock (write) and move a
 * zone's span under its seqlock; two readers read the span with the seqlock retry loop; a
 * kworker runs a delayed "drain" work; and, 5 ms later, a buggy driver takes the locks in the
 * opposite order (get_online_mems() then lock_device_hotplug()). It does not deadlock (the
 * others are done by then), but lockdep reports the inversion, as Linux would.
 *
 * <p>Everything here is a pure function of the strategy: the same seed gives the same trace.
 */
public final class LockDemo {
    /** What one run produced. */
    public record Result(String trace, int[] schedule, List<String> dmesg, long endNs,
                         int seqlockRetries, long spanStart, long spanPages, DeadlockReport deadlock) {}

    private final Kernel kernel;
    private final Mutex deviceHotplugLock;
    private final PercpuRwSemaphore memHotplugLock;
    private final SeqLock spanSeqlock;
    private long zoneStartPfn = 0x100000;
    private long spannedPages = 0x40000;
    private int retries;

    private LockDemo(Kernel kernel) {
        this.kernel = kernel;
        this.deviceHotplugLock = new Mutex(kernel, "device_hotplug_lock");
        this.memHotplugLock = new PercpuRwSemaphore(kernel, "mem_hotplug_lock");
        this.spanSeqlock = new SeqLock(kernel, "&zone->span_seqlock");
    }

    /** Runs the program to completion under {@code strategy}. */
    public static Result run(SchedulingStrategy strategy) {
        Kernel k = new Kernel(strategy);
        LockDemo d = new LockDemo(k);
        d.spawnAll();
        DeadlockReport dl = k.runUntilIdle().orElse(null);
        return new Result(k.trace().text(), k.trace().schedule(), k.dmesg().lines(), k.now(),
                d.retries, d.zoneStartPfn, d.spannedPages, dl);
    }

    private void spawnAll() {
        for (int i = 0; i < 2; i++) {
            final long pages = 0x8000L * (i + 1);
            kernel.spawn("online" + i, 0, () -> onlineBlock(pages));
        }
        for (int i = 0; i < 2; i++) {
            kernel.spawn("reader" + i, 0, this::readSpan);
        }
        Workqueue.DelayedWork drain = new Workqueue.DelayedWork("drain_all_pages", () -> {
            memHotplugLock.downRead();
            kernel.dmesg().info("demo: drained per-cpu pages, span " + spanString());
            memHotplugLock.upRead();
        });
        kernel.spawn("kickoff", Task.PF_KTHREAD, () -> kernel.scheduleDelayedWork(drain, 1_000_000));
        kernel.spawn("buggy_driver", Task.PF_KTHREAD, () -> {
            kernel.msleep(5);
            memHotplugLock.downRead();   // get_online_mems()
            deviceHotplugLock.lock();    // lock_device_hotplug(): inverts device_hotplug_lock -> mem_hotplug_lock
            deviceHotplugLock.unlock();
            memHotplugLock.upRead();
        });
    }

    /** Like online_pages() growing the zone: device_hotplug_lock, then mem_hotplug_lock, then the span seqlock. */
    private void onlineBlock(long pages) {
        deviceHotplugLock.lock();
        memHotplugLock.downWrite();
        spanSeqlock.writeLock();
        spannedPages += pages;
        spanSeqlock.writeUnlock();
        kernel.dmesg().info("demo: onlined " + pages + " pages, span " + spanString());
        memHotplugLock.upWrite();
        deviceHotplugLock.unlock();
    }

    /** Like zone_spans_pfn(): a seqlock read section, retried when a writer interleaved. */
    private void readSpan() {
        for (int i = 0; i < 3; i++) {
            long start, pages;
            int seq;
            do {
                seq = spanSeqlock.readBegin();
                start = zoneStartPfn;
                pages = spannedPages;
                if (spanSeqlock.readRetry(seq)) retries++;
                else break;
            } while (true);
            if (start + pages < start) throw new IllegalStateException("torn span");
            kernel.preemptionPoint();
        }
    }

    private String spanString() {
        return String.format("[%#x-%#x]", zoneStartPfn, zoneStartPfn + spannedPages - 1);
    }
}
