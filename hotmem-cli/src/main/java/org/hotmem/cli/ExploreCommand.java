package org.hotmem.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.hotmem.explore.ExploreHtml;
import org.hotmem.explore.Explorer;
import org.hotmem.explore.OutcomeTable;
import org.hotmem.explore.Race;
import org.hotmem.grid.GridExecutor;
import org.hotmem.scenario.Quantities;
import org.hotmem.scenario.ScenarioException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotmem explore FILE}: runs a race under many schedules (on local threads or a cluster),
 * prints the outcome table and schedules/s, and on the first violation (the lowest schedule
 * index) minimises it, writes a schedule file and exits 1.
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "Run a race file under many schedules; outcome table; the first violation minimised to a schedule file.")
public final class ExploreCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the race (YAML), e.g. races/000-hibernation-hotplug.yaml")
    Path file;

    @Option(names = "--strategy", paramLabel = "random|pct", defaultValue = "random", description = "how schedules are drawn (default ${DEFAULT-VALUE})")
    String strategy;

    @Option(names = "--depth", paramLabel = "D", defaultValue = "3", description = "PCT's bug depth (default ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--schedules", paramLabel = "N", description = "schedules to run (default 1000 unless --time)")
    Long schedules;

    @Option(names = "--time", paramLabel = "DURATION", description = "wall-clock budget instead, e.g. 30s")
    String time;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "the exploration's seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--jobs", paramLabel = "J", description = "parallel schedules in this JVM (default: available processors)")
    Integer jobs;

    @Option(names = "--cluster", paramLabel = "hazelcast[:CONFIG]", description = "run the schedules on a cluster, as sweep --cluster")
    String cluster;

    @Option(names = "--historical", description = "turn the race's historical switch on (the bug as it was)")
    boolean historical;

    @Option(names = "--all", description = "go on after a violation: count every violating schedule over the budget")
    boolean all;

    @Option(names = "--html", paramLabel = "FILE", description = "also write an HTML report: the table and the minimal failing schedule as a timeline of tasks")
    Path html;

    @Option(names = "--out", paramLabel = "SCHEDULE", description = "where the schedule file goes (default FILE's name with .schedule)")
    Path out;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return explore(o, err);
        } finally {
            o.flush();
            err.flush();
        }
    }

    private int explore(PrintWriter o, PrintWriter err) {
        long timeNs = 0;
        if (time != null) {
            timeNs = Quantities.parseDuration(time);
            if (timeNs <= 0) {
                err.println("hotmem explore: --time: expected a duration like 30s, got \"" + time + "\"");
                return ExitStatus.USAGE.code;
            }
        }
        if (schedules != null && schedules < 1) {
            err.println("hotmem explore: --schedules must be at least 1");
            return ExitStatus.USAGE.code;
        }
        long n = schedules != null ? schedules : time != null ? Long.MAX_VALUE : 1000;
        Explorer.Options opts;
        try {
            opts = new Explorer.Options(strategy, depth, seed, n, all);
        } catch (IllegalArgumentException e) {
            err.println("hotmem explore: --" + e.getMessage());
            return ExitStatus.USAGE.code;
        }
        Race race;
        try {
            race = Race.parse(file.toString(), CliFiles.read("explore", file));
        } catch (ScenarioException e) {
            return RunCommand.scenarioError("explore", e, err);
        }
        if (historical && race.historical() == null) {
            err.println("hotmem explore: " + file + ": --historical: the race names no historical switch");
            return ExitStatus.USAGE.code;
        }
        int threads = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
        Explorer.Report r;
        String where;
        try (GridExecutor grid = GridExecutors.open(cluster, threads, err)) {
            r = Explorer.explore(race, historical, opts, timeNs, threads, grid, System::nanoTime);
            where = grid.describe();
        } catch (IllegalArgumentException e) {
            err.println("hotmem explore: " + e.getMessage());
            return ExitStatus.USAGE.code;
        } catch (IllegalStateException e) {
            err.println("hotmem explore: " + e.getMessage());
            return ExitStatus.FAILED.code;
        }
        o.println("race " + race.name() + (historical ? " (historical: " + race.historical() + ")" : "") + ", " + strategy
                + (strategy.equals("pct") ? " depth " + depth : "") + ", seed " + seed + ", " + where);
        OutcomeTable.lines(race, r.counts()).forEach(o::println);
        o.println(String.format(Locale.ROOT, "%d schedules in %.2f s: %.1f schedules/s%s", r.ran(), r.seconds(), r.schedulesPerSecond(),
                r.violation() != null && !all ? " (time to find the violation)" : ""));
        if (all) o.println(r.violations() + " of " + r.ran() + " schedules violated");
        if (html != null) CliFiles.write("explore", "--html", html, ExploreHtml.render(r));
        if (r.violation() == null) {
            o.println("no violation");
            return ExitStatus.OK.code;
        }
        Explorer.Violation v = r.violation();
        Path target = out != null ? out : Path.of(file.toString().replaceFirst("\\.ya?ml$", "") + ".schedule");
        CliFiles.write("explore", "--out", target, v.schedule().text());
        o.println("violation at schedule " + v.index() + ": " + v.violation());
        o.println("minimised from " + v.preemptionsBefore() + " to " + v.minimal().preemptions().size() + " preemptions ("
                + v.schedule().pids().length + " decisions); schedule written to " + target);
        o.println("replay: ./hotmem replay " + target);
        return ExitStatus.FAILED.code;
    }
}
