package org.hotmem.kernel;

/**
 * A spinlock (spinlock_t). The holder is in atomic context: sleeping while holding one is
 * reported ("BUG: sleeping function called from invalid context"). A contending task spins,
 * which the model shows as waiting (state D, "spinlock NAME") until the holder unlocks; other
 * tasks keep running meanwhile, as other CPUs would.
 *
 * <p>Invariants: those of {@link ExclusiveLock} (one owner; spinners get it in arrival order);
 * the owner's {@code atomicDepth} counts this lock while it holds it. No fields of its own; the
 * owner and waiters are guarded by the kernel's single-runner discipline.
 */
public final class SpinLock extends ExclusiveLock {
    /** DEFINE_SPINLOCK(name). */
    public SpinLock(Kernel kernel, String className) {
        super(kernel, className, false);
    }

    /** Models spin_lock(). */
    public void lock() {
        Task t = kernel.cur("spin_lock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        validate(t, false, "spin_lock");
        take(t);
        t.atomicDepth++;
        acquired(t, false, false, "spin_lock");
    }

    /** Models spin_trylock(). */
    public boolean trylock() {
        Task t = kernel.cur("spin_trylock");
        kernel.schedule(ScheduleTrace.PREEMPT);
        if (!tryTake(t)) return false;
        t.atomicDepth++;
        acquired(t, false, true, "spin_trylock");
        return true;
    }

    /** Models spin_unlock(). */
    public void unlock() {
        Task t = kernel.cur("spin_unlock");
        if (!handOff(t, "spin_unlock")) return;
        t.atomicDepth--;
        kernel.schedule(ScheduleTrace.PREEMPT);
    }

    @Override String kind() { return "spinlock"; }
}
