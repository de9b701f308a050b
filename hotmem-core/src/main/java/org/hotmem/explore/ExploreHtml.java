package org.hotmem.explore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --html} report of an exploration: the outcome table, and the minimal failing
 * schedule drawn as a timeline of tasks (one row per task that was chosen, one column per
 * scheduling decision after the actors started; a filled cell is the task the decision ran, red
 * where it was a preemption), with the violation and the story of the steps. One self-contained
 * page, no script; a pure function of the report.
 */
public final class ExploreHtml {
    private static final int CELL = 8;
    private static final int ROW = 18;
    private static final int LABEL = 160;

    private ExploreHtml() {}

    public static String render(Explorer.Report r) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>race ").append(esc(r.race().name()))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.FORBIDDEN{color:#b00}"
                        + ".INTERESTING{color:#a60}pre{background:#f6f6f6;padding:1em}</style></head><body>\n");
        h.append("<h1>race ").append(esc(r.race().name())).append(r.historical() ? " (historical: " + esc(r.race().historical()) + ")" : "")
                .append("</h1>\n<p>").append(esc(r.race().description())).append("</p>\n");
        h.append(String.format(Locale.ROOT, "<p>%d schedules in %.2f s: %.1f schedules/s, %s, seed %d</p>%n", r.ran(), r.seconds(),
                r.schedulesPerSecond(), esc(r.options().strategy()), r.options().seed()));
        h.append("<table><tr><th>Observed outcome</th><th>Count</th><th>Grade</th><th>Description</th></tr>\n");
        Map<String, Long> rows = new LinkedHashMap<>(r.counts());
        for (Race.Outcome o : r.race().outcomes().values()) rows.putIfAbsent(o.id(), 0L);
        rows.forEach((o, n) -> {
            Grade g = r.race().grade(o);
            Race.Outcome d = r.race().outcomes().get(o);
            h.append("<tr class=\"").append(g).append("\"><td>").append(esc(o)).append("</td><td>").append(n).append("</td><td>")
                    .append(g).append("</td><td>").append(esc(d != null ? d.description() : "(not in the race file)")).append("</td></tr>\n");
        });
        h.append("</table>\n");
        Explorer.Violation v = r.violation();
        if (v == null) {
            h.append("<p>no violation</p>\n");
        } else {
            h.append("<h2>Violation at schedule ").append(v.index()).append("</h2>\n<p>").append(esc(v.schedule().violation())).append("</p>\n");
            h.append("<p>minimised from ").append(v.preemptionsBefore()).append(" to ").append(v.minimal().preemptions().size())
                    .append(" preemptions; the timeline of the minimal schedule (").append(v.schedule().pids().length).append(" decisions):</p>\n");
            timeline(h, v.minimal());
            h.append("<pre>");
            for (String l : v.minimal().story()) h.append(esc(l)).append('\n');
            h.append("</pre>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    /** One SVG row per chosen task, one column per decision. */
    private static void timeline(StringBuilder h, RaceRun.Result run) {
        int[] pids = run.schedule();
        List<Integer> tasks = new ArrayList<>();
        for (int p : pids) if (!tasks.contains(p)) tasks.add(p);
        tasks.sort(null);
        int width = LABEL + Math.max(1, pids.length) * CELL + 10;
        int height = tasks.size() * ROW + 24;
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height).append("\">\n");
        for (int row = 0; row < tasks.size(); row++) {
            int y = row * ROW;
            int pid = tasks.get(row);
            h.append("<text x=\"0\" y=\"").append(y + 13).append("\" font-size=\"12\">").append(pid).append(' ')
                    .append(esc(run.taskName(pid))).append("</text>\n");
            h.append("<line x1=\"").append(LABEL).append("\" y1=\"").append(y + ROW / 2).append("\" x2=\"").append(width - 10)
                    .append("\" y2=\"").append(y + ROW / 2).append("\" stroke=\"#ddd\"/>\n");
        }
        for (int i = 0; i < pids.length; i++) {
            int row = tasks.indexOf(pids[i]);
            boolean pre = run.preemptions().containsKey(i);
            h.append("<rect x=\"").append(LABEL + i * CELL).append("\" y=\"").append(row * ROW + 3).append("\" width=\"").append(CELL - 1)
                    .append("\" height=\"").append(ROW - 6).append("\" fill=\"").append(pre ? "#c00" : "#36c").append("\"><title>decision ")
                    .append(i).append(": pid ").append(pids[i]).append(pre ? " (preemption)" : "").append("</title></rect>\n");
        }
        h.append("<text x=\"").append(LABEL).append("\" y=\"").append(height - 6).append("\" font-size=\"11\">decisions after the actors start →</text>\n");
        h.append("</svg>\n");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
