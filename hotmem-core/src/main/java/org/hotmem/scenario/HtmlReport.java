package org.hotmem.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The HTML report of one run: a single self-contained file (inline CSS and SVG, no scripts, no
 * network) with the memory map over time, free pages per zone, migrations and retries, the
 * hibernation figures when the run hibernated, the operations with their virtual durations, the
 * expectations, the timeline and the kernel log.
 */
public final class HtmlReport {
    private static final Map<String, String> ZONE_COLORS = Map.of(
            "DMA", "#9e9ac8", "DMA32", "#756bb1", "Normal", "#e6550d", "Movable", "#31a354");

    private HtmlReport() {}

    public static String write(RunResult r, String description) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hotmem: ")
                .append(Svg.esc(r.scenario())).append("</title>\n<style>").append(Svg.CSS).append("</style></head><body>\n");
        sb.append("<h1>").append(Svg.esc(r.scenario()));
        if (!r.expectations().isEmpty()) {
            sb.append(" <span class=\"").append(r.passed() ? "pass\">PASS" : "fail\">FAIL").append("</span>");
        }
        sb.append("</h1>\n");
        sb.append("<div class=\"meta\">seed ").append(r.seed());
        r.params().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(" · ").append(Svg.esc(e.getKey())).append('=').append(Svg.esc(e.getValue())));
        sb.append(" · ").append(Quantities.formatDuration(r.endNs())).append(" of virtual time</div>\n");
        if (description != null && !description.isBlank()) {
            sb.append("<p>").append(Svg.esc(description).replace("\n\n", "</p><p>")).append("</p>\n");
        }
        if (!r.expectations().isEmpty()) {
            sb.append("<h2>Expectations</h2>\n<table><tr><th></th><th>line</th><th>expectation</th><th>observed</th></tr>\n");
            for (RunResult.Verdict v : r.expectations()) {
                sb.append("<tr").append(v.passed() ? "" : " class=\"bad\"").append("><td class=\"")
                        .append(v.passed() ? "pass\">ok" : "fail\">FAIL").append("</td><td class=\"num\">").append(v.line())
                        .append("</td><td>").append(Svg.esc(v.expectation())).append("</td><td>").append(Svg.esc(v.actual()))
                        .append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        sb.append("<h2>Summary</h2>\n<table><tr><th>unpluggable now</th><th>pages migrated</th><th>offline retries</th>"
                + "<th>plugged</th><th>unplugged</th><th>operations not ok</th></tr>\n<tr><td>");
        boolean first = true;
        for (var e : r.metrics().entrySet()) {
            if (!e.getKey().startsWith("unpluggable_bytes.") || e.getKey().endsWith(".total")) continue;
            sb.append(first ? "" : ", ").append(Svg.esc(e.getKey().substring("unpluggable_bytes.".length()))).append(' ')
                    .append(Quantities.formatSize(e.getValue().longValue()));
            first = false;
        }
        sb.append("</td><td class=\"num\">").append(metric("pages_migrated", r.metrics().getOrDefault("pages_migrated", 0.0)))
                .append("</td><td class=\"num\">").append(metric("offline_retries", r.metrics().getOrDefault("offline_retries", 0.0)))
                .append("</td><td class=\"num\">").append(Quantities.formatSize(r.metrics().getOrDefault("plugged_bytes", 0.0).longValue()))
                .append("</td><td class=\"num\">").append(Quantities.formatSize(r.metrics().getOrDefault("unplugged_bytes", 0.0).longValue()))
                .append("</td><td class=\"num\">").append(metric("actions_failed", r.metrics().getOrDefault("actions_failed", 0.0)))
                .append("</td></tr>\n</table>\n");
        hibernation(sb, r.metrics());
        sb.append("<h2>Memory map</h2>\n").append(Svg.memoryMap(r.samples(), r.endNs()));
        sb.append("<h2>Free pages per zone</h2>\n").append(freePages(r));
        sb.append("<h2>Migrations and offline retries</h2>\n").append(counters(r));
        sb.append("<h2>Operations</h2>\n<table><tr><th>id</th><th>line</th><th>what</th><th>start (s)</th><th>duration</th><th>result</th><th>detail</th></tr>\n");
        for (RunResult.ActionOutcome a : r.actions()) {
            sb.append("<tr").append(a.ok() || a.kind().equals("note") ? "" : " class=\"bad\"").append("><td>")
                    .append(Svg.esc(a.id())).append("</td><td class=\"num\">").append(a.line()).append("</td><td>")
                    .append(Svg.esc(a.what())).append("</td><td class=\"num\">")
                    .append(a.start() < 0 ? "-" : Quantities.formatSeconds(a.start())).append("</td><td class=\"num\">")
                    .append(a.duration() < 0 ? "-" : Quantities.formatDuration(a.duration())).append("</td><td>")
                    .append(Svg.esc(a.result())).append("</td><td>").append(Svg.esc(a.detail())).append("</td></tr>\n");
        }
        sb.append("</table>\n<h2>Summary metrics</h2>\n<table><tr><th>metric</th><th>value</th></tr>\n");
        r.metrics().forEach((k, v) -> sb.append("<tr><td>").append(Svg.esc(k)).append("</td><td class=\"num\">")
                .append(metric(k, v)).append("</td></tr>\n"));
        sb.append("</table>\n<h2>Blocks at the end</h2>\n<pre>").append(Svg.esc(TextReport.blockSummary(r))).append("</pre>\n");
        sb.append("<h2>Timeline</h2>\n<table><tr><th>time (s)</th><th>source</th><th>what</th><th>outcome</th><th>errno</th></tr>\n");
        for (RunResult.Event e : r.events()) {
            boolean bad = e.errno() != null && !e.errno().isEmpty();
            sb.append("<tr").append(bad ? " class=\"bad\"" : "").append("><td class=\"num\">")
                    .append(Quantities.formatSeconds(e.t())).append("</td><td>").append(Svg.esc(e.source())).append("</td><td>")
                    .append(Svg.esc(e.what())).append("</td><td>").append(Svg.esc(e.outcome())).append("</td><td>")
                    .append(Svg.esc(e.errno())).append("</td></tr>\n");
        }
        sb.append("</table>\n<h2>Kernel log</h2>\n<pre>");
        for (String line : r.kernelLog()) sb.append(Svg.esc(line)).append('\n');
        sb.append("</pre>\n</body></html>\n");
        return sb.toString();
    }

    /** The causes a page is left out of a hibernation image for, as the metric suffixes name them. */
    private static final List<String[]> SKIP_CAUSES = List.of(new String[] {"free", "free"},
            new String[] {"offline", "not online (offline blocks)"}, new String[] {"page_offline", "PageOffline (balloon, virtio-mem)"},
            new String[] {"nosave", "nosave regions"});

    /**
     * The hibernation figures of the last image written (the hibernate_* metrics), the resume's
     * read time and the downtime; nothing when the run did not hibernate.
     */
    private static void hibernation(StringBuilder sb, Map<String, Double> m) {
        if (!m.containsKey("hibernate_image_bytes")) return;
        long saved = m.getOrDefault("hibernate_pages_saved", 0.0).longValue();
        long bytes = m.get("hibernate_image_bytes").longValue();
        sb.append("<h2>Hibernation</h2>\n<table><tr><th>image on disk</th><th>pages saved</th><th>copied</th><th>zero</th>"
                + "<th>freeze</th><th>snapshot</th><th>write</th><th>resume read</th><th>downtime</th><th>resumed</th></tr>\n<tr>");
        sb.append("<td class=\"num\">").append(Quantities.formatSize(bytes)).append(saved == 0 ? "" : String.format(Locale.ROOT,
                " (%.1f%% of the saved pages)", 100.0 * bytes / (saved * 4096.0))).append("</td>");
        for (String k : List.of("hibernate_pages_saved", "hibernate_pages_copied", "hibernate_pages_zero")) {
            sb.append("<td class=\"num\">").append(m.getOrDefault(k, 0.0).longValue()).append("</td>");
        }
        for (String k : List.of("hibernate_freeze_ns", "hibernate_snapshot_ns", "hibernate_write_ns", "resume_read_ns", "downtime_ns")) {
            Double v = m.get(k);
            sb.append("<td class=\"num\">").append(v == null ? "-" : Quantities.formatDuration(v.longValue())).append("</td>");
        }
        Double resumed = m.get("resumed");
        sb.append("<td>").append(resumed == null ? "-" : resumed == 1.0 ? "yes" : "no (fresh boot)").append("</td></tr>\n</table>\n");
        sb.append("<table><tr><th>pages skipped: cause</th><th>pages</th></tr>\n");
        for (String[] c : SKIP_CAUSES) {
            sb.append("<tr><td>").append(Svg.esc(c[1])).append("</td><td class=\"num\">")
                    .append(m.getOrDefault("hibernate_pages_skipped." + c[0], 0.0).longValue()).append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    private static String metric(String k, double v) {
        if (k.contains("bytes")) return Quantities.formatSize((long) v) + " (" + (long) v + ")";
        if (k.startsWith("duration_ns")) return Quantities.formatDuration((long) v);
        if (v == Math.rint(v)) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String freePages(RunResult r) {
        TreeSet<String> zones = new TreeSet<>();
        for (RunResult.Sample s : r.samples()) zones.addAll(s.freePages().keySet());
        List<Svg.Series> series = new ArrayList<>();
        int n = r.samples().size();
        for (String z : zones) {
            double[] xs = new double[n], ys = new double[n];
            for (int i = 0; i < n; i++) {
                RunResult.Sample s = r.samples().get(i);
                xs[i] = s.t() / 1e9;
                ys[i] = s.freePages().getOrDefault(z, 0L);
            }
            series.add(new Svg.Series(z, ZONE_COLORS.getOrDefault(z, "#666"), xs, ys));
        }
        return Svg.lineChart("Free pages per zone (4 KiB pages)", "virtual time (s)", "free pages", series, 320, false, false);
    }

    private static String counters(RunResult r) {
        int n = r.samples().size();
        double[] xs = new double[n], mig = new double[n], ret = new double[n], pin = new double[n];
        for (int i = 0; i < n; i++) {
            RunResult.Sample s = r.samples().get(i);
            xs[i] = s.t() / 1e9;
            mig[i] = s.migrated();
            ret[i] = s.retries();
            pin[i] = s.pinnedPages();
        }
        return Svg.lineChart("Pages migrated (cumulative)", "virtual time (s)", "pages",
                List.of(new Svg.Series("pages migrated", "#3182bd", xs, mig),
                        new Svg.Series("long-term pinned pages", "#d62728", xs, pin)), 280, true, false)
                + Svg.lineChart("Offline retries (cumulative)", "virtual time (s)", "retries",
                List.of(new Svg.Series("offline retries", "#fd8d3c", xs, ret)), 240, true, false);
    }
}
