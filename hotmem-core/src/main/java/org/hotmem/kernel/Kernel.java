package org.hotmem.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * One simulated kernel: its tasks, the deterministic scheduler, the virtual clock, timers, the
 * log and lockdep. Never static; several kernels may run in one JVM, each driven by one thread
 * at a time.
 *
 * <p><b>Protocol.</b> Code outside any task (a test, the machine) drives the simulation with
 * {@link #runUntilIdle()}, {@link #runUntil(BooleanSupplier)} or {@link #runFor(long)}. Inside,
 * exactly one task runs at a time; it gives up the CPU only at a scheduling point (a lock
 * operation, a sleep, a wait, {@link #preemptionPoint()}, exit), where the
 * {@link SchedulingStrategy} picks the next task among the runnable ones (the current one
 * included). Virtual time advances only when no task is runnable: it jumps to the earliest
 * pending timer, so {@code msleep(20_000)} costs nothing.
 *
 * <p><b>Invariants.</b> {@code runq[0..nrRunning)} holds exactly the tasks in state RUNNING,
 * ordered by pid; {@code current} is the task holding the CPU, or null while the driver runs;
 * {@code now} never decreases. All fields are guarded by this single-runner discipline (the
 * {@link Dispatcher} hands over the CPU with a happens-before edge), so no field is locked.
 */
public final class Kernel {
    /** How tasks are suspended and resumed (see {@code ./bench} for their costs). */
    public enum Carrier {
        /** jdk.internal.vm.Continuation on the driver's thread (needs --add-exports java.base/jdk.internal.vm=ALL-UNNAMED). */
        CONTINUATION,
        /** One virtual thread per task, baton handed task to task. */
        VIRTUAL_THREAD,
        /** One platform thread per task, baton handed task to task. */
        PLATFORM_THREAD;

        /**
         * The default: the {@code hotmem.carrier} system property (continuation,
         * virtual-thread, platform-thread) if set, else CONTINUATION when accessible, else
         * VIRTUAL_THREAD.
         */
        public static Carrier defaultCarrier() {
            String p = System.getProperty("hotmem.carrier");
            if (p != null && !p.isEmpty()) {
                return switch (p) {
                    case "continuation" -> CONTINUATION;
                    case "virtual-thread", "virtual" -> VIRTUAL_THREAD;
                    case "platform-thread", "platform" -> PLATFORM_THREAD;
                    default -> throw new IllegalArgumentException(
                            "hotmem.carrier: expected continuation, virtual-thread or platform-thread, found '" + p + "'");
                };
            }
            return continuationAvailable() ? CONTINUATION : VIRTUAL_THREAD;
        }

        /** Whether jdk.internal.vm.Continuation is usable in this JVM. */
        public static boolean continuationAvailable() { return ContinuationDispatcher.AVAILABLE; }
    }

    private static final long NS_PER_MS = 1_000_000L;

    private final SchedulingStrategy strategy;
    private final Dispatcher dispatcher;
    private final Dmesg dmesg;
    private final Lockdep lockdep;
    private final ScheduleTrace trace;
    private final Freezer freezer = new Freezer(this);
    private String release = "6.12.0";
    private String version = "#1";

    private final List<Task> tasks = new ArrayList<>(); // index pid - 1
    private Task[] runq = new Task[16];
    private int nrRunning;
    private Task current;
    private long now;

    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) ->
            a.expires != b.expires ? Long.compare(a.expires, b.expires) : Long.compare(a.seq, b.seq));
    private long timerSeq;
    private Task ksoftirqd;
    private final ArrayDeque<Timer> softirqPending = new ArrayDeque<>();
    private final WaitChannel softirqIdle = () -> "softirq work";
    private Workqueue systemWq;

    private long pointsSinceTimeAdvanced; // scheduling points at the current instant
    private long livelockLimit = 200_000_000L;
    private BooleanSupplier stopCondition; // while driving: stop when it holds
    private boolean driving;
    /** The machine is powered off: nothing runs and time stands still until {@link #unhalt()}. */
    private boolean halted;
    private TaskFailedException failure;
    private ProcessMemory processMemory = () -> () -> { };

    /** A kernel whose interleavings are chosen by {@code strategy}, on the default carrier. */
    public Kernel(SchedulingStrategy strategy) {
        this(strategy, Carrier.defaultCarrier());
    }

    public Kernel(SchedulingStrategy strategy, Carrier carrier) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.dispatcher = switch (Objects.requireNonNull(carrier, "carrier")) {
            case CONTINUATION -> new ContinuationDispatcher(this);
            case VIRTUAL_THREAD -> new ThreadDispatcher(this, true);
            case PLATFORM_THREAD -> new ThreadDispatcher(this, false);
        };
        this.dmesg = new Dmesg(this, 1 << 15);
        this.lockdep = new Lockdep(this);
        this.trace = new ScheduleTrace(this);
    }

    /** A kernel with seeded random scheduling. */
    public static Kernel withSeed(long seed) { return new Kernel(SchedulingStrategy.random(seed)); }

    // ---------------------------------------------------------------- accessors

    public Dmesg dmesg() { return dmesg; }
    public Lockdep lockdep() { return lockdep; }
    public ScheduleTrace trace() { return trace; }
    /** The task freezer's per-task state and mechanics (kernel/freezer.c). */
    public Freezer freezer() { return freezer; }
    public SchedulingStrategy strategy() { return strategy; }
    /** The carrier mechanism in use: continuation, virtual-thread or platform-thread. */
    public String carrierName() { return dispatcher.name(); }

    /** Virtual time in nanoseconds since boot. */
    public long now() { return now; }

    /** The running task, or null when called from outside any task. */
    public Task current() { return current; }

    /** The task with this pid (dead ones included), or null. */
    public Task task(int pid) { return pid >= 1 && pid <= tasks.size() ? tasks.get(pid - 1) : null; }

    /** Every task ever spawned, by pid. */
    public List<Task> tasks() { return Collections.unmodifiableList(tasks); }

    /**
     * Models the end of kernel_power_off()/hibernation_platform_enter(): the CPU stops. Nothing
     * runs and virtual time stands still until {@link #unhalt()}; the running task stops at its
     * next scheduling point.
     */
    public void halt() { halted = true; }

    /** The machine runs again (its memory was restored from a hibernation image). */
    public void unhalt() { halted = false; }

    /** Whether the machine is powered off. */
    public boolean halted() { return halted; }

    /** Sets the uname release and version lockdep and oopses print ("6.1.0-18-amd64", "#1"). */
    public void setUname(String release, String version) {
        this.release = Objects.requireNonNull(release);
        this.version = Objects.requireNonNull(version);
    }

    /** {@code uname -r}. */
    public String release() { return release; }

    /** {@code uname -v}'s first word ("#1"). */
    public String unameVersion() { return version; }

    /** The line lockdep reports print under their title: "6.12.0 #1 Not tainted". */
    String kernelIdent() { return release + " " + version + " Not tainted"; }

    // ---------------------------------------------------------------- tasks

    /**
     * Creates a runnable task (kernel_clone()/kthread_run()); usable inside a task and from
     * outside. The new task first runs when the scheduler picks it.
     *
     * @param flags {@link Task#PF_KTHREAD}, {@link Task#PF_NOFREEZE}, ...; 0 for a user task. A
     *        kernel thread starts with PF_NOFREEZE, as kthreadd's children do; a freezable one
     *        calls {@link #setFreezable()}.
     */
    public Task spawn(String name, int flags, Runnable body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        if ((flags & Task.PF_KTHREAD) != 0) flags |= Task.PF_NOFREEZE;
        Task t = new Task(this, tasks.size() + 1, name, flags, body, current);
        tasks.add(t);
        strategy.onSpawn(t);
        enqueue(t);
        return t;
    }

    /**
     * What a process's address space costs the kernel (kernel_clone()'s copy_mm() at fork,
     * exit_mm() at exit); the memory model attaches it once it is up.
     */
    public interface ProcessMemory {
        /** copy_mm() for a new process, inside it; returns its exit_mm(). */
        Runnable copyMm();
    }

    /** Attaches the memory model's process costs (once, when mm is up). */
    public void setProcessMemory(ProcessMemory processMemory) {
        this.processMemory = Objects.requireNonNull(processMemory, "processMemory");
    }

    /**
     * Creates a user process (fork + exec of a program, e.g. a guest's {@code sh -c}): a user
     * task with its own address space, allocated by {@link ProcessMemory#copyMm()} when it
     * starts and freed when {@code body} returns or throws.
     */
    public Task spawnProcess(String name, Runnable body) {
        Objects.requireNonNull(body, "body");
        return spawn(name, 0, () -> {
            Runnable exitMm = processMemory.copyMm();
            try {
                body.run();
            } finally {
                exitMm.run();
            }
        });
    }

    /** Models kthread_run(): a kernel thread. */
    public Task kthreadRun(String name, Runnable body) { return spawn(name, Task.PF_KTHREAD, body); }

    /**
     * Models kthread_stop(): asks {@code t} to stop (kthreadShouldStop() turns true), wakes it
     * and waits for it to exit; returns its exit code. Inside a task only.
     */
    public int kthreadStop(Task t) {
        t.kthreadShouldStop = true;
        wakeUpProcess(t);
        waitForExit(t);
        return t.exitCode;
    }

    /** Models set_freezable(): the current kernel thread may be frozen (it calls try_to_freeze()). */
    public void setFreezable() { cur("set_freezable").flags &= ~Task.PF_NOFREEZE; }

    /** Models try_to_freeze() for the current task. */
    public boolean tryToFreeze() { return freezer.tryToFreeze(); }

    /** Models kthread_should_stop(). */
    public boolean kthreadShouldStop() { return cur("kthread_should_stop").kthreadShouldStop; }

    /** Sleeps (uninterruptibly) until {@code t} has exited. Inside a task only. */
    public void waitForExit(Task t) {
        if (t.isDead()) return;
        if (t.exitWaiters == null) t.exitWaiters = new WaitQueue(this, "exit of " + t);
        t.exitWaiters.waitEvent(t::isDead);
    }

    void taskMain(Task t) {
        try {
            t.body.run();
            t.exitCode = 0;
        } catch (KernelException e) {
            t.exitCode = e.ret();
        } catch (Throwable e) {
            t.exitCode = Errno.EFAULT.neg();
            fail(t, e);
        }
        doExit(t);
    }

    /** Models do_exit() for a task whose body ended. */
    private void doExit(Task t) {
        t.flags |= Task.PF_EXITING;
        if (t.heldDepth > 0 && failure == null) {
            if (t.isKthread()) lockdep.exitWithLocksHeld(t);
            else lockdep.returnToUserWithLocksHeld(t);
        }
        if (t.state == Task.State.RUNNING) dequeue(t);
        t.state = Task.State.DEAD;
        if (t.exitWaiters != null) t.exitWaiters.wakeUpAll();
        Task next = pickNextOrFail(t);
        if (next != null) trace.recordSwitch(now, next.pid, ScheduleTrace.EXIT);
        current = next;
        dispatcher.exit(t, next);
    }

    // ---------------------------------------------------------------- driving (outside any task)

    /**
     * Runs until no task is runnable and no timer is pending. Returns a deadlock report if some
     * task is left sleeping on a lock or in an uninterruptible wait; tasks sleeping
     * interruptibly (idle kernel threads, workers waiting for work) are not a deadlock.
     *
     * @throws TaskFailedException if a task's body threw (other than KernelException)
     */
    public Optional<DeadlockReport> runUntilIdle() {
        drive(null, Long.MAX_VALUE);
        return deadlockReport();
    }

    /**
     * Runs until {@code condition} holds (checked at every scheduling point and whenever time
     * advances) and returns true; returns false if the system goes idle (nothing runnable, no
     * timer pending) first; {@link #deadlockReport()} then says who is stuck.
     */
    public boolean runUntil(BooleanSupplier condition) {
        return drive(Objects.requireNonNull(condition), Long.MAX_VALUE);
    }

    /** Lets {@code ns} of virtual time pass: runs every task and timer due until then. */
    public void runFor(long ns) {
        if (ns < 0) throw new IllegalArgumentException("runFor: negative duration " + ns);
        long deadline = now + ns;
        if (deadline < 0) deadline = Long.MAX_VALUE;
        drive(null, deadline);
        if (now < deadline && !halted) now = deadline;
    }

    private boolean drive(BooleanSupplier cond, long deadline) {
        if (current != null) throw new IllegalStateException("run* called from inside task " + current);
        if (driving) throw new IllegalStateException("run* called re-entrantly (from a stop condition or timer?)");
        driving = true;
        stopCondition = cond;
        try {
            for (;;) {
                if (failure != null) throw failure;
                if (cond != null && cond.getAsBoolean()) return true;
                if (halted) return false;
                Task next = pickNext(null);
                if (next != null) {
                    trace.recordSwitch(now, next.pid, ScheduleTrace.START);
                    current = next;
                    dispatcher.runFromDriver(next);
                    current = null;
                    continue;
                }
                if (failure != null) throw failure;
                if (!advanceTime(deadline)) return cond != null && cond.getAsBoolean();
            }
        } finally {
            current = null;
            driving = false;
            stopCondition = null;
        }
    }

    /** Jumps to the earliest timer due by {@code deadline} and fires every timer due then. */
    private boolean advanceTime(long deadline) {
        Timer first = timers.peek();
        if (first == null || first.expires > deadline) return false;
        if (first.expires > now) {
            now = first.expires;
            pointsSinceTimeAdvanced = 0;
        }
        while ((first = timers.peek()) != null && first.expires <= now) {
            timers.poll();
            first.pending = false;
            fire(first);
        }
        return true;
    }

    private void fire(Timer t) {
        switch (t.kind) {
            case Timer.WAKE_TASK -> wakeUpProcess(t.task);
            case Timer.INTERNAL -> t.fn.run();
            default -> {
                softirqPending.add(t);
                if (ksoftirqd == null) ksoftirqd = spawn("ksoftirqd/0", Task.PF_KTHREAD, this::ksoftirqdMain);
                else wakeUpProcess(ksoftirqd);
            }
        }
    }

    private void ksoftirqdMain() {
        Task me = current;
        for (;;) {
            Timer t;
            while ((t = softirqPending.poll()) != null) {
                me.atomicDepth++;
                try {
                    t.fn.run();
                } finally {
                    me.atomicDepth--;
                }
            }
            sleep(softirqIdle, Task.State.INTERRUPTIBLE);
        }
    }

    /**
     * The deadlock report for the current state, if any task sleeps on a lock or
     * uninterruptibly while nothing is runnable and no timer is pending.
     */
    public Optional<DeadlockReport> deadlockReport() {
        if (nrRunning > 0 || !timers.isEmpty() || halted) return Optional.empty();
        List<Task> blocked = new ArrayList<>();
        boolean stuck = false;
        for (Task t : tasks) {
            if (t.state == Task.State.DEAD || t.state == Task.State.RUNNING) continue;
            if (t == ksoftirqd || (t.waitChannel instanceof Workqueue.Idle) || t.frozen) continue;
            blocked.add(t);
            if (t.state == Task.State.UNINTERRUPTIBLE || t.waitChannel instanceof LockBase) stuck = true;
        }
        if (!stuck) return Optional.empty();
        List<String> lines = new ArrayList<>();
        lines.add("hotmem: deadlock: no runnable task and no pending timer at " + Dmesg.timestamp(now));
        for (Task t : blocked) {
            lines.add(String.format("task:%-15s state:%c pid:%-5d ppid:%-5d flags:0x%08x",
                    t.name, t.state.letter(), t.pid, t.parent == null ? 0 : t.parent.pid, t.flags));
            lines.add("  waiting for " + t.waitingFor());
        }
        lines.add("");
        lines.add("Showing all locks held in the system:");
        for (Task t : tasks) {
            if (t.heldDepth == 0) continue;
            lockdep.printHeldLocks(t, lines);
        }
        lines.add("");
        lines.add("=============================================");
        return Optional.of(new DeadlockReport(now, blocked, lines));
    }

    // ---------------------------------------------------------------- scheduling core

    private Task pickNext(Task prev) {
        if (failure != null) return null;
        if (++pointsSinceTimeAdvanced > livelockLimit && prev != null) {
            failure = new TaskFailedException(prev, new IllegalStateException("livelock: " + livelockLimit
                    + " scheduling points at " + Dmesg.timestamp(now) + " without time advancing (a task that"
                    + " polls without sleeping never lets virtual time pass)"));
            return null;
        }
        if (stopCondition != null && stopCondition.getAsBoolean()) return null;
        if (halted) return null;
        int n = nrRunning;
        if (n == 0) return null;
        Task next;
        if (n == 1) {
            next = runq[0];
        } else {
            int i = strategy.pickNext(runq, n, prev);
            if (i < 0 || i >= n) throw new IllegalStateException(strategy + " picked index " + i + " of " + n);
            next = runq[i];
            trace.recordDecision(next.pid);
        }
        return next;
    }

    /** pickNext() in a task's context: a strategy failure (replay divergence) fails the run in the task's name. */
    private Task pickNextOrFail(Task prev) {
        try {
            return pickNext(prev);
        } catch (RuntimeException e) {
            fail(prev, e);
            return null;
        }
    }

    /** Records that {@code t} failed (the first failure wins); the driver throws it. */
    void fail(Task t, Throwable e) {
        if (failure == null) failure = new TaskFailedException(t, e);
    }

    /** A scheduling point in the current task: the strategy may switch to another task. */
    void schedule(byte reason) {
        Task prev = current;
        Task next = pickNextOrFail(prev);
        if (next == prev) return;
        if (next != null) trace.recordSwitch(now, next.pid, reason);
        current = next;
        dispatcher.switchTo(prev, next);
    }

    /** Puts the current task to sleep on {@code channel} until a wakeup (or signal, if interruptible). */
    void sleep(WaitChannel channel, Task.State state) { sleep(channel, state, false); }

    /** As {@link #sleep(WaitChannel, Task.State)}; {@code freezable} adds TASK_FREEZABLE to the state. */
    void sleep(WaitChannel channel, Task.State state, boolean freezable) {
        Task t = current;
        if (t == null) throw new IllegalStateException("sleeping outside any task");
        t.state = state;
        t.waitChannel = channel;
        t.woken = false;
        t.freezableSleep = freezable;
        dequeue(t);
        schedule(ScheduleTrace.BLOCK);
        t.freezableSleep = false;
        t.waitChannel = null;
    }

    /**
     * Sleeps at most {@code ns}; returns the time left (0 if the timeout expired). Models
     * schedule_timeout() with the task state already set.
     */
    long sleepTimeout(WaitChannel channel, Task.State state, long ns) { return sleepTimeout(channel, state, ns, false); }

    long sleepTimeout(WaitChannel channel, Task.State state, long ns, boolean freezable) {
        Task t = current;
        Timer timer = new Timer(this, Timer.WAKE_TASK, null, t);
        armTimer(timer, ns);
        sleep(channel, state, freezable);
        delTimer(timer);
        return Math.max(0, timer.expires - now);
    }

    /**
     * Models wake_up_process(): makes a sleeping task runnable; returns whether it was asleep. A
     * frozen task (TASK_FROZEN) is not woken: a task frozen in a freezable sleep gets the wakeup
     * when it is thawed.
     */
    public boolean wakeUpProcess(Task t) {
        if (t.state != Task.State.INTERRUPTIBLE && t.state != Task.State.UNINTERRUPTIBLE) return false;
        if (t.frozen) {
            if (t.frozenInPlace) t.wokenWhileFrozen = true;
            return false;
        }
        t.state = Task.State.RUNNING;
        t.woken = true;
        enqueue(t);
        return true;
    }

    private void enqueue(Task t) {
        if (nrRunning == runq.length) runq = java.util.Arrays.copyOf(runq, nrRunning * 2);
        int i = nrRunning;
        while (i > 0 && runq[i - 1].pid > t.pid) {
            runq[i] = runq[i - 1];
            i--;
        }
        runq[i] = t;
        nrRunning++;
    }

    private void dequeue(Task t) {
        for (int i = 0; i < nrRunning; i++) {
            if (runq[i] == t) {
                System.arraycopy(runq, i + 1, runq, i, nrRunning - i - 1);
                runq[--nrRunning] = null;
                return;
            }
        }
        throw new IllegalStateException(t + " not on the run queue");
    }

    Task cur(String what) {
        Task t = current;
        if (t == null) throw new IllegalStateException(what + "() called outside any task");
        return t;
    }

    /**
     * Models might_sleep(): sleeping in atomic context (a spinlock held, a timer callback) is
     * reported as "BUG: sleeping function called from invalid context".
     */
    void mightSleep(String function) {
        Task t = cur(function);
        if (t.atomicDepth > 0) lockdep.sleepingInAtomic(t, function);
    }

    // ---------------------------------------------------------------- inside a task

    /** Models cond_resched(): an explicit preemption point (long loops: per pageblock or section). */
    public void preemptionPoint() {
        cur("cond_resched");
        schedule(ScheduleTrace.PREEMPT);
    }

    /** Models yield(). */
    public void yield() { preemptionPoint(); }

    /** Models msleep(): sleeps uninterruptibly for {@code ms} milliseconds of virtual time. */
    public void msleep(long ms) {
        scheduleTimeoutUninterruptible(ms * NS_PER_MS);
    }

    /** Models msleep_interruptible(): returns the milliseconds left when a signal woke the task early. */
    public long msleepInterruptible(long ms) {
        long left = scheduleTimeoutInterruptible(ms * NS_PER_MS);
        return (left + NS_PER_MS - 1) / NS_PER_MS;
    }

    /** Models ssleep(). */
    public void ssleep(long seconds) { msleep(seconds * 1000); }

    /**
     * Models schedule_timeout_uninterruptible(): sleeps {@code ns} of virtual time.
     * Returns 0 (the time left, as Linux does).
     */
    public long scheduleTimeout(long ns) { return scheduleTimeoutUninterruptible(ns); }

    /** Models schedule_timeout_uninterruptible(). */
    public long scheduleTimeoutUninterruptible(long ns) {
        mightSleep("schedule_timeout");
        long deadline = now + ns;
        WaitChannel ch = new SleepChannel(deadline);
        while (now < deadline) sleepTimeout(ch, Task.State.UNINTERRUPTIBLE, deadline - now);
        return 0;
    }

    /**
     * Models schedule_timeout_interruptible(): sleeps up to {@code ns}; a signal ends the sleep
     * early. Returns the ns left (0 if the whole time passed).
     */
    public long scheduleTimeoutInterruptible(long ns) {
        mightSleep("schedule_timeout");
        Task t = current;
        long deadline = now + ns;
        WaitChannel ch = new SleepChannel(deadline);
        while (now < deadline) {
            if (t.signalPending() && !freezer.freezeAndRestart(t)) break;
            sleepTimeout(ch, Task.State.INTERRUPTIBLE, deadline - now);
        }
        return Math.max(0, deadline - now);
    }

    /**
     * Models a user task's nanosleep() (hrtimer_nanosleep(), TASK_INTERRUPTIBLE | TASK_FREEZABLE
     * since 6.1): sleeps up to {@code ns}; the freezer freezes the task where it sleeps; a signal
     * ends the sleep early. Returns the ns left.
     */
    public long nanosleep(long ns) {
        mightSleep("hrtimer_nanosleep");
        Task t = current;
        long deadline = now + ns;
        WaitChannel ch = new SleepChannel(deadline);
        while (now < deadline) {
            if (t.signalPending() && !freezer.freezeAndRestart(t)) break;
            sleepTimeout(ch, Task.State.INTERRUPTIBLE, deadline - now, true);
        }
        return Math.max(0, deadline - now);
    }

    /**
     * Models sched_show_task(): the task line ({@code tgid:} since 6.6) and a call trace of the
     * sleep it is in.
     * // model: the call trace names the scheduler and the waiting function, without offsets.
     */
    public List<String> schedShowTask(Task t, boolean withTgid) {
        List<String> out = new ArrayList<>();
        String ids = withTgid
                ? String.format("pid:%-5d tgid:%-5d ppid:%-6d", t.pid, t.pid, t.parent == null ? 0 : t.parent.pid)
                : String.format("pid:%-5d ppid:%-6d", t.pid, t.parent == null ? 0 : t.parent.pid);
        out.add(String.format("task:%-15.15s state:%c stack:%-5d %s flags:0x%08x",
                t.name, t.state.letter(), 0, ids, t.threadInfoFlags()));
        out.add("Call Trace:");
        out.add(" <TASK>");
        if (t.state != Task.State.RUNNING) {
            out.add(" __schedule");
            out.add(" schedule");
            String fn = t.waitChannel == null ? null : t.waitChannel.symbol();
            if (fn != null) out.add(" " + fn);
        }
        out.add(" </TASK>");
        return out;
    }

    private record SleepChannel(long deadline) implements WaitChannel {
        @Override public String describeWait() { return "timeout until " + Dmesg.timestamp(deadline); }
    }

    /**
     * Charges {@code ns} of CPU time to the running task: the task stays busy (it does not
     * sleep, a signal does not cut the time short, and it may hold spinlocks) while virtual time
     * advances by {@code ns}; other tasks run meanwhile, as on the other CPUs of the guest. A
     * scheduling point. Used by code whose duration is the work it does (page migration,
     * scanning) rather than a wait.
     * // model: hotmem's tasks run as if each had its own CPU; a busy task never delays another.
     */
    public void consume(long ns) {
        cur("consume");
        if (ns <= 0) {
            schedule(ScheduleTrace.PREEMPT);
            return;
        }
        long deadline = now + ns;
        if (deadline < 0) deadline = Long.MAX_VALUE;
        WaitChannel ch = new BusyChannel(deadline);
        while (now < deadline) sleepTimeout(ch, Task.State.UNINTERRUPTIBLE, deadline - now);
    }

    private record BusyChannel(long until) implements WaitChannel {
        @Override public String describeWait() { return "running on a CPU until " + Dmesg.timestamp(until); }
    }

    /** Models signal_pending(current). */
    public boolean signalPending() { return cur("signal_pending").signalPending(); }

    /** Models fatal_signal_pending(current). */
    public boolean fatalSignalPending() { return cur("fatal_signal_pending").fatalSignalPending(); }

    /**
     * Models send_sig(): marks {@code sig} pending on {@code t} and wakes it if it sleeps
     * interruptibly (signal_wake_up()). Usable inside a task and from outside.
     */
    public void sendSignal(Task t, int sig) {
        if (sig < 1 || sig > 64) throw new IllegalArgumentException("signal number out of range: " + sig);
        if (t.isDead()) return;
        t.pendingSignals |= 1L << sig;
        if (t.state == Task.State.INTERRUPTIBLE) wakeUpProcess(t);
    }

    // ---------------------------------------------------------------- timers and work

    /**
     * Models timer_setup() + mod_timer(): {@code fn} runs {@code delayNs} from now, in softirq
     * context (it must not sleep). Usable inside a task and from outside.
     */
    public Timer addTimer(long delayNs, Runnable fn) {
        Timer t = new Timer(this, Timer.CALLBACK, Objects.requireNonNull(fn), null);
        armTimer(t, delayNs);
        return t;
    }

    /** An internal timer whose action runs directly when it fires (no task context: wakeups and queueing only). */
    Timer internalTimer(Runnable fn) { return new Timer(this, Timer.INTERNAL, fn, null); }

    /** Models the enqueue half of __mod_timer() (kernel/time/timer.c): arms {@code t} to fire after {@code delayNs}. */
    void armTimer(Timer t, long delayNs) {
        if (delayNs < 0) delayNs = 0;
        long e = now + delayNs;
        t.expires = e < 0 ? Long.MAX_VALUE : e;
        t.seq = timerSeq++;
        t.pending = true;
        timers.add(t);
    }

    boolean delTimer(Timer t) {
        if (!t.pending) return false;
        timers.remove(t);
        t.pending = false;
        return true;
    }

    /**
     * Sets how many scheduling points may pass at one instant of virtual time before the run
     * fails as a livelock (default 200 million; time only advances when every task sleeps).
     */
    public void setLivelockLimit(long points) {
        if (points < 1) throw new IllegalArgumentException("livelock limit must be positive: " + points);
        this.livelockLimit = points;
    }

    /** Whether any timer is pending. */
    public boolean timersPending() { return !timers.isEmpty(); }

    /** The system workqueue (system_wq), created on first use. */
    public Workqueue systemWq() {
        if (systemWq == null) systemWq = new Workqueue(this, "events");
        return systemWq;
    }

    /** Models schedule_work(): queues {@code work} on system_wq. */
    public boolean scheduleWork(Workqueue.Work work) { return systemWq().queueWork(work); }

    /** Models schedule_delayed_work(): queues {@code work} on system_wq after {@code delayNs}. */
    public boolean scheduleDelayedWork(Workqueue.DelayedWork work, long delayNs) {
        return systemWq().queueDelayedWork(work, delayNs);
    }

    @Override public String toString() {
        return "Kernel[" + release + ", " + strategy + ", " + dispatcher.name() + ", t=" + Dmesg.timestamp(now) + "]";
    }
}
