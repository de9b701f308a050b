package org.hotmem.bench;

import java.util.concurrent.TimeUnit;
import org.hotmem.kernel.Kernel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The virtual-thread carrier with the virtual thread scheduler restricted to one carrier
 * thread ({@code -Djdk.virtualThreadScheduler.parallelism=1}): the handoff then never crosses
 * CPUs. Same workloads as {@link TaskSwitchBenchmark}; the score is switches/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djdk.virtualThreadScheduler.parallelism=1"})
@State(Scope.Thread)
public class VirtualThreadParallelismOneBenchmark {
    @Benchmark
    @OperationsPerInvocation(2 * TaskSwitchBenchmark.ROUNDS)
    public long pingPong() {
        TaskSwitchBenchmark b = new TaskSwitchBenchmark();
        b.carrier = Kernel.Carrier.VIRTUAL_THREAD;
        return b.pingPong();
    }

    @Benchmark
    @OperationsPerInvocation(TaskSwitchBenchmark.MUTEX_SWITCHES)
    public long mutexRandom() {
        TaskSwitchBenchmark b = new TaskSwitchBenchmark();
        b.carrier = Kernel.Carrier.VIRTUAL_THREAD;
        return b.mutexRandom();
    }
}
