package org.hotmem.cli;

import org.hotmem.scenario.HtmlReport;
import org.hotmem.scenario.JsonReport;
import org.hotmem.scenario.RunResult;
import org.hotmem.scenario.Scenario;
import org.hotmem.scenario.ScenarioException;
import org.hotmem.scenario.ScenarioParser;
import org.hotmem.scenario.ScenarioRunner;
import org.hotmem.scenario.TextReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code hotmem run FILE}: plays a scenario and prints its timeline and summary. Stdout is a pure
 * function of the file, parameters and seed; the wall time and the progress bar go to stderr.
 * Exit status ({@link ExitStatus}): 0 when every expectation held, 1 when one failed (named on
 * stderr), 4 when the file cannot be read, 5 when a report cannot be written, 6 when the file is
 * malformed, 7 when its machine cannot be built or booted, 3 when the model itself failed.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a scenario file: timeline, summary, expectations; optional JSON and HTML reports.")
public final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the scenario (YAML)")
    Path file;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the run (default: the file's seed, else 1)")
    Long seed;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "value of a $${NAME} placeholder")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "OUT", description = "write the JSON report here")
    Path json;

    @Option(names = "--html", paramLabel = "OUT", description = "write the HTML report here")
    Path html;

    @Option(names = "--progress", negatable = true, description = "progress bar on stderr (default: when on a terminal)")
    Boolean progress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Scenario s;
        try {
            s = ScenarioParser.parse(file.toString(), CliFiles.read("run", file), params);
        } catch (ScenarioException e) {
            return scenarioError("run", e, err);
        }
        return play(s, seed == null ? s.seed() : seed, params, json, html, progress, out, err);
    }

    /** Runs a parsed scenario and prints/writes everything; shared with {@code demo}. */
    static int play(Scenario s, long seed, Map<String, String> params, Path json, Path html, Boolean progress,
                    PrintWriter out, PrintWriter err) {
        long t0 = System.nanoTime();
        ProgressBar bar = new ProgressBar(err, progress != null ? progress : ProgressBar.terminal());
        RunResult r;
        try {
            r = Runners.machine().run(s, seed, params, bar);
        } catch (ScenarioException e) {
            return scenarioError("run", e, err);
        } finally {
            bar.done(); // any other failure is the model's own: ErrorHandler reports it (exit 3)
        }
        out.print(TextReport.timeline(r));
        out.println();
        out.print(TextReport.summary(r));
        out.flush();
        if (json != null) CliFiles.write("run", "--json", json, JsonReport.write(r));
        if (html != null) CliFiles.write("run", "--html", html, HtmlReport.write(r, s.description()));
        err.printf("wall time %.2f s%n", (System.nanoTime() - t0) / 1e9);
        int rc = 0;
        if (!r.passed()) {
            r.expectations().stream().filter(v -> !v.passed()).forEach(v -> err.println(
                    "hotmem run: expectation failed: " + s.file() + ":" + v.line() + ": " + v.expectation()
                            + " (got " + v.actual() + ")"));
            rc = ExitStatus.FAILED.code;
        }
        err.flush();
        return rc;
    }

    /** A malformed file (BAD_FILE) or a machine that cannot be built or booted (MACHINE): one line. */
    static int scenarioError(String command, ScenarioException e, PrintWriter err) {
        err.println("hotmem " + command + ": " + e.getMessage());
        err.flush();
        return (e.machine() ? ExitStatus.MACHINE : ExitStatus.BAD_FILE).code;
    }
}
