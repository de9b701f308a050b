package org.hotmem.kernel;

import java.util.ArrayDeque;

/**
 * A sleeping mutual-exclusion lock (struct mutex, kernel/locking/mutex.c).
 *
 * <p>Invariants: {@code owner} is the task holding it or null; {@code waiters} holds the tasks
 * sleeping for it in arrival order. Unlock hands the mutex to the first waiter (model: FIFO
 * handoff, Linux's behaviour once a waiter has been starved, and deterministic). Every lock and
 * unlock is a scheduling point. Guarded by the kernel's single-runner discipline.
 */
public final class Mutex extends LockBase {
    private Task owner;
    private final ArrayDeque<Task> waiters = new ArrayDeque<>();

    /** DEFINE_MUTEX(name): a mutex of lock class {@code className}. */
    public Mutex(Kernel kernel, String className) {
        super(kernel, className, false, true);
    }

    /** Models mutex_lock(). */
    public void lock() {
        Task t = kernel.cur("mutex_lock");
        kernel.mightSleep("mutex_lock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        validate(t, false, "mutex_lock");
        if (owner == t) {
            for (;;) kernel.sleep(this, Task.State.UNINTERRUPTIBLE); // self-deadlock: nobody will ever unlock
        } else if (owner != null) {
            waiters.add(t);
            while (owner != t) kernel.sleep(this, Task.State.UNINTERRUPTIBLE);
        } else {
            owner = t;
        }
        acquired(t, false, false, "mutex_lock");
    }

    /** Models mutex_lock_interruptible(): 0, or -EINTR if a signal arrived while waiting. */
    public int lockInterruptible() {
        Task t = kernel.cur("mutex_lock_interruptible");
        kernel.mightSleep("mutex_lock_interruptible");
        kernel.schedule(ScheduleTrace.PREEMPT);
        validate(t, false, "mutex_lock_interruptible");
        if (owner == t) {
            while (!t.signalPending()) kernel.sleep(this, Task.State.INTERRUPTIBLE); // self-deadlock
            return Errno.EINTR.neg();
        } else if (owner != null) {
            waiters.add(t);
            while (owner != t) {
                if (t.signalPending()) {
                    waiters.remove(t);
                    return Errno.EINTR.neg();
                }
                kernel.sleep(this, Task.State.INTERRUPTIBLE);
            }
        } else {
            owner = t;
        }
        acquired(t, false, false, "mutex_lock_interruptible");
        return 0;
    }

    /** Models mutex_trylock(): takes the mutex if it is free; never sleeps. */
    public boolean trylock() {
        Task t = kernel.cur("mutex_trylock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        if (owner != null) return false;
        owner = t;
        acquired(t, false, true, "mutex_trylock");
        return true;
    }

    /** Models mutex_unlock(). Unlocking a mutex the task does not hold is a lockdep report (and no-op). */
    public void unlock() {
        Task t = kernel.cur("mutex_unlock");
        if (!released(t, "mutex_unlock") || owner != t) return;
        owner = waiters.poll();
        if (owner != null) kernel.wakeUpProcess(owner);
        kernel.schedule(ScheduleTrace.PREEMPT);
    }

    /** Models mutex_is_locked(). */
    public boolean isLocked() { return owner != null; }

    /** The holder, or null. */
    public Task owner() { return owner; }

    @Override String kind() { return "mutex"; }

    @Override String holderDescription() { return owner == null ? "free" : "held by " + owner; }
}
