package org.hotmem.scenario;

import org.hotmem.grid.GridExecutor;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.BiFunction;

/**
 * A parameter sweep: the scenario run over the cartesian product of parameter values and a range
 * of seeds. Each run is a pure function of (scenario text, parameter values, seed), so runs are
 * independent: {@link #tasks(int)} cuts the grid into {@link SweepTask}s for any
 * {@link GridExecutor} (a local thread pool, or a cluster), and {@link #run} puts the rows back
 * in grid order (parameters in the order given, then seeds), whatever order they finished in.
 *
 * @param file   the scenario's file name (for messages)
 * @param text   the scenario text, with {@code ${NAME}} placeholders
 * @param grid   parameter name to its values, in the order given
 * @param seeds  the seeds of every grid point
 * @param boot   boots the target of each run (serializable: it travels with the tasks)
 */
public record Sweep(String file, String text, LinkedHashMap<String, List<String>> grid, List<Long> seeds, Boot boot) {

    /** How a run's target is booted: {@code boot(machine, seed)}; serializable so that tasks can carry it. */
    public interface Boot extends BiFunction<MachineSpec, Long, Target>, Serializable {
        /** The full machine model. */
        Boot MACHINE = MachineTarget::boot;
    }

    /** One run of the grid. {@code params} is a LinkedHashMap (serializable, in grid order). */
    public record Point(int index, Map<String, String> params, long seed) implements Serializable {}

    /** The result of one run: its point, the metrics, and whether expectations held (or why it could not run). */
    public record Row(Point point, boolean passed, SortedMap<String, Double> metrics, String error) implements Serializable {}

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

    /**
     * The grid as tasks in grid order: each one grid point's consecutive seeds, at most
     * {@code runsPerTask} of them (1: one task per run, the finest balance; more: less overhead
     * per run on a cluster).
     */
    public List<SweepTask> tasks(int runsPerTask) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<SweepTask> tasks = new ArrayList<>();
        List<Point> chunk = new ArrayList<>();
        for (Point p : points()) {
            if (!chunk.isEmpty() && (chunk.size() >= runsPerTask || !chunk.get(0).params().equals(p.params()))) {
                tasks.add(new SweepTask(file, bytes, boot, List.copyOf(chunk)));
                chunk.clear();
            }
            chunk.add(p);
        }
        if (!chunk.isEmpty()) tasks.add(new SweepTask(file, bytes, boot, List.copyOf(chunk)));
        return tasks;
    }

    /** Runs the grid on {@code executor}, {@code runsPerTask} runs per task; the rows in grid order. */
    public List<Row> run(GridExecutor executor, int runsPerTask, GridExecutor.Progress progress) {
        List<Row> rows = new ArrayList<>();
        executor.run(tasks(runsPerTask), rows::addAll, progress);
        return rows;
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
