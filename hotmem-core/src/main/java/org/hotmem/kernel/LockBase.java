package org.hotmem.kernel;

import java.util.Objects;

/**
 * What every sleeping or spinning lock shares: its kernel and its lockdep class, and the
 * lockdep calls around an acquisition and a release. Subclasses ({@link ExclusiveLock},
 * {@link RwSemBase}) keep the holders and waiters and implement the acquisition rules.
 *
 * <p>Invariant: both fields are final, set at construction.
 */
abstract class LockBase implements WaitChannel {
    final Kernel kernel;
    final Lockdep.LockClass lockClass;

    LockBase(Kernel kernel, String className, boolean rw, boolean sleeping) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.lockClass = kernel.lockdep().lockClass(Objects.requireNonNull(className, "lock class name"), rw, sleeping);
    }

    /** The lock class name lockdep prints: {@code device_hotplug_lock}. */
    public String name() { return lockClass.name; }

    /** The kind, as a kernel engineer would say it: "mutex", "rw_semaphore", ... */
    abstract String kind();

    /** Who holds it, for reports ("held by a/3", "2 readers", "free"). */
    abstract String holderDescription();

    @Override public String describeWait() {
        return kind() + " " + name() + " (" + holderDescription() + ")";
    }

    /** Takes the lockdep part of an acquisition (validation, held-lock push). */
    final void acquired(Task t, boolean read, boolean trylock, String op) {
        kernel.lockdep().acquire(t, this, read, trylock, op);
    }

    /** Validates an acquisition that may block (before blocking, as lockdep does). */
    final void validate(Task t, boolean read, String op) {
        kernel.lockdep().validate(t, this, read, op);
    }

    /** The lockdep part of a release; false (after a report) if {@code t} does not hold it. */
    final boolean released(Task t, String op) {
        return kernel.lockdep().release(t, this, op);
    }

    @Override public String toString() { return kind() + " " + name(); }
}
