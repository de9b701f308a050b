package org.hotmem.explore;

import java.io.Serializable;
import java.util.LinkedHashMap;
import org.hotmem.grid.GridTask;

/**
 * Schedules {@code [from, from + count)} of an exploration, as one grid task: a pure function of
 * its fields (the race file's text, not its path), so any member of a grid runs it alike.
 * Stops at its first violation (later schedules of the batch cannot be the lowest one) unless
 * the exploration collects all.
 */
record ExploreBatch(String file, String text, boolean historical, Explorer.Options options, long from, int count)
        implements GridTask<ExploreBatch.Done> {

    /** Outcome counts (in order of first sighting), the violating schedules, and the lowest violating one of the batch, or -1. */
    record Done(LinkedHashMap<String, Long> counts, long ran, long violations, long violationIndex, String violation) implements Serializable {}

    @Override public Done call() {
        Race race = Race.parse(file, text);
        LinkedHashMap<String, Long> counts = new LinkedHashMap<>();
        long violations = 0;
        long first = -1;
        String violation = null;
        for (int i = 0; i < count; i++) {
            long index = from + i;
            RaceRun.Result r = Explorer.runIndex(race, historical, options, index);
            counts.merge(r.outcome(), 1L, Long::sum);
            if (r.violation() == null) continue;
            violations++;
            if (first < 0) {
                first = index;
                violation = r.violation();
            }
            if (!options.all()) return new Done(counts, i + 1, 1, index, violation);
        }
        return new Done(counts, count, violations, first, violation);
    }
}
