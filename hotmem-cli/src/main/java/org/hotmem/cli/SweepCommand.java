package org.hotmem.cli;

import org.hotmem.grid.GridExecutor;
import org.hotmem.scenario.ScenarioException;
import org.hotmem.scenario.Sweep;
import org.hotmem.scenario.SweepReport;
import org.hotmem.scenario.SweepWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code hotmem sweep FILE --param NAME=V1,V2 --seeds 1..10}: runs the scenario over the grid of
 * parameter values and seeds in parallel (each run independent and deterministic), on local threads
 * or a cluster ({@code --cluster}), writes one CSV row per run and an HTML chart of a metric against
 * the first parameter. The outputs do not depend on where the runs ran.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a scenario over a grid of $${NAME} parameter values and seeds; CSV and chart.")
public final class SweepCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the scenario (YAML) with $${NAME} placeholders")
    Path file;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=V1,V2,...", required = true,
            description = "a parameter and its values (repeatable: the grid is the product)")
    List<String> params = new ArrayList<>();

    @Option(names = "--seeds", paramLabel = "A..B", defaultValue = "1", description = "seeds: 1..10, or 1,2,5 (default 1)")
    String seeds;

    @Option(names = "--metric", paramLabel = "NAME", defaultValue = "unpluggable_bytes.total",
            description = "metric charted against the first parameter (default ${DEFAULT-VALUE})")
    String metric;

    @Option(names = "--threads", paramLabel = "N",
            description = "parallel runs in this JVM (default: available processors; with --cluster, 0 only submits)")
    Integer threads;

    @Option(names = "--cluster", paramLabel = "hazelcast[:CONFIG]",
            description = "run on a cluster: an embedded Hazelcast member joining peers on 127.0.0.1 (ports 5701-5703),"
                    + " or the cluster of CONFIG (a Hazelcast YAML/XML member configuration)")
    String cluster;

    @Option(names = "--runs-per-task", paramLabel = "N", defaultValue = "1",
            description = "runs (consecutive seeds of one grid point) per task (default ${DEFAULT-VALUE})")
    int runsPerTask;

    @Option(names = "--csv", paramLabel = "OUT", description = "write one CSV row per run here")
    Path csv;

    @Option(names = "--html", paramLabel = "OUT", description = "write the chart here")
    Path html;

    @Option(names = "--parquet", paramLabel = "OUT",
            description = "write the CSV's table as Parquet here (typed columns; for DuckDB, pandas, Polars, Spark)")
    Path parquet;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return sweep(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int sweep(PrintWriter out, PrintWriter err) throws IOException {
        LinkedHashMap<String, List<String>> grid = new LinkedHashMap<>();
        List<Long> seedList;
        try {
            for (String p : params) {
                Map.Entry<String, List<String>> e = Sweep.parseParam(p);
                if (grid.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("--param " + e.getKey() + " given twice");
            }
            seedList = Sweep.parseSeeds(seeds);
        } catch (IllegalArgumentException e) {
            err.println("hotmem sweep: " + e.getMessage());
            return ExitStatus.USAGE.code;
        }
        String text = CliFiles.read("sweep", file);
        Sweep sweep = new Sweep(file.toString(), text, grid, seedList, Sweep.Boot.MACHINE);
        try {
            sweep.validate();
        } catch (ScenarioException e) {
            return RunCommand.scenarioError("sweep", e, err);
        }
        SweepWriter parquetWriter;
        try {
            parquetWriter = parquet == null ? null : SweepWriter.find("parquet");
        } catch (IllegalArgumentException e) {
            err.println("hotmem sweep: " + e.getMessage());
            return 2;
        }
        if (runsPerTask < 1) {
            err.println("hotmem sweep: --runs-per-task must be at least 1");
            return 2;
        }
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        long t0 = System.nanoTime();
        List<Sweep.Row> rows;
        String where;
        try (GridExecutor executor = GridExecutors.open(cluster, n, err)) {
            rows = sweep.run(executor, runsPerTask, GridExecutors.progress(err));
            where = executor.describe();
        } catch (IllegalArgumentException e) {
            err.println("hotmem sweep: " + e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            err.println("hotmem sweep: " + e.getMessage());
            return 1;
        }
        List<String> names = new ArrayList<>(grid.keySet());
        if (rows.stream().anyMatch(r -> r.error() == null) && rows.stream().noneMatch(r -> r.metrics().containsKey(metric))) {
            err.println("hotmem sweep: --metric " + metric + ": no run has this metric; expected one of "
                    + String.join(", ", SweepReport.metricColumns(rows)));
            return ExitStatus.USAGE.code;
        }
        String scenarioName = file.getFileName().toString();
        if (csv != null) CliFiles.write("sweep", "--csv", csv, SweepReport.csv(names, rows));
        if (parquet != null) {
            try {
                parquetWriter.write(parquet, names, rows);
            } catch (IOException e) {
                throw CliFiles.cantWrite("sweep", "--parquet", parquet, e);
            }
        }
        if (html != null) CliFiles.write("sweep", "--html", html, SweepReport.html(scenarioName, names, grid, rows, metric));
        // stdout: the per-point means of the metric, then pass counts (a pure function of the inputs)
        out.print(SweepReport.table(names, grid, rows, metric));
        out.flush();
        long failed = rows.stream().filter(r -> r.error() != null).count();
        err.printf(Locale.ROOT, "%d runs on %s, wall time %.2f s%n", rows.size(), where, (System.nanoTime() - t0) / 1e9);
        if (failed > 0) {
            rows.stream().filter(r -> r.error() != null).limit(5).forEach(r ->
                    err.println("hotmem sweep: run " + r.point().params() + " seed " + r.point().seed() + ": " + r.error()));
            return ExitStatus.FAILED.code;
        }
        return ExitStatus.OK.code;
    }
}
