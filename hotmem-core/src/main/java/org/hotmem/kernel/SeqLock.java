package org.hotmem.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A sequential lock (seqlock_t, include/linux/seqlock.h), as zone->span_seqlock.
 *
 * <p>Invariants: {@code sequence} is odd exactly while a writer is inside; writers serialize
 * on the embedded spinlock (whose lockdep class is this seqlock's name). Readers never block
 * writers: a reader whose section a writer overlapped sees {@link #readRetry(int)} return true
 * and retries. {@link #readBegin()} and {@link #readRetry(int)} are scheduling points, so a
 * writer can run between them. Guarded by the kernel's single-runner discipline.
 */
public final class SeqLock implements WaitChannel {
    private final Kernel kernel;
    private final SpinLock lock;
    private int sequence;
    private final List<Task> spinners = new ArrayList<>(); // readers waiting for an even sequence

    /** DEFINE_SEQLOCK(name) / seqlock_init(). */
    public SeqLock(Kernel kernel, String className) {
        this.kernel = kernel;
        this.lock = new SpinLock(kernel, className);
    }

    /** Models read_seqbegin(): waits while a writer is inside, returns the (even) sequence. */
    public int readBegin() {
        kernel.cur("read_seqbegin");
        kernel.schedule(ScheduleTrace.PREEMPT);
        while ((sequence & 1) != 0) {
            Task t = kernel.current();
            spinners.add(t);
            kernel.sleep(this, Task.State.UNINTERRUPTIBLE);
            spinners.remove(t);
        }
        return sequence;
    }

    /** Models read_seqretry(): whether a writer ran since {@code start}, so the read must be redone. */
    public boolean readRetry(int start) {
        kernel.cur("read_seqretry");
        kernel.schedule(ScheduleTrace.PREEMPT);
        return sequence != start;
    }

    /** Models write_seqlock(). */
    public void writeLock() {
        lock.lock();
        sequence++;
    }

    /** Models write_sequnlock(). */
    public void writeUnlock() {
        sequence++;
        for (int i = 0; i < spinners.size(); i++) kernel.wakeUpProcess(spinners.get(i));
        lock.unlock();
    }

    /** The current sequence count (odd while a writer is inside). */
    public int sequence() { return sequence; }

    public String name() { return lock.name(); }

    @Override public String describeWait() {
        return "seqlock " + lock.name() + " (" + lock.holderDescription() + ")";
    }
}
