package org.hotmem.kernel;

import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A completion (struct completion, kernel/sched/completion.c).
 *
 * <p>Invariants: {@code done} counts completions not yet consumed ({@link #ALL} after
 * complete_all()); {@code waiters} are the sleeping tasks in arrival order; complete() wakes
 * the first one. Guarded by the kernel's single-runner discipline.
 *
 * <p>Model: interruptible waits return -EINTR (Linux: -ERESTARTSYS).
 */
public final class Completion implements WaitChannel {
    private static final int ALL = Integer.MAX_VALUE;
    private final Kernel kernel;
    private final String name;
    private int done;
    private final ArrayDeque<Task> waiters = new ArrayDeque<>();

    /** DECLARE_COMPLETION(name) / init_completion(). */
    public Completion(Kernel kernel, String name) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Models complete(): one waiter (present or future) proceeds. Usable from outside a task. */
    public void complete() {
        if (done != ALL) done++;
        Task t = waiters.peek();
        if (t != null) kernel.wakeUpProcess(t);
    }

    /** Models complete_all(): every waiter, present and future, proceeds. */
    public void completeAll() {
        done = ALL;
        for (Task t : waiters) kernel.wakeUpProcess(t);
    }

    /** Models reinit_completion(). */
    public void reinit() { done = 0; }

    /** Models completion_done(): whether a wait would not sleep. */
    public boolean isDone() { return done > 0; }

    /** Models wait_for_completion(). */
    public void waitForCompletion() { wait(false, Long.MAX_VALUE, "wait_for_completion"); }

    /** Models wait_for_completion_interruptible(): 0, or -EINTR on a signal. */
    public int waitForCompletionInterruptible() {
        return (int) wait(true, Long.MAX_VALUE, "wait_for_completion_interruptible");
    }

    /** Models wait_for_completion_timeout(): 0 on timeout, else the ns left (at least 1). */
    public long waitForCompletionTimeout(long timeoutNs) {
        return wait(false, timeoutNs, "wait_for_completion_timeout");
    }

    /** Models try_wait_for_completion(). */
    public boolean tryWaitForCompletion() {
        if (done == 0) return false;
        if (done != ALL) done--;
        return true;
    }

    private long wait(boolean interruptible, long timeoutNs, String fn) {
        kernel.mightSleep(fn);
        Task t = kernel.current();
        boolean timed = timeoutNs != Long.MAX_VALUE;
        long deadline = timed ? kernel.now() + Math.max(0, timeoutNs) : Long.MAX_VALUE;
        Task.State state = interruptible ? Task.State.INTERRUPTIBLE : Task.State.UNINTERRUPTIBLE;
        try {
            while (done == 0) {
                if (interruptible && t.signalPending() && !kernel.freezer().freezeAndRestart(t)) return Errno.EINTR.neg();
                if (timed && kernel.now() >= deadline) return 0;
                if (!waiters.contains(t)) waiters.add(t);
                if (timed) kernel.sleepTimeout(this, state, deadline - kernel.now());
                else kernel.sleep(this, state);
            }
        } finally {
            waiters.remove(t);
        }
        if (done != ALL) done--;
        // A complete() that woke us may have been meant for the next waiter too.
        if (done > 0 && !waiters.isEmpty()) kernel.wakeUpProcess(waiters.peek());
        return timed ? Math.max(1, deadline - kernel.now()) : 0;
    }

    public String name() { return name; }

    @Override public String describeWait() { return "completion " + name; }

    @Override public String toString() { return "completion " + name; }
}
