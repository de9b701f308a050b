package org.hotmem.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Compares two conformance transcripts (JSONL) step by step with exactly the semantics and
 * the output of the reference script {@code conformance/compare}: kind/arg per step; output
 * and rc of guest/wait steps (and the timeout flag); QMP responses as JSON without a
 * top-level {@code id}; event names; restart {@code how}; expect-exit {@code qemu_status};
 * and the kernel log, reduced to the {@link #COMPARABLE} lines (timestamp prefix and trailing
 * blanks removed, {@code Total pages:} and the hibernation mismatch address masked),
 * compared as multisets per group: step 0, each guest step, each maximal run of other steps.
 * The report holds one block per failing step and ends with {@code N passed, M failed}.
 */
public final class TranscriptComparer implements TranscriptComparison {
    /** Kernel log messages a simulator is expected to reproduce (the script's COMPARABLE list). */
    public static final List<String> COMPARABLE = List.of(
            "Offlined Pages \\d+",
            "memory offlining \\[mem 0x[0-9a-f]+-0x[0-9a-f]+\\] failed due to .+",
            "online_pages \\[mem 0x[0-9a-f]+-0x[0-9a-f]+\\] failed",
            "page dumped because: .+",
            "memory memory\\d+: Offline failed\\.",
            "Fallback order for Node \\d+:.*",
            "Built \\d+ zonelists, mobility grouping (on|off)\\.  Total pages: \\d+",
            "Policy zone: \\w+",
            "acpi PNP0C80:[0-9a-f]+: Memory device configured by ACPI",
            "x86/mm: Memory block size: \\d+MB",
            "ACPI: SRAT: Node \\d+ PXM \\d+ \\[mem 0x[0-9a-f]+-0x[0-9a-f]+\\] hotplug",
            "virtio_mem virtio\\d+: (start address|region size|device block size|memory block size"
                    + "|subblock size|plugged size|requested size|nid): .+",
            "PM: hibernation: Image mismatch: .+",
            "PM: (hibernation: )?Image not found \\(code -?\\d+\\)",
            "PM: (hibernation: )?Image signature found, resuming",
            "PM: Error -?\\d+ resuming",
            "PM: hibernation: Failed to load image, recovering\\.",
            "PM: hibernation: resume failed \\(-?\\d+\\)",
            "PM: hibernation: hibernation (entry|exit)",
            "PM: hibernation: resume from hibernation",
            "PM: Image successfully loaded",
            "PM: hibernation: Preallocating image memory",
            "PM: hibernation: \\[Firmware Bug\\]: Memory map mismatch at 0x[0-9a-f]+ after hibernation",
            "PM: Swap header not found!",
            "virtio_mem virtio\\d+: (hibernation is not supported\\.|save/restore not supported\\.)",
            "reboot: Restarting system");

    /** Python's str regexes: Unicode \d \w \s, and '.' excludes only '\n'. */
    private static final int PY_FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES;
    private static final Pattern COMPARABLE_RE = Pattern.compile(
            "(?:" + String.join("|", COMPARABLE.stream().map(p -> "(?:" + p + ")").toList()) + ")", PY_FLAGS);
    private static final Pattern TS_RE = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s?", PY_FLAGS);
    private static final Pattern TOTAL_PAGES_RE = Pattern.compile("(Total pages: )\\d+", PY_FLAGS);
    private static final Pattern MISMATCH_AT_RE = Pattern.compile("(Memory map mismatch at )0x[0-9a-f]+", PY_FLAGS);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The script's command-line switches. */
    public record Options(boolean perStepKernelLog, boolean exactTotalPages, boolean noBootLog,
                          boolean noKernelLog, boolean quiet) {
        /** The default mode (no switches). */
        public static final Options DEFAULT = new Options(false, false, false, false, false);
    }

