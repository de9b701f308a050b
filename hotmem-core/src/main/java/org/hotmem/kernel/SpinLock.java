package org.hotmem.kernel;

import java.util.ArrayDeque;

/**
 * A spinlock (spinlock_t). The holder is in atomic context: sleeping while holding one is
 * reported ("BUG: sleeping function called from invalid context"). A contending task spins,
 * which the model shows as waiting (state D, "spinlock NAME") until the holder unlocks; other
 * tasks keep running meanwhile, as other CPUs would.
 *
 * <p>Invariants: {@code owner} holds it or is null; {@code waiters} spin in arrival order and
 * get it in that order. Guarded by the kernel's single-runner discipline.
 */
public final class SpinLock extends LockBase {
    private Task owner;
    private final ArrayDeque<Task> waiters = new ArrayDeque<>();

    /** DEFINE_SPINLOCK(name). */
    public SpinLock(Kernel kernel, String className) {
        super(kernel, className, false, false);
    }

    /** Models spin_lock(). */
    public void lock() {
        Task t = kernel.cur("spin_lock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        validate(t, false, "spin_lock");
        if (owner == t) {
            for (;;) kernel.sleep(this, Task.State.UNINTERRUPTIBLE); // self-deadlock: nobody will ever unlock
        } else if (owner != null) {
            waiters.add(t);
            while (owner != t) kernel.sleep(this, Task.State.UNINTERRUPTIBLE);
        } else {
            owner = t;
        }
        t.atomicDepth++;
        acquired(t, false, false, "spin_lock");
    }

    /** Models spin_trylock(). */
    public boolean trylock() {
        Task t = kernel.cur("spin_trylock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        if (owner != null) return false;
        owner = t;
        t.atomicDepth++;
        acquired(t, false, true, "spin_trylock");
        return true;
    }

    /** Models spin_unlock(). */
    public void unlock() {
        Task t = kernel.cur("spin_unlock");
        if (!released(t, "spin_unlock") || owner != t) return;
        t.atomicDepth--;
        owner = waiters.poll();
        if (owner != null) kernel.wakeUpProcess(owner);
        kernel.schedule(ScheduleTrace.PREEMPT);
    }

    /** Models spin_is_locked(). */
    public boolean isLocked() { return owner != null; }

    public Task owner() { return owner; }

    @Override String kind() { return "spinlock"; }

    @Override String holderDescription() { return owner == null ? "free" : "held by " + owner; }
}
