package org.hotmem.kernel;

/**
 * A reader-writer semaphore (struct rw_semaphore, kernel/locking/rwsem.c). See
 * {@link RwSemBase} for the queueing rules. Every operation is a scheduling point.
 */
public final class RwSemaphore extends RwSemBase {
    /** DECLARE_RWSEM(name). */
    public RwSemaphore(Kernel kernel, String className) { super(kernel, className); }

    /** Models down_read(). */
    public void downRead() { acquire(false, false, "down_read"); }
    /** Models down_read_interruptible(): 0 or -EINTR. */
    public int downReadInterruptible() { return acquire(false, true, "down_read_interruptible"); }
    /** Models down_read_trylock(). */
    public boolean downReadTrylock() { return tryAcquire(false, "down_read_trylock"); }
    /** Models up_read(). */
    public void upRead() { release(false, "up_read"); }
    /** Models down_write(). */
    public void downWrite() { acquire(true, false, "down_write"); }
    /** Models down_write_killable(): 0 or -EINTR when a signal is pending. */
    public int downWriteKillable() { return acquire(true, true, "down_write_killable"); }
    /** Models down_write_trylock(). */
    public boolean downWriteTrylock() { return tryAcquire(true, "down_write_trylock"); }
    /** Models up_write(). */
    public void upWrite() { release(true, "up_write"); }
    /** Models downgrade_write(). */
    public void downgradeWrite() { downgrade("downgrade_write"); }

    @Override String kind() { return "rw_semaphore"; }
}
