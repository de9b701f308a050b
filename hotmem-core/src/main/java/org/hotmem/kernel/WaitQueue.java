package org.hotmem.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A wait queue (wait_queue_head_t, kernel/sched/wait.c) with the wait_event() family.
 *
 * <p>Waiters are non-exclusive: {@link #wakeUp()} wakes them all and each re-checks its
 * condition, as wake_up() does for wait_event() waiters. Invariant: {@code waiters} holds the
 * tasks sleeping on this queue, in arrival order. Guarded by the kernel's single-runner
 * discipline.
 *
 * <p>Model: interruptible waits return -EINTR on a signal (Linux returns -ERESTARTSYS, which
 * reaches user space as EINTR when the signal handler was not installed with SA_RESTART).
 */
public final class WaitQueue implements WaitChannel {
    private final Kernel kernel;
    private final String name;
    private final List<Task> waiters = new ArrayList<>();

    /** DECLARE_WAIT_QUEUE_HEAD(name). */
    public WaitQueue(Kernel kernel, String name) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Models wait_event(): sleeps uninterruptibly until {@code condition} holds. */
    public void waitEvent(BooleanSupplier condition) {
        kernel.mightSleep("wait_event");
        while (!condition.getAsBoolean()) sleepOnce(Task.State.UNINTERRUPTIBLE, false);
    }

    /** Models wait_event_interruptible(): 0 once {@code condition} holds, -EINTR if a signal is pending first. */
    public int waitEventInterruptible(BooleanSupplier condition) {
        kernel.mightSleep("wait_event_interruptible");
        Task t = kernel.current();
        while (!condition.getAsBoolean()) {
            if (t.signalPending() && !kernel.freezer().freezeAndRestart(t)) return Errno.EINTR.neg();
            sleepOnce(Task.State.INTERRUPTIBLE, false);
        }
        return 0;
    }

    /**
     * Models wait_event_freezable(): an interruptible wait (TASK_INTERRUPTIBLE | TASK_FREEZABLE)
     * during which the freezer may freeze the task where it sleeps. 0 once {@code condition}
     * holds, -EINTR if a signal is pending first.
     */
    public int waitEventFreezable(BooleanSupplier condition) {
        kernel.mightSleep("wait_event_freezable");
        Task t = kernel.current();
        while (!condition.getAsBoolean()) {
            if (t.signalPending() && !kernel.freezer().freezeAndRestart(t)) return Errno.EINTR.neg();
            sleepOnce(Task.State.INTERRUPTIBLE, true);
        }
        return 0;
    }

    /**
     * Models wait_event_timeout(): sleeps until {@code condition} holds or {@code timeoutNs}
     * passed. Returns 0 if the time ran out with the condition false, else the ns left (at
     * least 1), as Linux returns jiffies left.
     */
    public long waitEventTimeout(BooleanSupplier condition, long timeoutNs) {
        return timed(condition, timeoutNs, false, "wait_event_timeout");
    }

    /** Models wait_event_interruptible_timeout(): like {@link #waitEventTimeout}, or -EINTR on a signal. */
    public long waitEventInterruptibleTimeout(BooleanSupplier condition, long timeoutNs) {
        return timed(condition, timeoutNs, true, "wait_event_interruptible_timeout");
    }

    private long timed(BooleanSupplier condition, long timeoutNs, boolean interruptible, String fn) {
        kernel.mightSleep(fn);
        Task t = kernel.current();
        long deadline = kernel.now() + Math.max(0, timeoutNs);
        for (;;) {
            if (condition.getAsBoolean()) return Math.max(1, deadline - kernel.now());
            if (kernel.now() >= deadline) return 0;
            if (interruptible && t.signalPending() && !kernel.freezer().freezeAndRestart(t)) return Errno.EINTR.neg();
            waiters.add(t);
            kernel.sleepTimeout(this, interruptible ? Task.State.INTERRUPTIBLE : Task.State.UNINTERRUPTIBLE,
                    deadline - kernel.now());
            waiters.remove(t);
        }
    }

    private void sleepOnce(Task.State state, boolean freezable) {
        Task t = kernel.current();
        waiters.add(t);
        kernel.sleep(this, state, freezable);
        waiters.remove(t);
    }

    /** Models wake_up(): wakes every waiter (they are non-exclusive); each re-checks its condition. */
    public void wakeUp() { wakeUpAll(); }

    /** Models wake_up_all(). */
    public void wakeUpAll() {
        for (int i = 0; i < waiters.size(); i++) kernel.wakeUpProcess(waiters.get(i));
    }

    /** Models waitqueue_active(). */
    public boolean active() { return !waiters.isEmpty(); }

    public String name() { return name; }

    @Override public String describeWait() { return "wait queue " + name; }

    /** The queue's name when it is a C identifier (the waiting function, e.g. request_wait_answer). */
    @Override public String symbol() { return name.matches("[A-Za-z_][A-Za-z0-9_]*") ? name : null; }

    @Override public String toString() { return "wait queue " + name; }
}
