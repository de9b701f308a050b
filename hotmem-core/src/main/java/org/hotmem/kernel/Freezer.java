package org.hotmem.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The task freezer's per-task mechanics (kernel/freezer.c, 6.1+ with TASK_FROZEN): which task is
 * freezing, sending it into the refrigerator, and thawing it. The loops that freeze every task
 * with a timeout and report the refusers are the power package's (kernel/power/process.c).
 *
 * <p>A task is <em>frozen</em> in one of two ways: it ran into {@link #tryToFreeze()} and sleeps in
 * the refrigerator, or it was asleep in a freezable sleep (TASK_FREEZABLE) and {@link #freezeTask}
 * marked it frozen where it sleeps (its sleep state is kept as the saved state). A wakeup of a
 * task frozen in place is remembered and delivered when it is thawed; nothing else wakes a
 * frozen task.
 *
 * <p>Invariants: {@code Task.frozen} implies the task sleeps (in the refrigerator or, with
 * {@code Task.frozenInPlace}, in its freezable sleep); {@code pmNosigFreezing} implies
 * {@code pmFreezing} while a system freeze runs. Guarded by the kernel's single-runner
 * discipline (freezer_lock in Linux).
 */
public final class Freezer {
    /** TIF_SIGPENDING on x86, what sched_show_task() prints for a task that got the fake signal. */
    static final int TIF_SIGPENDING = 1 << 2;

    private final Kernel kernel;
    private final WaitChannel refrigerator = () -> "__refrigerator";
    /** pm_freezing: system freezing of user space in effect. */
    private boolean pmFreezing;
    /** pm_nosig_freezing: system freezing of every freezable task, kernel threads too. */
    private boolean pmNosigFreezing;
    /** Workqueues created with WQ_FREEZABLE, in creation order. */
    private final List<Workqueue> freezableWqs = new ArrayList<>();
    /** workqueue_freezing. */
    private boolean workqueuesFrozen;

    Freezer(Kernel kernel) {
        this.kernel = kernel;
    }

    public boolean pmFreezing() { return pmFreezing; }
    public void setPmFreezing(boolean on) { pmFreezing = on; }
    public boolean pmNosigFreezing() { return pmNosigFreezing; }
    public void setPmNosigFreezing(boolean on) { pmNosigFreezing = on; }

    /** Models freezing(p) / freezing_slow_path(). */
    public boolean freezing(Task p) {
        if ((p.flags & (Task.PF_NOFREEZE | Task.PF_SUSPEND_TASK)) != 0 || p.isDead()) return false;
        if (pmNosigFreezing || p.cgroupFreezing) return true;
        return pmFreezing && !p.isKthread();
    }

    /** Models frozen(p): the task's state is TASK_FROZEN. */
    public boolean frozen(Task p) { return p.frozen; }

    /**
     * Models freeze_task(): false if {@code p} need not or cannot be told (not freezing, already
     * frozen) or was frozen where it sleeps (a freezable sleep); else sends the fake signal (user
     * task) or wakes it (kernel thread) and returns true: still to do.
     */
    public boolean freezeTask(Task p) {
        if (!freezing(p) || p.frozen) return false;
        if (p.freezableSleep && p.state != Task.State.RUNNING) {
            p.frozen = true;
            p.frozenInPlace = true;
            p.wokenWhileFrozen = false;
            return false;
        }
        if (!p.isKthread()) {
            p.fakeSignal = true; // fake_signal_wake_up(): TIF_SIGPENDING, no signal queued
            if (p.state == Task.State.INTERRUPTIBLE) kernel.wakeUpProcess(p);
        } else {
            kernel.wakeUpProcess(p); // wake_up_state(p, TASK_NORMAL)
        }
        return true;
    }

    /**
     * Models try_to_freeze() (and __refrigerator()): if the current task is freezing, it sleeps
     * in the refrigerator until thawed. Returns whether it was frozen.
     */
    public boolean tryToFreeze() {
        Task t = kernel.cur("try_to_freeze");
        if (!freezing(t)) return false;
        kernel.mightSleep("try_to_freeze");
        boolean was = false;
        while (freezing(t) && !(t.isKthread() && t.kthreadShouldStop)) {
            t.frozen = true;
            was = true;
            kernel.sleep(refrigerator, Task.State.UNINTERRUPTIBLE);
        }
        t.frozen = false;
        t.fakeSignal = false; // recalc_sigpending() on the way out
        return was;
    }

    /**
     * Models __thaw_task(): a task frozen in place goes back to its sleep (woken now if its event
     * came meanwhile); a task in the refrigerator is woken.
     */
    public void thawTask(Task p) {
        if (p.cgroupFreezing) return; // held by its cgroup's freezer, not by the PM freezer
        if (!p.frozen) {
            if (!p.isKthread()) p.fakeSignal = false;
            return;
        }
        p.frozen = false;
        if (p.frozenInPlace) {
            p.frozenInPlace = false;
            if (p.wokenWhileFrozen) kernel.wakeUpProcess(p);
        } else {
            kernel.wakeUpProcess(p);
        }
    }

    /**
     * Models cgroup_freeze_task() (kernel/cgroup/freezer.c): sets or clears the task's
     * JOBCTL_TRAP_FREEZE and wakes it so it traps (freezing) or leaves the trap (thawing), unless
     * the PM freezer still holds it. // model: the v2 trap (do_freezer_trap() in the signal path)
     * // is this refrigerator, entered at the same freeze points; a task in a freezable sleep is
     * // frozen where it sleeps; PF_NOFREEZE and PF_SUSPEND_TASK are exempt.
     */
    public void setCgroupFreezing(Task p, boolean on) {
        if (p.isKthread() || p.cgroupFreezing == on) return;
        p.cgroupFreezing = on;
        if (on) freezeTask(p);
        else if (!freezing(p)) thawTask(p);
    }

    /**
     * Whether an interrupted wait of the current task should freeze and restart instead of
     * failing with EINTR: a user task whose only "signal" is the freezer's fake one. Models the
     * -ERESTARTSYS return, get_signal()'s try_to_freeze() and the transparent syscall restart.
     */
    boolean freezeAndRestart(Task t) {
        if (!t.fakeSignal || t.pendingSignals != 0 || t.isKthread()) return false;
        tryToFreeze();
        t.fakeSignal = false;
        return true;
    }

    // ---------------------------------------------------------------- workqueues

    void registerFreezable(Workqueue wq) { freezableWqs.add(wq); }

    /** Models freeze_workqueues_begin(): freezable workqueues start no new work. */
    public void freezeWorkqueuesBegin() { workqueuesFrozen = true; }

    /** Whether freezable workqueues are frozen (workqueue_freezing). */
    boolean workqueuesFrozen() { return workqueuesFrozen; }

    /** Models freeze_workqueues_busy(): a freezable workqueue still runs an item. */
    public boolean freezeWorkqueuesBusy() {
        for (Workqueue wq : freezableWqs) {
            if (wq.busy()) return true;
        }
        return false;
    }

    /** The freezable workqueues still running an item (show_freezable_workqueues()). */
    public List<Workqueue> busyFreezableWorkqueues() {
        return freezableWqs.stream().filter(Workqueue::busy).toList();
    }

    /** Models thaw_workqueues(). */
    public void thawWorkqueues() {
        if (!workqueuesFrozen) return;
        workqueuesFrozen = false;
        for (Workqueue wq : freezableWqs) wq.thawed();
    }
}
