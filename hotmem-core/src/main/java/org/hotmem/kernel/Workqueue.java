package org.hotmem.kernel;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A workqueue (kernel/workqueue.c): work items run one at a time, in queueing order, on the
 * workqueue's own kworker task (spawned on first use, flags PF_KTHREAD | PF_WQ_WORKER).
 *
 * <p>Invariants: a {@link Work} is {@code pending} from queueing (or arming, for delayed work)
 * until its function starts; a pending item is in {@code queue} or its timer is armed, never
 * both. {@code running} is the item whose function runs now. Guarded by the kernel's
 * single-runner discipline.
 *
 * <p>A workqueue created with {@link #WQ_FREEZABLE} starts no new item while the freezer has
 * frozen workqueues (freeze_workqueues_begin() .. thaw_workqueues()); an item already running
 * makes it busy (freeze_workqueues_busy()).
 *
 * <p>Model: one worker per workqueue (an ordered workqueue); Linux may run items of one
 * workqueue concurrently on several kworkers. A work function that throws fails the run.
 */
public final class Workqueue {
    /** A work item (struct work_struct): INIT_WORK(work, fn). */
    public static class Work {
        final String name;
        final Runnable fn;
        boolean pending;
        Workqueue wq;

        public Work(String name, Runnable fn) {
            this.name = Objects.requireNonNull(name, "name");
            this.fn = Objects.requireNonNull(fn, "fn");
        }

        /** Models work_pending(). */
        public boolean pending() { return pending; }
        public String name() { return name; }
        @Override public String toString() { return name; }
    }

    /** A delayed work item (struct delayed_work): INIT_DELAYED_WORK(dwork, fn). */
    public static final class DelayedWork extends Work {
        Timer timer;

        public DelayedWork(String name, Runnable fn) { super(name, fn); }
    }

    /** The channel an idle worker sleeps on (not a deadlock). */
    static final class Idle implements WaitChannel {
        private final String wq;
        Idle(String wq) { this.wq = wq; }
        @Override public String describeWait() { return "work on workqueue " + wq; }
    }

    /** WQ_FREEZABLE (include/linux/workqueue.h): frozen with the freezable tasks. */
    public static final int WQ_FREEZABLE = 1 << 2;

    private final Kernel kernel;
    private final String name;
    private final boolean freezable;
    private final ArrayDeque<Work> queue = new ArrayDeque<>();
    private final Idle idle;
    private final WaitQueue flushWaiters;
    private Task worker;
    private Work running;

    /** Models alloc_workqueue(name, ...). */
    public Workqueue(Kernel kernel, String name) { this(kernel, name, 0); }

    /** Models alloc_workqueue(name, flags, ...); {@code flags} may hold {@link #WQ_FREEZABLE}. */
    public Workqueue(Kernel kernel, String name, int flags) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.name = Objects.requireNonNull(name, "name");
        this.freezable = (flags & WQ_FREEZABLE) != 0;
        if (freezable) kernel.freezer().registerFreezable(this);
        this.idle = new Idle(name);
        this.flushWaiters = new WaitQueue(kernel, "flush " + name);
    }

    public String name() { return name; }

    public boolean freezable() { return freezable; }

    /** Whether an item runs now (pwq->nr_active > 0 for freeze_workqueues_busy()). */
    boolean busy() { return running != null; }

    /** The items queued and not started, in order (show_freezable_workqueues()). */
    public java.util.List<String> pendingNames() { return queue.stream().map(Work::name).toList(); }

    /** thaw_workqueues() for this queue: the worker may start the queued items. */
    void thawed() {
        if (worker != null && worker.waitChannel == idle && !queue.isEmpty()) kernel.wakeUpProcess(worker);
    }

    /** The worker task, or null before the first work was queued. */
    public Task worker() { return worker; }

    /** Models queue_work(): false if the item was already pending. Usable from outside a task. */
    public boolean queueWork(Work work) {
        if (work.pending) return false;
        work.pending = true;
        enqueue(work);
        return true;
    }

    /** Models queue_delayed_work(): queues {@code work} after {@code delayNs}; false if already pending. */
    public boolean queueDelayedWork(DelayedWork work, long delayNs) {
        if (work.pending) return false;
        work.pending = true;
        arm(work, delayNs);
        return true;
    }

    /** Models mod_delayed_work(): (re)arms to run {@code delayNs} from now; returns whether it was pending. */
    public boolean modDelayedWork(DelayedWork work, long delayNs) {
        boolean was = cancelPending(work);
        work.pending = true;
        arm(work, delayNs);
        return was;
    }

    /** Models cancel_delayed_work(): dequeues a pending item; returns whether it was pending. */
    public boolean cancelDelayedWork(DelayedWork work) { return cancelPending(work); }

    /** Models cancel_work(): dequeues a pending item; returns whether it was pending. */
    public boolean cancelWork(Work work) { return cancelPending(work); }

    /** Models cancel_work_sync(): dequeues it and waits for a running instance to finish. */
    public boolean cancelWorkSync(Work work) {
        boolean was = cancelPending(work);
        flushRunning(work);
        return was;
    }

    /** Models cancel_delayed_work_sync(). */
    public boolean cancelDelayedWorkSync(DelayedWork work) { return cancelWorkSync(work); }

    /** Models flush_work(): waits until {@code work} is neither queued nor running; returns whether it waited. */
    public boolean flushWork(Work work) {
        if (!(work.pending && work.wq == this && queue.contains(work)) && running != work) return false;
        flushWaiters.waitEvent(() -> !queue.contains(work) && running != work);
        return true;
    }

    /** Models flush_delayed_work(): runs a still-delayed item now, then waits for it. */
    public boolean flushDelayedWork(DelayedWork work) {
        if (work.timer != null && work.timer.pending()) {
            work.timer.cancel();
            enqueue(work);
        }
        return flushWork(work);
    }

    /** Models flush_workqueue(): waits until every item queued so far has run. */
    public void flushWorkqueue() {
        flushWaiters.waitEvent(() -> queue.isEmpty() && running == null);
    }

    private void arm(DelayedWork work, long delayNs) {
        work.wq = this;
        if (delayNs <= 0) {
            enqueue(work);
            return;
        }
        if (work.timer == null) work.timer = kernel.internalTimer(() -> work.wq.enqueue(work));
        kernel.armTimer(work.timer, delayNs);
    }

    /** Models try_to_grab_pending(): takes a pending item off its queue (and its timer); whether it was pending. */
    private boolean cancelPending(Work work) {
        if (!work.pending) return false;
        if (work instanceof DelayedWork dw && dw.timer != null) dw.timer.cancel();
        if (work.wq != null) work.wq.queue.remove(work);
        work.pending = false;
        return true;
    }

    private void flushRunning(Work work) {
        if (running == work) flushWaiters.waitEvent(() -> running != work);
    }

    /** Models __queue_work(): appends {@code work} and wakes (or creates) the worker. */
    private void enqueue(Work work) {
        work.wq = this;
        queue.add(work);
        if (worker == null) {
            worker = kernel.spawn("kworker/" + name, Task.PF_KTHREAD | Task.PF_WQ_WORKER, this::workerThread);
        } else if (worker.waitChannel == idle) {
            kernel.wakeUpProcess(worker);
        }
    }

    /** Models worker_thread() + process_one_work(). */
    private void workerThread() {
        for (;;) {
            Work w = freezable && kernel.freezer().workqueuesFrozen() ? null : queue.poll();
            if (w == null) {
                kernel.sleep(idle, Task.State.INTERRUPTIBLE);
                continue;
            }
            w.pending = false;
            running = w;
            try {
                w.fn.run();
            } catch (KernelException e) {
                throw new IllegalStateException("work " + w.name + " on " + name + " threw " + e.getMessage(), e);
            }
            running = null;
            flushWaiters.wakeUpAll();
            kernel.preemptionPoint();
        }
    }

    @Override public String toString() { return "workqueue " + name; }
}
