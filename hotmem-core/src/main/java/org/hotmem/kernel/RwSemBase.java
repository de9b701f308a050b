package org.hotmem.kernel;

import java.util.ArrayDeque;

/**
 * The reader-writer sleeping lock shared by {@link RwSemaphore} and {@link PercpuRwSemaphore}.
 *
 * <p>Invariants: {@code writer != null} implies {@code readers == 0}; {@code queue} holds the
 * sleeping acquirers in arrival order. A new reader queues behind a waiting writer (no writer
 * starvation); a release grants the head of the queue: one writer, or every reader up to the
 * next writer. Granting happens at release time (handoff), so a granted waiter owns the lock
 * before it runs. Guarded by the kernel's single-runner discipline.
 */
abstract class RwSemBase extends LockBase {
    private static final class Waiter {
        final Task task;
        final boolean write;
        boolean granted;
        Waiter(Task task, boolean write) { this.task = task; this.write = write; }
    }

    private Task writer;
    private int readers;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

    RwSemBase(Kernel kernel, String className) {
        super(kernel, className, true, true);
    }

    final int acquire(boolean write, boolean interruptible, String op) {
        Task t = kernel.cur(op);
        kernel.mightSleep(op);
        kernel.schedule(ScheduleTrace.PREEMPT);
        validate(t, !write, op);
        if (queue.isEmpty() && writer == null && (!write || readers == 0)) {
            take(t, write);
        } else {
            Waiter w = new Waiter(t, write);
            queue.add(w);
            while (!w.granted) {
                if (interruptible && t.signalPending()) {
                    queue.remove(w);
                    grant(); // a writer leaving the queue may unblock readers behind it
                    return Errno.EINTR.neg();
                }
                kernel.sleep(this, interruptible ? Task.State.INTERRUPTIBLE : Task.State.UNINTERRUPTIBLE);
            }
        }
        acquired(t, !write, false, op);
        return 0;
    }

    final boolean tryAcquire(boolean write, String op) {
        Task t = kernel.cur(op);
        kernel.schedule(ScheduleTrace.PREEMPT);
        if (!queue.isEmpty() || writer != null || (write && readers > 0)) return false;
        take(t, write);
        acquired(t, !write, true, op);
        return true;
    }

    final void release(boolean write, String op) {
        Task t = kernel.cur(op);
        if (!released(t, op)) return; // not held by t: lockdep reported the imbalance
        if (write) writer = null;
        else readers--;
        grant();
        kernel.schedule(ScheduleTrace.PREEMPT);
    }

    /** Models downgrade_write(): the writer becomes a reader, admitting the readers queued behind it. */
    final void downgrade(String op) {
        Task t = kernel.cur(op);
        if (writer != t) {
            released(t, op);
            return;
        }
        writer = null;
        readers++;
        for (int i = t.heldDepth - 1; i >= 0; i--) {
            if (t.held[i].lock() == this) {
                HeldLock h = t.held[i];
                t.held[i] = new HeldLock(this, true, h.trylock(), op, h.acquiredAtNs());
                break;
            }
        }
        grant();
    }

    private void take(Task t, boolean write) {
        if (write) writer = t;
        else readers++;
    }

    private void grant() {
        while (!queue.isEmpty() && writer == null) {
            Waiter w = queue.peek();
            if (w.write) {
                if (readers > 0) return;
                queue.poll();
                writer = w.task;
                w.granted = true;
                kernel.wakeUpProcess(w.task);
                return;
            }
            queue.poll();
            readers++;
            w.granted = true;
            kernel.wakeUpProcess(w.task);
        }
    }

    /** Whether a writer holds it. */
    public final boolean isWriteLocked() { return writer != null; }

    /** How many readers hold it. */
    public final int readers() { return readers; }

    /** The writer holding it, or null. */
    public final Task writer() { return writer; }

    @Override String holderDescription() {
        if (writer != null) return "write-held by " + writer;
        if (readers > 0) return readers + " reader" + (readers > 1 ? "s" : "");
        return "free";
    }
}
