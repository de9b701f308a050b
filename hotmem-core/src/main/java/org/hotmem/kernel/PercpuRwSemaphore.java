package org.hotmem.kernel;

/**
 * A per-CPU reader-writer semaphore (struct percpu_rw_semaphore,
 * kernel/locking/percpu-rwsem.c), as used for mem_hotplug_lock and cpu_hotplug_lock.
 *
 * <p>Model: the per-CPU reader counters are one count; semantics are those of
 * {@link RwSemBase}: a pending writer blocks new readers (percpu_down_write sets
 * {@code sem->block}) and waits for the readers inside to leave.
 */
public final class PercpuRwSemaphore extends RwSemBase {
    /** DEFINE_STATIC_PERCPU_RWSEM(name). */
    public PercpuRwSemaphore(Kernel kernel, String className) { super(kernel, className); }

    /** Models percpu_down_read(). */
    public void downRead() { acquire(false, false, "percpu_down_read"); }
    /** Models percpu_down_read_trylock(). */
    public boolean downReadTrylock() { return tryAcquire(false, "percpu_down_read_trylock"); }
    /** Models percpu_up_read(). */
    public void upRead() { release(false, "percpu_up_read"); }
    /** Models percpu_down_write(). */
    public void downWrite() { acquire(true, false, "percpu_down_write"); }
    /** Models percpu_up_write(). */
    public void upWrite() { release(true, "percpu_up_write"); }

    @Override String kind() { return "percpu_rw_semaphore"; }
}
