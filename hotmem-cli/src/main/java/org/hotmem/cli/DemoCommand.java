package org.hotmem.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.hotmem.scenario.Scenario;
import org.hotmem.scenario.ScenarioParser;
import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.kernel.demo.LockDemo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hotmem demo [--seed N]}: plays the built-in scenario ({@code org/hotmem/scenario/demo.yaml}:
 * DIMM hot-add, auto-onlining and onlining by hand, workloads with long-term pins, churn and
 * kernel memory, unplugs refused and granted, an offline stopped by a signal), prints its
 * timeline and summary, writes the HTML report and says where.
 *
 * <p>{@code hotmem demo --locks} runs the lock program ({@link LockDemo}) under a seeded
 * scheduler instead, prints its schedule trace and kernel log (with lockdep's report of the
 * deliberate inversion), then replays the recorded schedule and checks the trace is identical.
 * Stdout is a pure function of the options; wall-clock figures go to stderr.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the built-in scenario: timeline, summary and an HTML report.",
                "With --locks: tasks contending on kernel locks: trace, lockdep report, replay check."})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--locks", description = "Run the lock-contention program instead of the scenario.")
    boolean locks;

    @Option(names = "--html", paramLabel = "OUT",
            description = "Where to write the HTML report (default: hotmem-demo-seed<N>.html in the current directory).")
    Path html;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the JSON report here.")
    Path json;

    @Option(names = "--strategy", description = "random, pct or round-robin (default: ${DEFAULT-VALUE}).",
            defaultValue = "random")
    String strategy;

    @Option(names = "--pct-depth", description = "Bug depth for --strategy pct (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int pctDepth;

    @Override public Integer call() {
        return locks ? lockDemo() : scenarioDemo();
    }

    /** The built-in scenario, on the full machine model. */
    private int scenarioDemo() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Scenario s;
        try (InputStream in = DemoCommand.class.getResourceAsStream("/org/hotmem/scenario/demo.yaml")) {
            s = ScenarioParser.parse("demo.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
        } catch (IOException e) {
            err.println("hotmem demo: cannot read the built-in scenario: " + e.getMessage());
            return 2;
        }
        Path where = html != null ? html : Path.of("hotmem-demo-seed" + seed + ".html");
        int rc = RunCommand.play(s, seed, Map.of(), json, where, null, out, err);
        out.println("HTML report: " + where);
        out.flush();
        return rc;
    }

    private int lockDemo() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SchedulingStrategy first;
        try {
            first = strategy(seed);
        } catch (IllegalArgumentException e) {
            err.println("hotmem demo: " + e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        LockDemo.Result r = LockDemo.run(first);
        long t1 = System.nanoTime();
        out.println("hotmem demo: seed " + seed + ", strategy " + first);
        out.println();
        out.println("== schedule trace: " + r.trace().lines().count() + " switches, "
                + r.schedule().length + " scheduling decisions ==");
        out.print(r.trace());
        out.println();
        out.println("== kernel log ==");
        for (String l : r.dmesg()) out.println(l);
        out.println();
        out.println("== outcome ==");
        out.printf("virtual time at idle: %.6f s%n", r.endNs() / 1e9);
        out.println("seqlock read retries: " + r.seqlockRetries());
        out.printf("zone span: start_pfn %#x, spanned_pages %#x%n", r.spanStart(), r.spanPages());
        out.println("deadlock: " + (r.deadlock() == null ? "none" : "\n" + r.deadlock().text()));
        out.println();
        out.println("== replay of the recorded schedule ==");
        LockDemo.Result replay = LockDemo.run(SchedulingStrategy.replay(r.schedule()));
        boolean same = replay.trace().equals(r.trace()) && replay.dmesg().equals(r.dmesg());
        out.println("replayed " + r.schedule().length + " decisions: trace and log "
                + (same ? "identical" : "DIFFER"));
        out.flush();
        err.printf("hotmem demo: run took %.1f ms of wall time%n", (t1 - t0) / 1e6);
        err.flush();
        return same ? 0 : 1;
    }

    private SchedulingStrategy strategy(long seed) {
        return switch (strategy) {
            case "random" -> SchedulingStrategy.random(seed);
            case "pct" -> SchedulingStrategy.pct(seed, pctDepth, 200);
            case "round-robin", "rr" -> SchedulingStrategy.roundRobin();
            default -> throw new IllegalArgumentException("--strategy: expected random, pct or round-robin, found '" + strategy + "'");
        };
    }
}
