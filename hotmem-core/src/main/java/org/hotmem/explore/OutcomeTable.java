package org.hotmem.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The outcome table of an exploration in jcstress's style: every observed outcome with its
 * count, its grade and the race file's description, and the graded outcomes never observed.
 */
public final class OutcomeTable {
    private OutcomeTable() {}

    public static List<String> lines(Race race, Map<String, Long> counts) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Observed outcome", "Count", "Grade", "Description"});
        counts.forEach((o, n) -> {
            Race.Outcome d = race.outcomes().get(o);
            rows.add(new String[] {o, Long.toString(n), race.grade(o).name(), d != null ? d.description() : "(not in the race file)"});
        });
        for (Race.Outcome d : race.outcomes().values()) {
            if (!counts.containsKey(d.id())) rows.add(new String[] {d.id(), "0", d.grade().name(), d.description()});
        }
        int[] w = new int[3];
        for (String[] r : rows) for (int i = 0; i < 3; i++) w[i] = Math.max(w[i], r[i].length());
        List<String> out = new ArrayList<>();
        for (String[] r : rows) {
            out.add(String.format("  %-" + w[0] + "s  %" + w[1] + "s  %-" + w[2] + "s  %s", r[0], r[1], r[2], r[3]).stripTrailing());
        }
        return out;
    }
}