    /**
     * The outcome of one comparison.
     *
     * @param report       what the script prints, ending with the {@code N passed, M failed} line
     * @param passed       steps that passed
     * @param failed       steps that failed, plus one if a transcript holds an abort record
     * @param failingSteps the failing step numbers (-1 for an abort), in report order
     */
    public record Result(String report, int passed, int failed, List<Integer> failingSteps) {
        /** The script's exit status: 1 if anything failed. */
        public int exitStatus() {
            return failed > 0 ? 1 : 0;
        }

        /** The report without its final summary line. */
        public String blocks() {
            int cut = report.lastIndexOf('\n', report.length() - 2);
            return cut < 0 ? "" : report.substring(0, cut + 1);
        }
    }

    /** A loaded transcript: records by step, and the abort records. */
    public record Transcript(TreeMap<Integer, JsonNode> records, List<JsonNode> aborts) {
    }

    private final Options options;

    public TranscriptComparer(Options options) {
        this.options = options;
    }

    /**
     * Parses JSONL text as the script's {@code load()}: blank lines skipped, records without
     * {@code step} or with {@code kind} "abort" are aborts, a later record of a step replaces
     * an earlier one.
     *
     * @throws IllegalArgumentException {@code compare: NAME:LINE: not JSON: ...}
     */
    public static Transcript load(String name, String jsonl) {
        TreeMap<Integer, JsonNode> recs = new TreeMap<>();
        List<JsonNode> aborts = new ArrayList<>();
        String[] lines = jsonl.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode r;
            try {
                r = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("compare: " + name + ":" + (i + 1) + ": not JSON: " + e.getOriginalMessage());
            }
            if (!(r instanceof ObjectNode)) {
                throw new IllegalArgumentException("compare: " + name + ":" + (i + 1) + ": not a JSON object");
            }
            if ("abort".equals(r.path("kind").asText(null)) || !r.has("step")) {
                aborts.add(r);
                continue;
            }
            JsonNode step = r.get("step");
            int s;
            if (step.isNumber()) {
                s = step.intValue();
            } else {
                try {
                    s = Integer.parseInt(step.asText().strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("compare: " + name + ":" + (i + 1) + ": step is not an integer: " + step);
                }
            }
            recs.put(s, r);
        }
        return new Transcript(recs, aborts);
    }

    /** Compares two JSONL texts. */
    @Override
    public Result compare(String expectedName, String expectedJsonl, String actualName, String actualJsonl) {
        return compare(load(expectedName, expectedJsonl), load(actualName, actualJsonl));
    }

