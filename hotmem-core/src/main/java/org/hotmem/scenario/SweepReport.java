package org.hotmem.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The outputs of a sweep: a CSV with one row per run (parameters, seed, passed, every metric, error)
 * and an HTML page with the chosen metric against the first parameter: one dot per seed and a
 * line through the mean, one series per combination of the other parameters.
 */
public final class SweepReport {
    private static final String[] COLORS = {"#3182bd", "#e6550d", "#31a354", "#756bb1", "#d62728", "#8c564b",
            "#e377c2", "#17becf"};

    private SweepReport() {}

    /** The metric columns: the union over rows, sorted. */
    public static List<String> metricColumns(List<Sweep.Row> rows) {
        TreeSet<String> cols = new TreeSet<>();
        for (Sweep.Row r : rows) cols.addAll(r.metrics().keySet());
        return new ArrayList<>(cols);
    }

    public static String csv(List<String> params, List<Sweep.Row> rows) {
        List<String> metrics = metricColumns(rows);
        StringBuilder sb = new StringBuilder();
        List<String> header = new ArrayList<>(params);
        header.add("seed");
        header.add("passed");
        header.addAll(metrics);
        header.add("error");
        sb.append(String.join(",", header.stream().map(SweepReport::cell).toList())).append('\n');
        for (Sweep.Row r : rows) {
            List<String> cells = new ArrayList<>();
            for (String p : params) cells.add(cell(r.point().params().get(p)));
            cells.add(Long.toString(r.point().seed()));
            cells.add(Boolean.toString(r.passed()));
            for (String m : metrics) {
                Double v = r.metrics().get(m);
                cells.add(v == null ? "" : number(v));
            }
            cells.add(cell(r.error() == null ? "" : r.error()));
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 9e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static String cell(String s) {
        if (s == null) return "";
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) return '"' + s.replace("\"", "\"\"") + '"';
        return s;
    }

    /** The numeric value of a parameter value, for the x axis: a number, a size or a duration; NaN if none. */
    static double numeric(String v) {
        try {
            return Double.parseDouble(v.endsWith("%") ? v.substring(0, v.length() - 1) : v);
        } catch (NumberFormatException e) {
            long s = Quantities.parseSize(v);
            if (s >= 0) return s;
            long d = Quantities.parseDuration(v);
            return d >= 0 ? d / 1e9 : Double.NaN;
        }
    }

    public static String html(String scenario, List<String> params, Map<String, List<String>> grid,
                              List<Sweep.Row> rows, String metric) {
        String xParam = params.isEmpty() ? null : params.get(0);
        List<String> xValues = xParam == null ? List.of("") : grid.get(xParam);
        boolean numericX = xParam != null && xValues.stream().allMatch(v -> !Double.isNaN(numeric(v)));
        // sizes are charted in GiB or MiB, not in decimal multiples of bytes
        boolean xSizes = numericX && xValues.stream().allMatch(v -> v.matches("(?i)[0-9.]+\\s*[kmgt]i?b?"));
        double xMax = 0;
        if (numericX) for (String v : xValues) xMax = Math.max(xMax, numeric(v));
        double xDiv = xSizes ? (xMax >= (1L << 30) ? 1L << 30 : 1L << 20) : 1;
        String xUnit = xSizes ? (xDiv == (1L << 30) ? " (GiB)" : " (MiB)") : "";
        double yMax = 0;
        for (Sweep.Row r : rows) yMax = Math.max(yMax, r.metrics().getOrDefault(metric, 0.0));
        boolean ySizes = metric.contains("bytes");
        double yDiv = ySizes ? (yMax >= (1L << 30) ? 1L << 30 : 1L << 20) : metric.startsWith("duration_ns") ? 1e9 : 1;
        String yUnit = ySizes ? (yDiv == (1L << 30) ? " (GiB)" : " (MiB)") : metric.startsWith("duration_ns") ? " (s)" : "";
        // one series per combination of the other parameters
        Map<String, List<Sweep.Row>> bySeries = new LinkedHashMap<>();
        for (Sweep.Row r : rows) {
            StringBuilder key = new StringBuilder();
            for (String p : params) {
                if (p.equals(xParam)) continue;
                if (!key.isEmpty()) key.append(' ');
                key.append(p).append('=').append(r.point().params().get(p));
            }
            bySeries.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(r);
        }
        List<Svg.Series> lines = new ArrayList<>();
        StringBuilder table = new StringBuilder("<table><tr><th>series</th><th>")
                .append(Svg.esc(xParam == null ? "" : xParam)).append("</th><th>runs</th><th>passed</th><th>min</th><th>mean</th><th>max</th></tr>\n");
        int ci = 0;
        for (var e : bySeries.entrySet()) {
            String color = COLORS[ci++ % COLORS.length];
            List<Double> mx = new ArrayList<>(), my = new ArrayList<>();
            List<Double> dx = new ArrayList<>(), dy = new ArrayList<>();
            for (int xi = 0; xi < xValues.size(); xi++) {
                String xv = xValues.get(xi);
                double x = numericX ? numeric(xv) / xDiv : xi;
                double sum = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
                int n = 0, passed = 0;
                for (Sweep.Row r : e.getValue()) {
                    if (xParam != null && !xv.equals(r.point().params().get(xParam))) continue;
                    if (r.passed()) passed++;
                    Double v = r.metrics().get(metric);
                    if (v == null) continue;
                    dx.add(x);
                    dy.add(v / yDiv);
                    sum += v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    n++;
                }
                if (n == 0) continue;
                mx.add(x);
                my.add(sum / n / yDiv);
                table.append("<tr><td>").append(Svg.esc(e.getKey().isEmpty() ? "all" : e.getKey())).append("</td><td>").append(Svg.esc(xv))
                        .append("</td><td class=\"num\">").append(n).append("</td><td class=\"num\">").append(passed)
                        .append("</td><td class=\"num\">").append(Expectations.show(metric, min))
                        .append("</td><td class=\"num\">").append(Expectations.show(metric, sum / n))
                        .append("</td><td class=\"num\">").append(Expectations.show(metric, max)).append("</td></tr>\n");
            }
            String prefix = e.getKey().isEmpty() ? "" : e.getKey() + " ";
            lines.add(new Svg.Series(prefix + "mean", color, toArray(mx), toArray(my)));
            lines.add(new Svg.Series(prefix + "each seed", color, toArray(dx), toArray(dy), true));
        }
        table.append("</table>\n");
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hotmem sweep: ")
                .append(Svg.esc(scenario)).append("</title>\n<style>").append(Svg.CSS).append("</style></head><body>\n");
        sb.append("<h1>Sweep: ").append(Svg.esc(scenario)).append("</h1>\n<div class=\"meta\">");
        for (var g : grid.entrySet()) sb.append(Svg.esc(g.getKey())).append(" = ").append(Svg.esc(String.join(", ", g.getValue()))).append(" · ");
        long seeds = rows.stream().map(r -> r.point().seed()).distinct().count();
        sb.append(seeds).append(" seeds · ").append(rows.size()).append(" runs</div>\n");
        sb.append("<h2>").append(Svg.esc(metric)).append(" against ").append(Svg.esc(xParam == null ? "run" : xParam)).append("</h2>\n");
        sb.append(scatter(metric + yUnit, xParam == null ? null : xParam + xUnit, numericX ? null : xValues, lines));
        sb.append("<h2>Per grid point</h2>\n").append(table);
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** Means as lines, each seed as a dot; categorical x values are numbered 0.. and named in the axis label. */
    private static String scatter(String metric, String xParam, List<String> categories, List<Svg.Series> lines) {
        String xLabel = xParam == null ? "" : xParam;
        if (categories != null && xParam != null) {
            StringBuilder sb = new StringBuilder(xParam).append(": ");
            for (int i = 0; i < categories.size(); i++) sb.append(i == 0 ? "" : ", ").append(i).append('=').append(categories.get(i));
            xLabel = sb.toString();
        }
        return Svg.lineChart(metric + " (line: mean over seeds; dots: each seed)", xLabel, metric, lines, 420, false, false);
    }

    /** A plain-text table: one line per grid point with the metric's min/mean/max over seeds and passes. */
    public static String table(List<String> params, Map<String, List<String>> grid, List<Sweep.Row> rows, String metric) {
        Map<String, List<Sweep.Row>> byPoint = new LinkedHashMap<>();
        for (Sweep.Row r : rows) {
            StringBuilder key = new StringBuilder();
            for (String p : params) key.append(key.isEmpty() ? "" : " ").append(p).append('=').append(r.point().params().get(p));
            byPoint.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-36s %5s %6s %14s %14s %14s%n",
                "grid point", "runs", "passed", "min", "mean", "max"));
        sb.append("metric: ").append(metric).append('\n');
        for (var e : byPoint.entrySet()) {
            double sum = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            int n = 0, passed = 0;
            for (Sweep.Row r : e.getValue()) {
                if (r.passed()) passed++;
                Double v = r.metrics().get(metric);
                if (v == null) continue;
                n++;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            sb.append(String.format(Locale.ROOT, "%-36s %5d %6d %14s %14s %14s%n", e.getKey(), e.getValue().size(), passed,
                    n == 0 ? "-" : Expectations.show(metric, min), n == 0 ? "-" : Expectations.show(metric, sum / n),
                    n == 0 ? "-" : Expectations.show(metric, max)));
        }
        return sb.toString();
    }

    private static double[] toArray(List<Double> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }
}
