package org.hotmem.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Checks a scenario's expectations against a run's outcomes, metrics and final state. */
final class Expectations {
    private Expectations() {}

    static List<RunResult.Verdict> check(Scenario s, List<RunResult.ActionOutcome> outcomes,
                                         Map<String, Double> metrics, Target.Snapshot fin) {
        List<RunResult.Verdict> out = new ArrayList<>();
        for (Expectation e : s.expectations()) {
            switch (e) {
                case Expectation.ActionResult a -> {
                    RunResult.ActionOutcome o = outcomes.stream().filter(x -> x.id().equals(a.action())).findFirst().orElseThrow();
                    boolean ok = o.result().equals(a.result());
                    if (a.within() >= 0) ok &= o.duration() >= 0 && o.duration() <= a.within();
                    String text = "action " + a.action() + " ends " + a.result()
                            + (a.within() >= 0 ? " within " + Quantities.formatDuration(a.within()) : "");
                    String actual = o.result() + (o.duration() >= 0 ? " after " + Quantities.formatDuration(o.duration()) : "")
                            + (o.detail().isEmpty() ? "" : " (" + o.detail() + ")");
                    out.add(new RunResult.Verdict(a.line(), text, ok, actual));
                }
                case Expectation.Metric m -> {
                    Double v = metrics.get(m.metric());
                    StringBuilder text = new StringBuilder(m.metric());
                    if (m.atLeast() != null) text.append(" >= ").append(show(m.metric(), m.atLeast()));
                    if (m.atMost() != null) text.append(" <= ").append(show(m.metric(), m.atMost()));
                    if (m.equals() != null) text.append(" == ").append(show(m.metric(), m.equals()));
                    if (v == null) {
                        out.add(new RunResult.Verdict(m.line(), text.toString(), false, "no such metric; known: "
                                + String.join(", ", metrics.keySet())));
                        continue;
                    }
                    boolean ok = (m.atLeast() == null || v >= m.atLeast()) && (m.atMost() == null || v <= m.atMost())
                            && (m.equals() == null || v.doubleValue() == m.equals().doubleValue());
                    out.add(new RunResult.Verdict(m.line(), text.toString(), ok, show(m.metric(), v)));
                }
                case Expectation.Blocks b -> out.add(blocks(b, fin));
            }
        }
        return out;
    }

    private static RunResult.Verdict blocks(Expectation.Blocks b, Target.Snapshot fin) {
        List<Long> ids = b.blocks().ids();
        String want = (b.state() == null ? "" : b.state()) + (b.zone() == null ? "" : (b.state() == null ? "" : " ") + b.zone());
        List<String> wrong = new ArrayList<>();
        for (long id : ids) {
            Target.BlockState st = fin.blocks().get(id);
            String state = st == null ? "absent" : st.state();
            String zone = st == null || !st.state().equals("online") ? null : st.zone();
            boolean ok = (b.state() == null || b.state().equals(state)) && (b.zone() == null || Objects.equals(b.zone(), zone));
            if (!ok && wrong.size() < 8) wrong.add("memory" + id + " " + state + (zone == null ? "" : " " + zone));
            else if (!ok) wrong.add("...");
        }
        String text = "blocks " + b.blocks() + " are " + want;
        if (b.blocks().dimm() != null || b.blocks().zone() != null) {
            return new RunResult.Verdict(b.line(), text, false, "block expectations take explicit block numbers");
        }
        return new RunResult.Verdict(b.line(), text, wrong.isEmpty(),
                wrong.isEmpty() ? "all " + ids.size() + " " + want : String.join(", ", wrong.subList(0, Math.min(9, wrong.size()))));
    }

    static String show(String metric, double v) {
        if (metric.contains("bytes")) return Quantities.formatSize((long) v);
        if (metric.startsWith("duration_ns")) return Quantities.formatDuration((long) v);
        if (v == Math.rint(v)) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