    /** Compares two loaded transcripts. */
    public Result compare(Transcript expected, Transcript actual) {
        Map<Integer, JsonNode> exp = expected.records();
        Map<Integer, JsonNode> act = actual.records();
        TreeSet<Integer> stepSet = new TreeSet<>(exp.keySet());
        stepSet.addAll(act.keySet());
        List<Integer> steps = new ArrayList<>(stepSet);
        Map<Integer, List<String>> failures = new LinkedHashMap<>();

        for (int s : steps) {
            JsonNode e = exp.get(s);
            JsonNode a = act.get(s);
            if (e == null || a == null) {
                fail(failures, s, "step missing in " + (e == null ? "expected" : "actual"));
                continue;
            }
            if (!Py.eq(e.get("kind"), a.get("kind")) || (s != 0 && !Py.eq(e.get("arg"), a.get("arg")))) {
                fail(failures, s, "different scenario line: expected " + Py.str(e.get("kind")) + " " + Py.repr(e.get("arg"))
                        + ", actual " + Py.str(a.get("kind")) + " " + Py.repr(a.get("arg")));
                continue;
            }
            String kind = e.path("kind").isTextual() ? e.get("kind").textValue() : null;
            if ("guest".equals(kind) || "wait".equals(kind)) {
                boolean et = Py.truthy(e.get("timeout"));
                boolean at = Py.truthy(a.get("timeout"));
                if (et != at) {
                    fail(failures, s, "timeout: expected " + pyBool(et) + ", actual " + pyBool(at));
                    continue;
                }
                if (!Py.eq(e.get("rc"), a.get("rc"))) {
                    fail(failures, s, "rc: expected " + Py.str(e.get("rc")) + ", actual " + Py.str(a.get("rc")));
                }
                String eo = textOr(e.get("output"));
                String ao = textOr(a.get("output"));
                if (!eo.equals(ao)) {
                    fail(failures, s, "output differs:\n" + textDiff(eo, ao, "output"));
                }
            } else if ("qmp".equals(kind)) {
                String ne = normResponse(e.get("response"));
                String na = normResponse(a.get("response"));
                if (!ne.equals(na)) {
                    fail(failures, s, "qmp response differs:\n  expected " + ne + "\n  actual   " + na);
                }
            } else if ("event".equals(kind)) {
                JsonNode en = Py.truthy(e.get("event")) ? e.get("event").get("event") : null;
                JsonNode an = Py.truthy(a.get("event")) ? a.get("event").get("event") : null;
                if (!Py.eq(en, an)) {
                    fail(failures, s, "event: expected " + Py.str(en) + ", actual " + Py.str(an));
                }
            } else if ("restart".equals(kind) || "restart-with-qemu".equals(kind)) {
                if (!Py.eq(e.get("how"), a.get("how"))) {
                    fail(failures, s, "restart: expected " + Py.str(e.get("how")) + ", actual " + Py.str(a.get("how")));
                }
            } else if ("expect-exit".equals(kind)) {
                if (!Py.eq(e.get("qemu_status"), a.get("qemu_status"))) {
                    fail(failures, s, "machine exit status: expected " + Py.str(e.get("qemu_status"))
                            + ", actual " + Py.str(a.get("qemu_status")));
                }
            }
        }

        if (!options.noKernelLog()) {
            compareKernelLogs(exp, act, steps, failures);
        }
        for (JsonNode ab : expected.aborts()) {
            fail(failures, -1, "expected transcript has an abort record: " + Py.str(ab.get("error")));
        }
        for (JsonNode ab : actual.aborts()) {
            fail(failures, -1, "actual transcript has an abort record: " + Py.str(ab.get("error")));
        }

        int failingSteps = 0;
        for (int s : steps) {
            if (failures.containsKey(s)) {
                failingSteps++;
            }
        }
        int failed = failingSteps + (failures.containsKey(-1) ? 1 : 0);
        int passed = steps.size() - failingSteps;
        StringBuilder out = new StringBuilder();
        if (!options.quiet()) {
            for (Map.Entry<Integer, List<String>> f : failures.entrySet()) {
                int s = f.getKey();
                if (s == -1) {
                    out.append("=== transcript\n");
                } else {
                    JsonNode r = exp.get(s) != null && Py.truthy(exp.get(s)) ? exp.get(s) : act.get(s);
                    String line = r.has("line") ? Py.str(r.get("line")) : "-";
                    String arg = Py.truthy(r.get("arg")) ? Py.str(r.get("arg")) : "";
                    int nl = arg.indexOf('\n');
                    out.append("=== step ").append(s).append(' ').append(Py.str(r.get("kind")))
                            .append(" (line ").append(line).append("): ").append(nl < 0 ? arg : arg.substring(0, nl)).append('\n');
                }
                for (String m : f.getValue()) {
                    out.append(Py.rstripNewlines(m)).append('\n');
                }
                out.append('\n');
            }
        }
        out.append(passed).append(" passed, ").append(failed).append(" failed\n");
        return new Result(out.toString(), passed, failed, List.copyOf(failures.keySet()));
    }

