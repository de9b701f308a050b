package org.hotmem.bench;

import java.util.concurrent.TimeUnit;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.SchedulingStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Task switches per second of the kernel runtime, per carrier mechanism. Every operation is
 * one context switch between two simulated tasks (the score is switches/s).
 *
 * <ul>
 *   <li>{@code pingPong}: two tasks, round-robin, each yielding at a preemption point: every
 *       scheduling point is a switch (the pure handoff cost plus the scheduler's bookkeeping:
 *       strategy call, run queue, trace record).</li>
 *   <li>{@code mutexRandom}: four tasks contending on one mutex under the seeded random
 *       strategy; operations are the switches the trace recorded.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"})
@State(Scope.Thread)
public class TaskSwitchBenchmark {
    static final int ROUNDS = 50_000;

    @Param({"CONTINUATION", "VIRTUAL_THREAD", "PLATFORM_THREAD"})
    public Kernel.Carrier carrier;

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public long pingPong() {
        Kernel k = new Kernel(SchedulingStrategy.roundRobin(), carrier);
        for (int i = 0; i < 2; i++) {
            k.spawn("p" + i, 0, () -> {
                for (int j = 0; j < ROUNDS; j++) k.preemptionPoint();
            });
        }
        k.runUntilIdle();
        return k.trace().switches();
    }

    /** The switches {@link #mutexRandom} makes (seed 1; the same on every carrier, checked). */
    static final int MUTEX_SWITCHES = 29_994;

    @Benchmark
    @OperationsPerInvocation(MUTEX_SWITCHES)
    public long mutexRandom() {
        long n = mutexRandom(carrier);
        if (n != MUTEX_SWITCHES) throw new IllegalStateException("mutexRandom made " + n + " switches, expected " + MUTEX_SWITCHES);
        return n;
    }

    static long mutexRandom(Kernel.Carrier carrier) {
        Kernel k = new Kernel(SchedulingStrategy.random(1), carrier);
        Mutex m = new Mutex(k, "bench_lock");
        long[] counter = {0};
        for (int i = 0; i < 4; i++) {
            k.spawn("t" + i, 0, () -> {
                for (int j = 0; j < 5_000; j++) {
                    m.lock();
                    counter[0]++;
                    m.unlock();
                }
            });
        }
        k.runUntilIdle();
        return k.trace().switches();
    }

    /** Prints the switch count of {@link #mutexRandom} (to pin {@link #MUTEX_SWITCHES}). */
    public static void main(String[] args) {
        System.out.println(mutexRandom(Kernel.Carrier.VIRTUAL_THREAD));
    }
}
