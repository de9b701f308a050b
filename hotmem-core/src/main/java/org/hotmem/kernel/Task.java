package org.hotmem.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A simulated task (struct task_struct): a user process or a kernel thread running sequential
 * kernel code under the {@link Kernel}'s scheduler.
 *
 * <p>Invariants: exactly one task of a kernel runs at a time (the kernel's {@code current});
 * a task is in the run queue iff its state is {@link State#RUNNING}; a {@link State#DEAD} task
 * never runs again. Every field is guarded by the kernel's single-runner discipline: only the
 * running task (or the driver, when no task runs) reads or writes it.
 */
public final class Task {
    /** Task states, with the letter {@code ps} and sysrq-t print. */
    public enum State {
        /** TASK_RUNNING: runnable or running (R). */
        RUNNING('R'),
        /** TASK_INTERRUPTIBLE: sleeping, a signal wakes it (S). */
        INTERRUPTIBLE('S'),
        /** TASK_UNINTERRUPTIBLE: sleeping, only the awaited event wakes it (D). */
        UNINTERRUPTIBLE('D'),
        /** EXIT_DEAD (X). */
        DEAD('X');

        private final char letter;
        State(char letter) { this.letter = letter; }
        public char letter() { return letter; }
    }

    // Task flags, with the values of include/linux/sched.h (6.1).
    /** PF_EXITING: getting shut down. */
    public static final int PF_EXITING = 0x00000004;
    /** PF_WQ_WORKER: a workqueue worker. */
    public static final int PF_WQ_WORKER = 0x00000020;
    /** PF_MEMALLOC: allocating memory to free memory. */
    public static final int PF_MEMALLOC = 0x00000800;
    /** PF_NOFREEZE: this thread should not be frozen. */
    public static final int PF_NOFREEZE = 0x00008000;
    /** PF_KTHREAD: a kernel thread. */
    public static final int PF_KTHREAD = 0x00200000;
    /** PF_SUSPEND_TASK: this thread called freeze_processes() and should not be frozen. */
    public static final int PF_SUSPEND_TASK = 0x80000000;

    // Signal numbers (x86 asm/signal.h).
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGTERM = 15;
    public static final int SIGSTOP = 19;

    final Kernel kernel;
    final int pid;
    final String name;
    final Runnable body;
    final Task parent;
    int flags;

    State state = State.RUNNING;
    /** What a sleeping task waits for (for reports); null while running. */
    WaitChannel waitChannel;
    /** Set when a wakeup made the task runnable again; cleared when it goes to sleep. */
    boolean woken;
    long pendingSignals;
    int exitCode;
    boolean kthreadShouldStop;
    /** preempt_count analogue: > 0 while holding a spinlock or running a timer callback. */
    int atomicDepth;
    /** Locks held, oldest first (lockdep's held_locks). */
    HeldLock[] held = new HeldLock[8];
    int heldDepth;
    /** Dispatcher-private state: the task's continuation or thread. */
    Object carrier;
    /** Strategy-private state (PCT priority). */
    int schedPriority;
    /** Waiters for this task's exit. */
    WaitQueue exitWaiters;
    /** The current sleep is freezable (TASK_FREEZABLE set with the sleep state). */
    boolean freezableSleep;
    /** TASK_FROZEN: in the refrigerator, or (with frozenInPlace) frozen in a freezable sleep. */
    boolean frozen;
    /** Frozen where it slept; its sleep state is the saved state __thaw_task() restores. */
    boolean frozenInPlace;
    /** A wakeup arrived while frozen in place; delivered at thaw. */
    boolean wokenWhileFrozen;
    /** TIF_SIGPENDING set by the freezer's fake_signal_wake_up(), no signal queued. */
    boolean fakeSignal;
    /** JOBCTL_TRAP_FREEZE: the task's cgroup (v2) is frozen. */
    boolean cgroupFreezing;

    Task(Kernel kernel, int pid, String name, int flags, Runnable body, Task parent) {
        this.kernel = kernel;
        this.pid = pid;
        this.name = name;
        this.flags = flags;
        this.body = body;
        this.parent = parent;
    }

    public int pid() { return pid; }
    /** The comm, as in /proc/PID/comm. */
    public String name() { return name; }

    /** The command name after exec (task->comm, __set_task_comm()); the spawn name until a program is exec'd. */
    private String comm;

    /** Models __set_task_comm() at exec. */
    public void setComm(String c) { this.comm = c; }

    /** task->comm. */
    public String comm() { return comm != null ? comm : name; }
    public int flags() { return flags; }
    public boolean hasFlag(int flag) { return (flags & flag) != 0; }
    public void setFlag(int flag) { flags |= flag; }
    public void clearFlag(int flag) { flags &= ~flag; }
    public boolean isKthread() { return (flags & PF_KTHREAD) != 0; }
    public State state() { return state; }
    public boolean isDead() { return state == State.DEAD; }
    /** The parent (the task that spawned this one), or null when spawned from outside. */
    public Task parent() { return parent; }
    public Kernel kernel() { return kernel; }

    /**
     * The exit code: 0 when the body returned normally, {@code -errno} when it ended with a
     * {@link KernelException}.
     *
     * @throws IllegalStateException while the task is alive
     */
    public int exitCode() {
        if (state != State.DEAD) throw new IllegalStateException(this + " has not exited");
        return exitCode;
    }

    /** Whether a signal is pending (signal_pending()): a queued one, or the freezer's fake one. */
    public boolean signalPending() { return pendingSignals != 0 || fakeSignal; }

    /** frozen(p): the task is in TASK_FROZEN. */
    public boolean isFrozen() { return frozen; }

    /** The thread-info flags sched_show_task() prints (TIF_SIGPENDING when a signal is pending). */
    public int threadInfoFlags() { return signalPending() ? Freezer.TIF_SIGPENDING : 0; }

    /** Whether SIGKILL is pending (fatal_signal_pending()). */
    public boolean fatalSignalPending() { return (pendingSignals & (1L << SIGKILL)) != 0; }

    /** The signals pending, as a bit mask (bit n for signal n). */
    public long pendingSignals() { return pendingSignals; }

    /** Models flush_signals(): discards every pending signal. */
    public void flushSignals() { pendingSignals = 0; }

    /** The lock classes held, oldest first, as lockdep names them. */
    public List<String> heldLocks() {
        List<String> out = new ArrayList<>(heldDepth);
        for (int i = 0; i < heldDepth; i++) out.add(held[i].lock().lockClass.name);
        return out;
    }

    /** What the task is waiting for, or null if it is not sleeping. */
    public String waitingFor() { return waitChannel == null ? null : waitChannel.describeWait(); }

    /** {@code name/pid}, the way lockdep names a task. */
    @Override public String toString() { return name + "/" + pid; }

    void pushHeld(HeldLock h) {
        if (heldDepth == held.length) held = java.util.Arrays.copyOf(held, heldDepth * 2);
        held[heldDepth++] = h;
    }
}
