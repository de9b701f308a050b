package org.hotmem.power;

import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Freezer;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.Workqueue;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.KernelVersion;

/**
 * Freezing and thawing every task for a system sleep transition (kernel/power/process.c): user
 * space first through the fake-signal path, then the freezable kernel threads and workqueues;
 * thawing in the reverse order. The per-task mechanics are {@link Freezer}'s.
 *
 * <p>Invariants: after a failed {@link #freezeProcesses()} every task is thawed; after a failed
 * {@link #freezeKernelThreads()} the kernel threads are thawed and user space stays frozen (the
 * caller thaws it). {@code freezeTimeoutMs} is /sys/power/pm_freeze_timeout. Guarded by
 * system_transition_mutex, which every caller holds.
 */
public final class ProcessFreezer {
    /** freeze_timeout_msecs' default: 20 * MSEC_PER_SEC. */
    public static final long DEFAULT_FREEZE_TIMEOUT_MS = 20_000;
    /** Debian's kernels: CONFIG_HZ=250. */
    private static final long JIFFY_NS = 4_000_000L;

    private final Kernel kernel;
    private final Freezer freezer;
    private final KernelVersion version;
    private long freezeTimeoutMs = DEFAULT_FREEZE_TIMEOUT_MS;
    /** Set by a wakeup source during the freeze loop (pm_wakeup_pending()). */
    private boolean wakeupPending;

    public ProcessFreezer(Kernel kernel, KernelVersion version) {
        this.kernel = kernel;
        this.freezer = kernel.freezer();
        this.version = version;
    }

    public long freezeTimeoutMs() { return freezeTimeoutMs; }

    public void setFreezeTimeoutMs(long ms) { freezeTimeoutMs = ms; }

    /** Models pm_wakeup_event(): a wakeup event aborts a freeze loop in progress. */
    public void wakeupEvent() { wakeupPending = true; }

    /**
     * The 2023 message rework ("Freezing %s %s after ...", "... completed (elapsed ...)") is in
     * both imitated kernels: Debian's 6.1.192 has it backported (recorded). Only the task dump
     * of 6.1 lacks the tgid.
     */
    private boolean newMessages() { return true; }

    private boolean tgidInTaskDump() { return version.has(KernelFeature.FREEZER_DUMP_TGID); }

    /**
     * Models freeze_processes(): freezes user space; on failure thaws everything and throws
     * EBUSY.
     */
    public void freezeProcesses() {
        Task self = kernel.current();
        self.setFlag(Task.PF_SUSPEND_TASK);
        wakeupPending = false; // pm_wakeup_clear()
        if (!newMessages()) kernel.dmesg().info("Freezing user space processes ... ");
        freezer.setPmFreezing(true);
        int error = tryToFreezeTasks(true);
        if (error == 0) {
            if (!newMessages()) amendLast("done.");
            kernel.dmesg().info("OOM killer disabled.");
        } else {
            thawProcesses();
            throw new KernelException(Errno.EBUSY);
        }
    }

    /**
     * Models freeze_kernel_threads(): freezes the freezable kernel threads and workqueues; on
     * failure thaws the kernel threads (user space stays frozen) and throws EBUSY.
     */
    public void freezeKernelThreads() {
        if (!newMessages()) kernel.dmesg().info("Freezing remaining freezable tasks ... ");
        freezer.setPmNosigFreezing(true);
        int error = tryToFreezeTasks(false);
        if (error == 0) {
            if (!newMessages()) amendLast("done.");
        } else {
            thawKernelThreads();
            throw new KernelException(Errno.EBUSY);
        }
    }

    /** Models thaw_processes(): thaws workqueues, then every task; logs "Restarting tasks ... done.". */
    public void thawProcesses() {
        Task self = kernel.current();
        kernel.dmesg().info("OOM killer enabled.");
        freezer.setPmFreezing(false);
        freezer.setPmNosigFreezing(false);
        kernel.dmesg().info("Restarting tasks ... done.");
        freezer.thawWorkqueues();
        for (Task p : kernel.tasks()) {
            if (p != self) freezer.thawTask(p);
        }
        self.clearFlag(Task.PF_SUSPEND_TASK);
    }

    /** Models thaw_kernel_threads(): thaws workqueues and kernel threads only. */
    public void thawKernelThreads() {
        freezer.setPmNosigFreezing(false);
        freezer.thawWorkqueues();
        for (Task p : kernel.tasks()) {
            if (p.isKthread()) freezer.thawTask(p);
        }
    }

    /** Models try_to_freeze_tasks(): 0, or -EBUSY after the failure report. */
    private int tryToFreezeTasks(boolean userOnly) {
        String what = userOnly ? "user space processes" : "remaining freezable tasks";
        if (newMessages()) kernel.dmesg().info("Freezing " + what);
        Task self = kernel.current();
        long start = kernel.now();
        long endJiffies = start / JIFFY_NS + (freezeTimeoutMs * 1_000_000L + JIFFY_NS - 1) / JIFFY_NS;
        if (!userOnly) freezer.freezeWorkqueuesBegin();
        long sleepUs = 1000;
        int todo;
        int wqBusy = 0;
        boolean wakeup = false;
        for (;;) {
            todo = 0;
            for (Task p : kernel.tasks()) {
                if (p != self && freezer.freezeTask(p)) todo++;
            }
            if (!userOnly) {
                wqBusy = freezer.freezeWorkqueuesBusy() ? 1 : 0;
                todo += wqBusy;
            }
            if (todo == 0 || kernel.now() / JIFFY_NS > endJiffies) break;
            if (wakeupPending) {
                wakeup = true;
                break;
            }
            kernel.scheduleTimeoutUninterruptible(sleepUs * 1000); // usleep_range(s/2, s)
            if (sleepUs < 8000) sleepUs *= 2;
        }
        long ms = (kernel.now() - start) / 1_000_000L;
        String elapsed = String.format("%d.%03d seconds", ms / 1000, ms % 1000);
        if (todo == 0) {
            if (newMessages()) kernel.dmesg().info("Freezing " + what + " completed (elapsed " + elapsed + ")");
            else amendLast("(elapsed " + elapsed + ") ");
            return 0;
        }
        String head = newMessages() ? "Freezing " + what : "Freezing of tasks";
        kernel.dmesg().err(String.format("%s %s after %s (%d tasks refusing to freeze, wq_busy=%d):",
                head, wakeup ? "aborted" : "failed", elapsed, todo - wqBusy, wqBusy));
        if (wqBusy != 0) showFreezableWorkqueues();
        if (!wakeup) {
            for (Task p : kernel.tasks()) {
                if (p != self && freezer.freezing(p) && !freezer.frozen(p)) {
                    kernel.schedShowTask(p, tgidInTaskDump()).forEach(kernel.dmesg()::info);
                }
            }
        }
        return Errno.EBUSY.neg();
    }

    /** Models show_freezable_workqueues() (6.1: show_all_workqueues(), reduced to the busy freezable ones). */
    private void showFreezableWorkqueues() {
        kernel.dmesg().info(newMessages() ? "Showing freezable workqueues that are still busy:"
                : "Showing busy workqueues and worker pools:");
        List<Workqueue> busy = freezer.busyFreezableWorkqueues();
        for (Workqueue wq : busy) {
            kernel.dmesg().info("workqueue " + wq.name() + ": flags=0x" + Integer.toHexString(Workqueue.WQ_FREEZABLE));
        }
    }

    /**
     * pr_cont(): 6.1 finishes "Freezing user space processes ... " with the elapsed time and
     * "done." on the same line.
     */
    private void amendLast(String more) {
        kernel.dmesg().amendLast(more);
    }
}
