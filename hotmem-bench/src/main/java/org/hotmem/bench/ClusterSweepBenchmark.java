package org.hotmem.bench;

import org.hotmem.grid.GridBackend;
import org.hotmem.grid.GridExecutor;
import org.hotmem.grid.GridTask;
import org.hotmem.grid.LocalGridExecutor;
import org.hotmem.scenario.Sweep;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sweeps on a Hazelcast cluster on one machine, against the local pool. {@code executor}:
 * {@code local} is the default thread pool (2 threads); {@code members1} one embedded Hazelcast
 * member that runs the tasks itself on 2 threads; {@code members2} that member plus one
 * {@code hotmem worker} JVM (2 threads) on 127.0.0.1, a cluster of its own ({@code hotmem-bench},
 * ports 5801-5802). {@link #sweep} runs an 8-run grid of the README's sweep (SLAB = 3G..6G, seeds 1..2);
 * {@link #trivialTask} runs tasks that only return their index: the executor's own cost per task.
 *
 * <p>Run: {@code ./bench ClusterSweep}. On 2 cores, 2 members cannot beat 1: both share the cores.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Xss16m", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--add-modules", "java.se",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"})
public class ClusterSweepBenchmark {
    /** The README's sweep (run from the repository root, as ./bench does). */
    static final Path SCENARIO = Path.of("examples", "zone-normal-one-way-door.yaml");
    static final String CONFIG = """
            hazelcast:
              cluster-name: hotmem-bench
              properties:
                hazelcast.socket.bind.any: false
              network:
                port: {auto-increment: true, port-count: 2, port: 5801}
                interfaces: {enabled: true, interfaces: [127.0.0.1]}
                join:
                  auto-detection: {enabled: false}
                  multicast: {enabled: false}
                  tcp-ip: {enabled: true, connection-timeout-seconds: 1, member-list: [127.0.0.1:5801, 127.0.0.1:5802]}
            """;
    static final int TRIVIAL_TASKS = 200;

    @Param({"local", "members1", "members2"})
    public String executor;

    private GridExecutor ex;
    private Process worker;
    private Sweep sweep;
    private final List<Echo> trivial = new ArrayList<>();

    /** A task that costs nothing but its trip. */
    public record Echo(int i) implements GridTask<Integer> {
        @Override public Integer call() {
            return i;
        }
    }

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        LinkedHashMap<String, List<String>> grid = new LinkedHashMap<>();
        grid.put("SLAB", List.of("3G", "4G", "5G", "6G"));
        sweep = new Sweep(SCENARIO.toString(), Files.readString(SCENARIO), grid, Sweep.parseSeeds("1..2"), Sweep.Boot.MACHINE);
        for (int i = 0; i < TRIVIAL_TASKS; i++) trivial.add(new Echo(i));
        if (executor.equals("local")) {
            ex = new LocalGridExecutor(2);
            return;
        }
        Path config = Files.createTempFile("hotmem-bench", ".yaml");
        Files.writeString(config, CONFIG);
        if (executor.equals("members2")) worker = startWorker(config);
        GridBackend.Selected hz = GridBackend.select("hazelcast:" + config);
        ex = hz.backend().connect(hz.config(), 2, new PrintWriter(System.err, true));
    }

    /** A worker JVM, returned once it has joined (its first line says so). */
    private static Process startWorker(Path config) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--") || a.startsWith("-Xss")).toList());
        cmd.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), "org.hotmem.cli.Main",
                "worker", "--cluster", "hazelcast:" + config, "--threads", "2"));
        Path log = Files.createTempFile("hotmem-bench-worker", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        for (int i = 0; i < 1200 && !Files.readString(log).contains("runs tasks on"); i++) Thread.sleep(100);
        if (!p.isAlive()) throw new IOException("worker died: " + Files.readString(log));
        return p;
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        ex.close();
        if (worker != null) {
            worker.destroy();
            worker.waitFor(20, TimeUnit.SECONDS);
            worker.destroyForcibly();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 4)
    public List<Sweep.Row> sweep() {
        return sweep.run(ex, 1, GridExecutor.Progress.NONE);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(TRIVIAL_TASKS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int trivialTask() {
        int[] sum = {0};
        ex.run(trivial, r -> sum[0] += r, GridExecutor.Progress.NONE);
        return sum[0];
    }
}
