package org.hotmem.scenario;

import java.util.Locale;
import java.util.Map;

/**
 * The human-readable report printed by {@code hotmem run}: the timeline (virtual time, source,
 * what happened, outcome, errno) and a summary (per-action durations, per-block outcomes,
 * migrations, retries, unpluggable bytes per zone, expectations). A pure function of the result:
 * no wall time here.
 */
public final class TextReport {
    private TextReport() {}

    public static String timeline(RunResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %-14s %-58s %s%n", "time (virtual s)", "source", "what", "outcome"));
        for (RunResult.Event e : r.events()) {
            String outcome = e.outcome() == null ? "" : e.outcome();
            if (e.errno() != null && !e.errno().isEmpty() && !outcome.contains(e.errno())) outcome += " " + e.errno();
            sb.append(String.format(Locale.ROOT, "%16s %-14s %-58s %s", Quantities.formatSeconds(e.t()),
                    clip(e.source(), 14), e.what(), outcome).stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    public static String summary(RunResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("== summary: ").append(r.scenario()).append(" (seed ").append(r.seed());
        if (!r.params().isEmpty()) {
            sb.append(", ");
            StringBuilder ps = new StringBuilder();
            r.params().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                if (!ps.isEmpty()) ps.append(' ');
                ps.append(e.getKey()).append('=').append(e.getValue());
            });
            sb.append(ps);
        }
        sb.append(", ").append(Quantities.formatDuration(r.endNs())).append(" of virtual time)\n");
        sb.append("operations:\n");
        for (RunResult.ActionOutcome a : r.actions()) {
            if (a.kind().equals("note")) continue;
            sb.append(String.format(Locale.ROOT, "  %-12s %-44s %-10s %s%n", clip(a.id(), 12), clip(a.what(), 44),
                    a.result(), a.duration() < 0 ? "-" : Quantities.formatDuration(a.duration())));
        }
        sb.append("blocks:\n");
        sb.append(blockSummary(r));
        Map<String, Double> m = r.metrics();
        sb.append(String.format(Locale.ROOT, "pages migrated: %d, migration failures: %d, offline retries: %d%n",
                lng(m, "pages_migrated"), lng(m, "migrate_failures"), lng(m, "offline_retries")));
        sb.append("unpluggable: ");
        boolean first = true;
        for (var e : m.entrySet()) {
            if (!e.getKey().startsWith("unpluggable_bytes.")) continue;
            if (!first) sb.append(", ");
            first = false;
            sb.append(e.getKey().substring("unpluggable_bytes.".length())).append(' ')
                    .append(Quantities.formatSize(e.getValue().longValue()));
        }
        sb.append('\n');
        if (!r.expectations().isEmpty()) {
            sb.append("expectations:\n");
            for (RunResult.Verdict v : r.expectations()) {
                sb.append(String.format(Locale.ROOT, "  %-4s line %-4d %s%s%n", v.passed() ? "ok" : "FAIL", v.line(),
                        v.expectation(), v.passed() ? "" : "  (got " + v.actual() + ")"));
            }
        }
        if (!r.expectations().isEmpty()) sb.append(r.passed() ? "PASS\n" : "FAIL\n");
        return sb.toString();
    }

    /** Blocks grouped in runs of equal outcome: {@code memory64-255  online Movable  onlined 1}. */
    static String blockSummary(RunResult r) {
        StringBuilder sb = new StringBuilder();
        var blocks = r.blocks();
        int i = 0;
        while (i < blocks.size()) {
            RunResult.BlockOutcome b = blocks.get(i);
            int j = i;
            while (j + 1 < blocks.size() && same(blocks.get(j + 1), b) && blocks.get(j + 1).id() == blocks.get(j).id() + 1) j++;
            String ids = j == i ? "memory" + b.id() : "memory" + b.id() + "-" + blocks.get(j).id();
            String hist = "";
            if (b.onlined() + b.offlined() + b.failedOfflines() > 0) {
                hist = String.format(Locale.ROOT, "onlined %d, offlined %d, failed offlines %d", b.onlined(),
                        b.offlined(), b.failedOfflines());
                if (b.lastError() != null) hist += " (" + b.lastError() + ")";
            }
            sb.append(String.format(Locale.ROOT, "  %-16s %-8s %-8s %s", ids, b.state(), b.zone() == null ? "" : b.zone(),
                    hist).stripTrailing()).append('\n');
            i = j + 1;
        }
        return sb.toString();
    }

    private static boolean same(RunResult.BlockOutcome a, RunResult.BlockOutcome b) {
        return a.state().equals(b.state()) && java.util.Objects.equals(a.zone(), b.zone())
                && a.onlined() == b.onlined() && a.offlined() == b.offlined()
                && a.failedOfflines() == b.failedOfflines() && java.util.Objects.equals(a.lastError(), b.lastError());
    }

    private static long lng(Map<String, Double> m, String k) {
        Double v = m.get(k);
        return v == null ? 0 : v.longValue();
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }
}
