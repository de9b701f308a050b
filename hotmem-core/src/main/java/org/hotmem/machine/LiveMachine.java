package org.hotmem.machine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hotmem.kernel.Task;

/**
 * A booted {@link Machine} served live, with virtual time paced to the wall clock: the mode of
 * {@code hotmem mount}, {@code exec}, {@code serve} and the dashboard. The deterministic modes
 * ({@code run}, {@code shell FILE.scn}, {@code conformance}) never use it.
 *
 * <p>Protocol: one owner thread ({@code hotmem-live}) owns the machine; nothing else touches it.
 * Other threads submit requests, each answered by a future:
 * <ul>
 * <li>{@link #call} runs a function on the owner thread between kernel runs (outside any task):
 *     QMP commands, kernfs lookups, workload allocations;
 * <li>{@link #inTask} runs a function inside a new user task, as a process's system call would
 *     (sysfs reads and writes: a store may take locks and sleep, an offline may retry for
 *     minutes). Its {@link GuestCall#signal} sends the task a signal, as a shell's SIGINT does to
 *     a blocked writer: an interruptible wait in the kernel ends with EINTR.
 * </ul>
 * Requests run in submission order. Between them virtual time follows the wall clock times
 * {@link #speed()}: {@code virtual = anchorVirtual + (wallNow - anchorWall) * speed}; the
 * machine is run in slices of at most {@link #SLICE_WALL_NS} of wall time, so a request waits at
 * most one slice. When the model is slower than the wall clock, virtual time lags and does not
 * catch up in a burst larger than one slice at a time. {@link #pause()} stops virtual time (tasks
 * that can run at the current instant still run, so requests are still served), {@link #step}
 * lets a given amount pass, {@link #resume()} re-anchors to the wall clock.
 *
 * <p>Kernel log lines and QMP events are drained by the owner thread after every slice and handed
 * to the subscribers ({@link #onKernelLog}, {@link #onEvent}) on that thread: callbacks must be
 * quick and must not wait for a future of this machine.
 *
 * <p>A model failure (a task body that threw, a livelock) stops the machine: every pending and
 * later request fails with an {@link IllegalStateException} naming the cause ({@link #failure()}).
 *
 * <p>Fields: {@code queue}, the subscriber lists and the volatile fields are thread-safe; every
 * other field is confined to the owner thread.
 */
public final class LiveMachine implements AutoCloseable {
    /** Longest stretch of wall time the owner runs the kernel without looking at the queue. */
    public static final long SLICE_WALL_NS = 2_000_000L;

    private final Machine machine;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final List<Consumer<String>> logSubscribers = new CopyOnWriteArrayList<>();
    private final List<Consumer<ObjectNode>> eventSubscribers = new CopyOnWriteArrayList<>();
    private final Thread owner;
    /** Tasks spawned by {@link #inTask} that have not been answered yet (owner thread). */
    private final List<GuestCall<?>> running = new ArrayList<>();

    private volatile boolean stopping;
    private volatile RuntimeException failure;
    private volatile long virtualNow;
    private volatile double speed;
    private volatile boolean paused;
    /** Wall and virtual time of the last anchoring (owner thread). */
    private long anchorWall;
    private long anchorVirtual;
    /** Virtual time still to let pass while paused ({@link #step}; owner thread). */
    private long stepBudget;
    private final List<CompletableFuture<Long>> stepWaiters = new ArrayList<>();

    private LiveMachine(Machine machine, double speed) {
        this.machine = machine;
        this.speed = checkSpeed(speed);
        this.virtualNow = machine.kernel().now();
        this.owner = Thread.ofPlatform().name("hotmem-live").daemon(true).unstarted(this::loop);
    }

    /**
     * Starts serving {@code machine}, pacing virtual time at {@code speed} virtual seconds per wall
     * second. The machine is handed over: from now on only the owner thread touches it.
     */
    public static LiveMachine start(Machine machine, double speed) {
        return start(machine, speed, null, null);
    }

