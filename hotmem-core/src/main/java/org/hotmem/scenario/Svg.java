package org.hotmem.scenario;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for the HTML reports: line charts with labelled axes and a legend, and the
 * memory map (blocks by zone and state over time). Output is plain text, deterministic, with no
 * scripts, so a report is one self-contained file that any browser renders.
 */
final class Svg {
    static final int W = 1100;
    static final int PAD_L = 90;
    static final int PAD_R = 250;
    static final int PAD_T = 34;
    static final int PAD_B = 44;

    /** One line of a chart. */
    record Series(String name, String color, double[] xs, double[] ys, boolean dotsOnly) {
        Series(String name, String color, double[] xs, double[] ys) {
            this(name, color, xs, ys, false);
        }
    }

    private Svg() {}

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Round tick steps: 1, 2, 5 times a power of ten. */
    static double niceStep(double range, int ticks) {
        if (range <= 0) return 1;
        double raw = range / ticks;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        double nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
        return nice * p;
    }

    static String tick(double v) {
        double a = Math.abs(v);
        if (a >= 1e9 && a % 1e6 == 0) return trim(v / 1e9) + "G";
        if (a >= 1e6 && a % 1e3 == 0) return trim(v / 1e6) + "M";
        if (a >= 1e4) return trim(v / 1e3) + "k";
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** A line chart; {@code step} draws staircase lines (counters, sampled states). */
    static String lineChart(String title, String xLabel, String yLabel, List<Series> series, int height,
                            boolean step, boolean markers) {
        double xmin = Double.MAX_VALUE, xmax = -Double.MAX_VALUE, ymax = 0, ymin = 0;
        for (Series s : series) {
            for (double x : s.xs()) { xmin = Math.min(xmin, x); xmax = Math.max(xmax, x); }
            for (double y : s.ys()) { ymax = Math.max(ymax, y); ymin = Math.min(ymin, y); }
        }
        if (xmin > xmax) { xmin = 0; xmax = 1; }
        if (xmax == xmin) xmax = xmin + 1;
        if (ymax == ymin) ymax = ymin + 1;
        double yStep = niceStep(ymax - ymin, 5);
        ymax = Math.ceil(ymax / yStep) * yStep;
        int pw = W - PAD_L - PAD_R;
        int ph = height - PAD_T - PAD_B;
        final double x0 = xmin, x1 = xmax, y0 = ymin, y1 = ymax;
        java.util.function.DoubleUnaryOperator sx = x -> PAD_L + (x - x0) / (x1 - x0) * pw;
        java.util.function.DoubleUnaryOperator sy = y -> PAD_T + ph - (y - y0) / (y1 - y0) * ph;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(height).append("\" class=\"chart\">\n");
        sb.append("<text x=\"").append(PAD_L).append("\" y=\"20\" class=\"title\">").append(esc(title)).append("</text>\n");
        // grid and y ticks
        for (double y = y0; y <= y1 + yStep / 2; y += yStep) {
            double py = sy.applyAsDouble(y);
            sb.append("<line x1=\"").append(PAD_L).append("\" y1=\"").append(f(py)).append("\" x2=\"").append(PAD_L + pw)
                    .append("\" y2=\"").append(f(py)).append("\" class=\"grid\"/>");
            sb.append("<text x=\"").append(PAD_L - 6).append("\" y=\"").append(f(py + 4)).append("\" class=\"yt\">")
                    .append(tick(y)).append("</text>\n");
        }
        double xStep = niceStep(x1 - x0, 8);
        for (double x = Math.ceil(x0 / xStep) * xStep; x <= x1 + 1e-9; x += xStep) {
            double px = sx.applyAsDouble(x);
            sb.append("<line x1=\"").append(f(px)).append("\" y1=\"").append(PAD_T + ph).append("\" x2=\"").append(f(px))
                    .append("\" y2=\"").append(PAD_T + ph + 5).append("\" class=\"axis\"/>");
            sb.append("<text x=\"").append(f(px)).append("\" y=\"").append(PAD_T + ph + 18).append("\" class=\"xt\">")
                    .append(tick(x)).append("</text>\n");
        }
        sb.append("<rect x=\"").append(PAD_L).append("\" y=\"").append(PAD_T).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" class=\"frame\"/>\n");
        sb.append("<text x=\"").append(PAD_L + pw / 2).append("\" y=\"").append(height - 6).append("\" class=\"xl\">")
                .append(esc(xLabel)).append("</text>\n");
        sb.append("<text transform=\"translate(16,").append(PAD_T + ph / 2).append(") rotate(-90)\" class=\"xl\">")
                .append(esc(yLabel)).append("</text>\n");
        int ly = PAD_T + 8;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            double[] xs = s.xs(), ys = s.ys();
            for (int i = 0; i < xs.length; i++) {
                double px = sx.applyAsDouble(xs[i]), py = sy.applyAsDouble(ys[i]);
                if (step && i > 0) pts.append(f(px)).append(',').append(f(sy.applyAsDouble(ys[i - 1]))).append(' ');
                pts.append(f(px)).append(',').append(f(py)).append(' ');
            }
            if (!s.dotsOnly()) sb.append("<polyline fill=\"none\" stroke=\"").append(s.color()).append("\" stroke-width=\"2\" points=\"")
                    .append(pts.toString().trim()).append("\"><title>").append(esc(s.name())).append("</title></polyline>\n");
            if (markers || s.dotsOnly()) {
                for (int i = 0; i < xs.length; i++) {
                    sb.append("<circle cx=\"").append(f(sx.applyAsDouble(xs[i]))).append("\" cy=\"")
                            .append(f(sy.applyAsDouble(ys[i]))).append("\" r=\"3.5\" fill=\"").append(s.color())
                            .append("\"><title>").append(esc(s.name())).append(": ").append(tick(xs[i])).append(" → ")
                            .append(tick(ys[i])).append("</title></circle>");
                }
                sb.append('\n');
            }
            if (s.dotsOnly()) sb.append("<circle cx=\"").append(W - PAD_R + 21).append("\" cy=\"").append(ly - 7).append("\" r=\"3.5\" fill=\"")
                    .append(s.color()).append("\"/><text x=\"").append(W - PAD_R + 34).append("\" y=\"").append(ly - 3)
                    .append("\" class=\"legend\">").append(esc(s.name())).append("</text>\n");
            else sb.append("<rect x=\"").append(W - PAD_R + 14).append("\" y=\"").append(ly - 9).append("\" width=\"14\" height=\"4\" fill=\"")
                    .append(s.color()).append("\"/><text x=\"").append(W - PAD_R + 34).append("\" y=\"").append(ly - 3)
                    .append("\" class=\"legend\">").append(esc(s.name())).append("</text>\n");
            ly += 18;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** Colours of the memory map characters. */
    static String mapColor(char c) {
        return switch (c) {
            case 'o' -> "#c9ced6";
            case 'D' -> "#8c6bb1";
            case 'N' -> "#e6550d";
            case 'M' -> "#31a354";
            case 'x' -> "#d62728";
            default -> "#ffffff";
        };
    }

    /**
     * The memory map over time: x is virtual time, y the block id (block 0 at the bottom), each
     * cell coloured by the block's state and zone at that sample.
     */
    static String memoryMap(List<RunResult.Sample> samples, long end) {
        int blocks = 0;
        for (RunResult.Sample s : samples) blocks = Math.max(blocks, s.map().length());
        int height = 420;
        int pw = W - PAD_L - PAD_R;
        int ph = height - PAD_T - PAD_B;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(height).append("\" class=\"chart\">\n");
        sb.append("<text x=\"").append(PAD_L).append("\" y=\"20\" class=\"title\">Memory map: blocks by zone and state over time</text>\n");
        if (blocks == 0 || samples.isEmpty()) return sb.append("</svg>\n").toString();
        double tEnd = Math.max(end, samples.get(samples.size() - 1).t() + 1);
        double bh = (double) ph / blocks;
        for (int i = 0; i < samples.size(); i++) {
            RunResult.Sample s = samples.get(i);
            double xa = PAD_L + s.t() / tEnd * pw;
            double xb = PAD_L + (i + 1 < samples.size() ? samples.get(i + 1).t() : tEnd) / tEnd * pw;
            String map = s.map();
            int b = 0;
            while (b < map.length()) {
                char c = map.charAt(b);
                int e = b;
                while (e + 1 < map.length() && map.charAt(e + 1) == c) e++;
                if (c != '.') {
                    double ya = PAD_T + ph - (e + 1) * bh;
                    sb.append("<rect x=\"").append(f(xa)).append("\" y=\"").append(f(ya)).append("\" width=\"")
                            .append(f(Math.max(0.8, xb - xa + 0.8))).append("\" height=\"").append(f((e - b + 1) * bh + 0.2))
                            .append("\" fill=\"").append(mapColor(c)).append("\"/>");
                }
                b = e + 1;
            }
            sb.append('\n');
        }
        sb.append("<rect x=\"").append(PAD_L).append("\" y=\"").append(PAD_T).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" class=\"frame\"/>\n");
        double yStep = Math.max(1, niceStep(blocks, 8));
        for (double y = 0; y <= blocks; y += yStep) {
            double py = PAD_T + ph - y * bh;
            sb.append("<text x=\"").append(PAD_L - 6).append("\" y=\"").append(f(py + 4)).append("\" class=\"yt\">")
                    .append(tick(y)).append("</text>");
        }
        double secs = tEnd / 1e9;
        double xStep = niceStep(secs, 8);
        for (double x = 0; x <= secs + 1e-9; x += xStep) {
            double px = PAD_L + x / secs * pw;
            sb.append("<text x=\"").append(f(px)).append("\" y=\"").append(PAD_T + ph + 18).append("\" class=\"xt\">")
                    .append(tick(x)).append("</text>");
        }
        sb.append("\n<text x=\"").append(PAD_L + pw / 2).append("\" y=\"").append(height - 6)
                .append("\" class=\"xl\">virtual time (s)</text>\n");
        sb.append("<text transform=\"translate(16,").append(PAD_T + ph / 2).append(") rotate(-90)\" class=\"xl\">memory block</text>\n");
        String[][] legend = {{"N", "online Normal"}, {"M", "online Movable"}, {"D", "online DMA/DMA32"},
                {"o", "offline"}, {"x", "mixed zones"}, {".", "absent"}};
        int ly = PAD_T + 8;
        for (String[] l : legend) {
            sb.append("<rect x=\"").append(W - PAD_R + 14).append("\" y=\"").append(ly - 10).append("\" width=\"14\" height=\"12\" fill=\"")
                    .append(mapColor(l[0].charAt(0))).append("\" stroke=\"#999\"/><text x=\"").append(W - PAD_R + 34)
                    .append("\" y=\"").append(ly).append("\" class=\"legend\">").append(l[1]).append("</text>\n");
            ly += 20;
        }
        return sb.append("</svg>\n").toString();
    }

    static final String CSS = """
            body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;max-width:1140px}
            h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd}
            .meta{color:#555;font-size:13px} .pass{color:#1a7f37;font-weight:bold} .fail{color:#cf222e;font-weight:bold}
            table{border-collapse:collapse;font-size:12.5px} td,th{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
            th{background:#f4f4f4} td.num{text-align:right;font-variant-numeric:tabular-nums}
            pre{font-size:12px;background:#f7f7f7;padding:8px;overflow:auto;max-height:420px}
            svg.chart{display:block;margin:6px 0;background:#fff}
            .title{font-size:14px;font-weight:bold} .grid{stroke:#eee} .axis{stroke:#666} .frame{fill:none;stroke:#888}
            .yt{font-size:11px;text-anchor:end;fill:#444} .xt{font-size:11px;text-anchor:middle;fill:#444}
            .xl{font-size:12px;text-anchor:middle;fill:#333} .legend{font-size:12px;fill:#333}
            tr.bad td{background:#fff0f0}
            """;
}