    private void compareKernelLogs(Map<Integer, JsonNode> exp, Map<Integer, JsonNode> act, List<Integer> steps,
                                   Map<Integer, List<String>> failures) {
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        for (int s : steps) {
            if (s == 0) {
                if (!options.noBootLog()) {
                    groups.add(List.of(0));
                }
                continue;
            }
            JsonNode r = exp.get(s) != null && Py.truthy(exp.get(s)) ? exp.get(s) : act.get(s);
            boolean guest = r.path("kind").isTextual() && r.get("kind").textValue().equals("guest");
            if (options.perStepKernelLog() || guest) {
                if (!cur.isEmpty()) {
                    groups.add(cur);
                    cur = new ArrayList<>();
                }
                groups.add(List.of(s));
            } else {
                cur.add(s);
            }
        }
        if (!cur.isEmpty()) {
            groups.add(cur);
        }
        for (List<Integer> members : groups) {
            Map<String, Integer> ce = new LinkedHashMap<>();
            Map<String, Integer> ca = new LinkedHashMap<>();
            for (int s : members) {
                if (exp.containsKey(s)) {
                    count(ce, comparableLines(exp.get(s), options.exactTotalPages()));
                }
                if (act.containsKey(s)) {
                    count(ca, comparableLines(act.get(s), options.exactTotalPages()));
                }
            }
            if (!ce.equals(ca)) {
                int close = members.get(members.size() - 1);
                String where = members.size() == 1 ? "step " + close : "steps " + members.get(0) + "-" + close;
                StringBuilder msg = new StringBuilder("kernel log (" + where + ") differs:");
                appendSurplus(msg, ce, ca, "\n  - ");
                appendSurplus(msg, ca, ce, "\n  + ");
                fail(failures, close, msg.toString());
            }
        }
    }

    /** Appends the elements of Counter(x) - Counter(y), in x's first-seen order, each as often as it is surplus. */
    private static void appendSurplus(StringBuilder msg, Map<String, Integer> x, Map<String, Integer> y, String prefix) {
        for (Map.Entry<String, Integer> en : x.entrySet()) {
            int n = en.getValue() - y.getOrDefault(en.getKey(), 0);
            for (int i = 0; i < n; i++) {
                msg.append(prefix).append(en.getKey());
            }
        }
    }

    private static void count(Map<String, Integer> counter, List<String> lines) {
        for (String l : lines) {
            counter.merge(l, 1, Integer::sum);
        }
    }

    /** The comparable kernel lines of a record, normalised as the script does. */
    public static List<String> comparableLines(JsonNode rec, boolean exactTotal) {
        List<String> out = new ArrayList<>();
        JsonNode log = rec.get("kernel_log");
        if (!Py.truthy(log)) {
            return out;
        }
        for (JsonNode n : log) {
            String l = Py.rstrip(TS_RE.matcher(n.asText()).replaceFirst(""));
            if (COMPARABLE_RE.matcher(l).matches()) {
                if (!exactTotal) {
                    l = TOTAL_PAGES_RE.matcher(l).replaceAll("$1*");
                }
                l = MISMATCH_AT_RE.matcher(l).replaceAll("$1*");
                out.add(l);
            }
        }
        return out;
    }

    private static String normResponse(JsonNode resp) {
        if (resp instanceof ObjectNode o && o.has("id")) {
            ObjectNode c = o.deepCopy();
            c.remove("id");
            resp = c;
        }
        return PyJson.dumps(resp);
    }

    private static String textOr(JsonNode n) {
        return Py.truthy(n) ? Py.str(n) : "";
    }

    /** The script's text_diff: difflib.unified_diff with 2 lines of context, marking missing final newlines. */
    static String textDiff(String exp, String act, String label) {
        List<String> d = UnifiedDiff.unifiedDiff(Py.splitlinesKeepends(exp), Py.splitlinesKeepends(act),
                "expected " + label, "actual " + label, 2);
        StringBuilder sb = new StringBuilder();
        for (String l : d) {
            sb.append(l.endsWith("\n") ? l : l + "\n\\ no newline at end\n");
        }
        return sb.toString();
    }

    private static String pyBool(boolean b) {
        return b ? "True" : "False";
    }

    private static void fail(Map<Integer, List<String>> failures, int step, String msg) {
        failures.computeIfAbsent(step, k -> new ArrayList<>()).add(msg);
    }
}
