package org.hotmem.kernel;

import java.util.ArrayDeque;

/**
 * The single-owner lock shared by {@link Mutex} and {@link SpinLock}: an owner and the FIFO of
 * tasks waiting for it. Subclasses add what their kind of lock does around it (might_sleep,
 * atomic context).
 *
 * <p>Invariants: {@code owner} is the task holding the lock or null; {@code waiters} holds the
 * tasks waiting for it in arrival order, none of them the owner. A release hands the lock to the
 * first waiter (FIFO handoff, deterministic), so a woken waiter owns it before it runs. Both
 * fields are guarded by the kernel's single-runner discipline.
 */
abstract class ExclusiveLock extends LockBase {
    private Task owner;
    private final ArrayDeque<Task> waiters = new ArrayDeque<>();

    ExclusiveLock(Kernel kernel, String className, boolean sleeping) {
        super(kernel, className, false, sleeping);
    }

    /**
     * Makes {@code t} the owner, waiting uninterruptibly (state D) behind the current owner and
     * earlier waiters. Taking a lock {@code t} already owns waits forever, as the real task would.
     */
    final void take(Task t) {
        if (owner == t) {
            for (;;) kernel.sleep(this, Task.State.UNINTERRUPTIBLE); // self-deadlock: nobody will ever unlock
        } else if (owner != null) {
            waiters.add(t);
            while (owner != t) kernel.sleep(this, Task.State.UNINTERRUPTIBLE);
        } else {
            owner = t;
        }
    }

    /**
     * As {@link #take} but waiting interruptibly (state S): false, with {@code t} no longer
     * queued, if a signal is pending before the lock is handed over.
     */
    final boolean takeInterruptible(Task t) {
        if (owner == t) {
            while (!t.signalPending()) kernel.sleep(this, Task.State.INTERRUPTIBLE); // self-deadlock
            return false;
        } else if (owner != null) {
            waiters.add(t);
            while (owner != t) {
                if (t.signalPending()) {
                    waiters.remove(t);
                    return false;
                }
                kernel.sleep(this, Task.State.INTERRUPTIBLE);
            }
        } else {
            owner = t;
        }
        return true;
    }

    /** Makes {@code t} the owner if the lock is free; never waits. */
    final boolean tryTake(Task t) {
        if (owner != null) return false;
        owner = t;
        return true;
    }

    /**
     * The lockdep part of a release, then the handoff to the first waiter (woken, not yet run).
     * False, after a lockdep report, if {@code t} does not hold the lock.
     */
    final boolean handOff(Task t, String op) {
        if (!released(t, op) || owner != t) return false;
        owner = waiters.poll();
        if (owner != null) kernel.wakeUpProcess(owner);
        return true;
    }

    /** Models mutex_is_locked() and spin_is_locked(). */
    public final boolean isLocked() { return owner != null; }

    /** The holder, or null. */
    public final Task owner() { return owner; }

    @Override final String holderDescription() { return owner == null ? "free" : "held by " + owner; }
}
