package org.hotmem.kernel;

/**
 * A sleeping mutual-exclusion lock (struct mutex, kernel/locking/mutex.c).
 *
 * <p>Invariants: those of {@link ExclusiveLock} (one owner, FIFO handoff: Linux's behaviour
 * once a waiter has been starved, and deterministic); only a task that may sleep takes it. Every
 * lock and unlock is a scheduling point. No fields of its own; the owner and waiters are guarded
 * by the kernel's single-runner discipline.
 */
public final class Mutex extends ExclusiveLock {
    /** DEFINE_MUTEX(name): a mutex of lock class {@code className}. */
    public Mutex(Kernel kernel, String className) {
        super(kernel, className, true);
    }

    /** Models mutex_lock(). */
    public void lock() {
        Task t = kernel.cur("mutex_lock");
        kernel.mightSleep("mutex_lock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        validate(t, false, "mutex_lock");
        take(t);
        acquired(t, false, false, "mutex_lock");
    }

    /** Models mutex_lock_interruptible(): 0, or -EINTR if a signal arrived while waiting. */
    public int lockInterruptible() {
        Task t = kernel.cur("mutex_lock_interruptible");
        kernel.mightSleep("mutex_lock_interruptible");
        kernel.schedule(ScheduleTrace.PREEMPT);
        validate(t, false, "mutex_lock_interruptible");
        if (!takeInterruptible(t)) return Errno.EINTR.neg();
        acquired(t, false, false, "mutex_lock_interruptible");
        return 0;
    }

    /** Models mutex_trylock(): takes the mutex if it is free; never sleeps. */
    public boolean trylock() {
        Task t = kernel.cur("mutex_trylock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        if (!tryTake(t)) return false;
        acquired(t, false, true, "mutex_trylock");
        return true;
    }

    /** Models mutex_unlock(). Unlocking a mutex the task does not hold is a lockdep report (and no-op). */
    public void unlock() {
        Task t = kernel.cur("mutex_unlock");
        if (!handOff(t, "mutex_unlock")) return;
        kernel.schedule(ScheduleTrace.PREEMPT);
    }

    @Override String kind() { return "mutex"; }
}
