package org.hotmem.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * A parameter sweep: the scenario run over the cartesian product of parameter values and a range
 * of seeds. Each run is the pure function {@link #runOne(Point)} of (scenario text, parameter
 * values, seed), so runs are independent and can go to any executor: here a local thread pool,
 * later a distributed engine with the same {@link Point}s. Rows come back in grid order
 * (parameters in the order given, then seeds), whatever order they finished in.
 *
 * @param file   the scenario's file name (for messages)
 * @param text   the scenario text, with {@code ${NAME}} placeholders
 * @param grid   parameter name to its values, in the order given
 * @param seeds  the seeds of every grid point
 */
public record Sweep(String file, String text, LinkedHashMap<String, List<String>> grid, List<Long> seeds,
                    ScenarioRunner runner) {

    /** One run of the grid. */
    public record Point(int index, Map<String, String> params, long seed) {}

    /** The result of one run: its point, the metrics, and whether expectations held (or why it could not run). */
    public record Row(Point point, boolean passed, SortedMap<String, Double> metrics, String error) {}

    /** Every (parameter values, seed) combination, in grid order. */
    public List<Point> points() {
        List<Map<String, String>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (var e : grid.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : combos) {
                for (String v : e.getValue()) {
                    Map<String, String> m = new LinkedHashMap<>(c);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            combos = next;
        }
        List<Point> out = new ArrayList<>();
        for (Map<String, String> c : combos) for (long seed : seeds) out.add(new Point(out.size(), c, seed));
        return out;
    }

    /** Checks that every parameter combination parses, before anything runs. */
    public void validate() {
        for (Point p : points()) {
            if (p.seed() == seeds.get(0)) ScenarioParser.parse(file, text, p.params());
        }
    }

    /** Runs one point: parse with its parameters, run with its seed. */
    public Row runOne(Point p) {
        try {
            Scenario s = ScenarioParser.parse(file, text, p.params());
            RunResult r = runner.run(s, p.seed(), p.params(), ScenarioRunner.Progress.NONE);
            return new Row(p, r.passed(), r.metrics(), null);
        } catch (RuntimeException e) {
            return new Row(p, false, new TreeMap<>(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Runs every point on {@code threads} threads; {@code done} hears of each finished row. */
    public List<Row> run(int threads, BiConsumer<Integer, Integer> done) {
        List<Point> points = points();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "hotmem-sweep");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Row>> futures = new ArrayList<>();
            for (Point p : points) futures.add(pool.submit(() -> runOne(p)));
            List<Row> rows = new ArrayList<>();
            int n = 0;
            for (Future<Row> f : futures) {
                rows.add(f.get());
                done.accept(++n, points.size());
            }
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sweep interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Parses {@code NAME=V1,V2,...}. */
    public static Map.Entry<String, List<String>> parseParam(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new IllegalArgumentException("expected --param NAME=V1,V2,..., got \"" + spec + "\"");
        }
        List<String> values = new ArrayList<>();
        for (String v : spec.substring(eq + 1).split(",", -1)) {
            if (v.isEmpty()) throw new IllegalArgumentException("empty value in --param " + spec);
            values.add(v);
        }
        return Map.entry(spec.substring(0, eq), values);
    }

    /** Parses seeds {@code 1..10}, {@code 5} or {@code 1,4,9}. */
    public static List<Long> parseSeeds(String spec) {
        List<Long> seeds = new ArrayList<>();
        try {
            for (String part : spec.split(",")) {
                int dots = part.indexOf("..");
                if (dots >= 0) {
                    long a = Long.parseLong(part.substring(0, dots).trim());
                    long b = Long.parseLong(part.substring(dots + 2).trim());
                    if (b < a || b - a > 100_000) throw new NumberFormatException();
                    for (long s = a; s <= b; s++) seeds.add(s);
                } else {
                    seeds.add(Long.parseLong(part.trim()));
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected seeds like 1..10 or 1,2,3, got \"" + spec + "\"");
        }
        return seeds;
    }
}
