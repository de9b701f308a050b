package org.hotmem.kernel;

/**
 * A kernel timer (struct timer_list) on the virtual clock. Created by {@link Kernel#addTimer};
 * the callback runs in softirq context (on the kernel's ksoftirqd/0 task, atomic: it must not
 * sleep). Internally the same queue also carries task wakeups (schedule_timeout) and delayed
 * work, which the kernel fires directly.
 *
 * <p>Invariant: {@code pending} iff the timer is in its kernel's timer queue. Guarded by the
 * kernel's single-runner discipline.
 */
public final class Timer {
    static final int CALLBACK = 0, WAKE_TASK = 1, INTERNAL = 2;

    final Kernel kernel;
    final int kind;
    final Runnable fn;   // CALLBACK, INTERNAL
    final Task task;     // WAKE_TASK
    long expires;
    long seq;            // tie-break among equal expiry times: arming order
    boolean pending;

    Timer(Kernel kernel, int kind, Runnable fn, Task task) {
        this.kernel = kernel;
        this.kind = kind;
        this.fn = fn;
        this.task = task;
    }

    /** Whether the timer is armed (timer_pending()). */
    public boolean pending() { return pending; }

    /** Absolute expiry in virtual ns. */
    public long expires() { return expires; }

    /** Models del_timer(): disarms; returns whether it was pending. */
    public boolean cancel() { return kernel.delTimer(this); }

    /** Models mod_timer(): (re)arms to fire {@code delayNs} from now; returns whether it was pending. */
    public boolean mod(long delayNs) {
        boolean was = kernel.delTimer(this);
        kernel.armTimer(this, delayNs);
        return was;
    }
}
