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

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code hotmem run FILE}: plays a scenario and prints its timeline and summary. Stdout is a pure
 * function of the file, parameters and seed; the wall time and the progress bar go to stderr.
 * Exit status: 0 when every expectation held, 1 when one failed (named on stderr), 2 when the
 * file is malformed or its machine cannot be built, 3 when the model itself failed.
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
            s = ScenarioParser.parseFile(file, params);
        } catch (ScenarioException e) {
            err.println("hotmem run: " + e.getMessage());
            err.flush();
            return 2;
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
            bar.done();
            err.println("hotmem run: " + e.getMessage());
            err.flush();
            return 2;
        } catch (RuntimeException e) {
            // a fault of the model itself (a failed task, a broken invariant): say so, with its cause
            bar.done();
            err.println("hotmem run: " + s.file() + ": the model failed: " + e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) err.println("  caused by: " + c);
            err.flush();
            return 3;
        }
        bar.done();
        out.print(TextReport.timeline(r));
        out.println();
        out.print(TextReport.summary(r));
        out.flush();
        try {
            if (json != null) Files.writeString(json, JsonReport.write(r), StandardCharsets.UTF_8);
            if (html != null) Files.writeString(html, HtmlReport.write(r, s.description()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("hotmem run: cannot write the report: " + e.getMessage());
            err.flush();
            return 2;
        }
        err.printf("wall time %.2f s%n", (System.nanoTime() - t0) / 1e9);
        int rc = 0;
        if (!r.passed()) {
            r.expectations().stream().filter(v -> !v.passed()).forEach(v -> err.println(
                    "hotmem run: expectation failed: " + s.file() + ":" + v.line() + ": " + v.expectation()
                            + " (got " + v.actual() + ")"));
            rc = 1;
        }
        err.flush();
        return rc;
    }
}