    /**
     * {@link #start(Machine, double)} with a kernel-log and an event subscriber in place before the
     * first slice runs, so they miss nothing (either may be null).
     */
    public static LiveMachine start(Machine machine, double speed, Consumer<String> kernelLog, Consumer<ObjectNode> events) {
        LiveMachine live = new LiveMachine(Objects.requireNonNull(machine, "machine"), speed);
        if (kernelLog != null) {
            live.logSubscribers.add(kernelLog);
        }
        if (events != null) {
            live.eventSubscribers.add(events);
        }
        live.owner.start();
        return live;
    }

    // ---------------------------------------------------------------- requests

    /** Runs {@code request} on the owner thread, outside any task, and completes with its result. */
    public <T> CompletableFuture<T> call(Function<Machine, T> request) {
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(f, () -> {
            try {
                f.complete(request.apply(machine));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * Runs {@code body} in a new user task {@code name} (a process doing a system call). The
     * future completes with the body's result, or exceptionally with the
     * {@link org.hotmem.kernel.KernelException} it threw (the errno the system call returns).
     */
    public <T> GuestCall<T> inTask(String name, Function<Machine, T> body) {
        GuestCall<T> c = new GuestCall<>(this);
        submit(c.future, () -> {
            c.task = machine.kernel().spawn(name, 0, () -> {
                try {
                    c.result = body.apply(machine);
                } catch (org.hotmem.kernel.KernelException e) {
                    c.error = e;
                } finally {
                    c.finished = true;
                }
            });
            running.add(c);
        });
        return c;
    }

    /** One QMP command; the reply as QEMU gives it ({@code return} or {@code error}). */
    public CompletableFuture<ObjectNode> qmp(String execute, ObjectNode args) {
        return call(m -> m.qmp(execute, args));
    }

    private void submit(CompletableFuture<?> f, Runnable r) {
        RuntimeException e = failure;
        if (e != null) {
            f.completeExceptionally(new IllegalStateException("machine failed: " + e.getMessage(), e));
            return;
        }
        if (stopping) {
            f.completeExceptionally(new IllegalStateException("machine stopped"));
            return;
        }
        queue.add(new Request(f, r));
        if (stopping) { // close() raced with us: make sure nobody waits forever
            failQueued(new IllegalStateException("machine stopped"));
        }
    }

    /** A queued request: what to run on the owner thread, and the future to fail if it never runs. */
    private record Request(CompletableFuture<?> future, Runnable body) {
    }

    /** A request running in a task: its answer and the signal that interrupts it. */
    public static final class GuestCall<T> {
        private final LiveMachine live;
        private final CompletableFuture<T> future = new CompletableFuture<>();
        // owner thread only:
        private Task task;
        private T result;
        private RuntimeException error;
        private boolean finished;

        private GuestCall(LiveMachine live) {
            this.live = live;
        }

        /** Completes when the task has finished. */
        public CompletableFuture<T> future() {
            return future;
        }

        /** Sends {@code sig} to the task (as kill(2) would); nothing if it has finished. */
        public void signal(int sig) {
            live.call(m -> {
                if (task != null && !finished) {
                    m.kernel().sendSignal(task, sig);
                }
                return null;
            });
        }

        private boolean answer() {
            if (!finished) {
                return false;
            }
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(result);
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- subscriptions and time

    /** Calls {@code subscriber} with every kernel log line printed from now on (owner thread). */
    public AutoCloseable onKernelLog(Consumer<String> subscriber) {
        logSubscribers.add(subscriber);
        return () -> logSubscribers.remove(subscriber);
    }

    /** Calls {@code subscriber} with every QMP event from now on, {@code {"timestamp", "event", "data"}} (owner thread). */
    public AutoCloseable onEvent(Consumer<ObjectNode> subscriber) {
        eventSubscribers.add(subscriber);
        return () -> eventSubscribers.remove(subscriber);
    }

    /** The virtual time (ns of guest uptime) at the end of the last slice. */
    public long now() {
        return virtualNow;
    }

    public double speed() {
        return speed;
    }

    /** Virtual seconds per wall second from now on. */
    public void setSpeed(double newSpeed) {
        double s = checkSpeed(newSpeed);
        call(m -> {
            anchor();
            speed = s;
            return null;
        });
    }

    public boolean paused() {
        return paused;
    }

    /** Stops virtual time; requests are still served at the current instant. */
    public void pause() {
        call(m -> {
            paused = true;
            return null;
        });
    }

    /** Lets virtual time follow the wall clock again, from where it stands. */
    public void resume() {
        call(m -> {
            anchor();
            paused = false;
            return null;
        });
    }

    /**
     * While paused, lets {@code ns} of virtual time pass as fast as the model can; completes with
     * the virtual time reached. Running, it completes at once.
     */
    public CompletableFuture<Long> step(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("step: negative duration " + ns);
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        submit(f, () -> {
            if (!paused) {
                f.complete(machine.kernel().now());
                return;
            }
            stepBudget += ns;
            stepWaiters.add(f);
        });
        return f;
    }

    /** The failure that stopped the machine, or null. */
    public RuntimeException failure() {
        return failure;
    }

    /** Stops the owner thread (pending requests fail) and waits for it. */
    @Override
    public void close() {
        stopping = true;
        owner.interrupt();
        try {
            owner.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the owner thread

    private void loop() {
        anchor();
        try {
            while (!stopping) {
                for (Request r; (r = queue.poll()) != null; ) {
                    r.body().run();
                }
                boolean behind = runSlice();
                answerFinished();
                publish();
                if (!behind) {
                    Request r = queue.poll(SLICE_WALL_NS, TimeUnit.NANOSECONDS);
                    if (r != null) {
                        r.body().run();
                    }
                }
            }
        } catch (InterruptedException e) {
            // close()
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            shutDown();
        }
    }

    /** Runs the kernel up to where the wall clock says; returns true if virtual time is still behind. */
    private boolean runSlice() {
        var kernel = machine.kernel();
        long now = kernel.now();
        long target;
        if (paused) {
            target = now + stepBudget;
        } else {
            long wall = System.nanoTime();
            target = anchorVirtual + (long) ((wall - anchorWall) * speed);
        }
        long maxSlice = Math.max(1_000_000L, (long) (SLICE_WALL_NS * speed));
        long d = Math.max(0, Math.min(target - now, maxSlice));
        kernel.runFor(d);
        long reached = kernel.now();
        virtualNow = reached;
        if (paused) {
            stepBudget = Math.max(0, stepBudget - (reached - now));
            if (stepBudget == 0 && !stepWaiters.isEmpty()) {
                stepWaiters.forEach(f -> f.complete(reached));
                stepWaiters.clear();
            }
            return stepBudget > 0;
        }
        return reached < target;
    }

    private void answerFinished() {
        running.removeIf(GuestCall::answer);
    }

    private void publish() {
        List<String> log = machine.drainKernelLog();
        if (!log.isEmpty()) {
            for (Consumer<String> s : logSubscribers) {
                log.forEach(s);
            }
        }
        List<ObjectNode> events = machine.drainEvents();
        if (!events.isEmpty()) {
            for (Consumer<ObjectNode> s : eventSubscribers) {
                events.forEach(s);
            }
        }
    }

    private void anchor() {
        anchorWall = System.nanoTime();
        anchorVirtual = machine.kernel().now();
    }

    private void shutDown() {
        RuntimeException f = failure;
        IllegalStateException why = f != null
                ? new IllegalStateException("machine failed: " + f.getMessage(), f)
                : new IllegalStateException("machine stopped");
        stopping = true;
        for (GuestCall<?> c : running) {
            c.future.completeExceptionally(why);
        }
        running.clear();
        stepWaiters.forEach(s -> s.completeExceptionally(why));
        failQueued(why);
    }

    private void failQueued(IllegalStateException why) {
        for (Request r; (r = queue.poll()) != null; ) {
            r.future().completeExceptionally(why);
        }
    }

    private static double checkSpeed(double s) {
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("speed must be a positive number, got " + s);
        }
        return s;
    }
}
