package org.hotmem.explore;

import java.io.Serializable;
import java.util.LinkedHashMap;
import org.hotmem.grid.GridTask;

/**
 * Schedules {@code [from, from + count)} of an exploration, as one grid task: a pure function of
 * its fields (the race file's text, not its path), so any member of a grid runs it alike.
 * Stops at its first violation: later schedules of the batch cannot be the lowest one.
 */
record ExploreBatch(String file, String text, boolean historical, Explorer.Options options, long from, int count)
        implements GridTask<ExploreBatch.Done> {

    /** Outcome counts (in order of first sighting) and the lowest violating schedule of the batch, or -1. */
    record Done(LinkedHashMap<String, Long> counts, long ran, long violationIndex, String violation) implements Serializable {}

    @Override public Done call() {
        Race race = Race.parse(file, text);
        LinkedHashMap<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            long index = from + i;
            RaceRun.Result r = Explorer.runIndex(race, historical, options, index);
            counts.merge(r.outcome(), 1L, Long::sum);
            if (r.violation() != null) return new Done(counts, i + 1, index, r.violation());
        }
        return new Done(counts, count, -1, null);
    }
}
