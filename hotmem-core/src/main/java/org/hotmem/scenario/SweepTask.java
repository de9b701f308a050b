package org.hotmem.scenario;

import org.hotmem.grid.GridTask;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Some runs of a {@link Sweep}, as a {@link GridTask}: the scenario bytes, how to boot its target,
 * and the grid points (one parameter combination, consecutive seeds). Each run parses the text with
 * its parameters and plays it with its seed on a fresh target, so the rows are a pure function of
 * the fields, wherever and however often the task runs. A run that cannot be played (a scenario or
 * model error) is a row with its error, not a failed task.
 */
public record SweepTask(String file, byte[] text, Sweep.Boot boot, List<Sweep.Point> points)
        implements GridTask<ArrayList<Sweep.Row>> {

    @Override
    public ArrayList<Sweep.Row> call() {
        String scenario = new String(text, StandardCharsets.UTF_8);
        ScenarioRunner runner = new ScenarioRunner(boot);
        ArrayList<Sweep.Row> rows = new ArrayList<>(points.size());
        for (Sweep.Point p : points) {
            try {
                Scenario s = ScenarioParser.parse(file, scenario, p.params());
                RunResult r = runner.run(s, p.seed(), p.params(), ScenarioRunner.Progress.NONE);
                rows.add(new Sweep.Row(p, r.passed(), new TreeMap<>(r.metrics()), null));
            } catch (RuntimeException e) {
                rows.add(new Sweep.Row(p, false, new TreeMap<>(), e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        return rows;
    }
}
