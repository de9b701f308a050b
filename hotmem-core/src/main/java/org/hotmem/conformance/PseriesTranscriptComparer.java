package org.hotmem.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The comparer of the pseries recorder (../shared/linux-recorder-ppc/compare), ported with its
 * semantics and report: records are paired in order (boot, note and sleep records skipped);
 * {@code rc}, {@code output} and {@code response} must be equal after masking, and the event
 * names of each step too. Masks: uptimes ("uptime T -> T", /proc/uptime lines) always;
 * unless strict, MemFree/MemAvailable, pgmigrate_success/fail and blockpages' counts other
 * than {@code offline=} (page cache, anon and slab pages move by a few from run to run).
 * Kernel logs: the set of cmm/hotplug message kinds (numbers masked) over the whole run; per
 * step only when strict, because CMM's once-a-second lines fall into different steps from run
 * to run. The report ends with {@code N passed, M failed}.
 *
 * <p>Immutable.
 */
public final class PseriesTranscriptComparer implements TranscriptComparison {
    private static final int PY = Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES;
    private static final Pattern UPTIME_ARROW = Pattern.compile("uptime [0-9.]+ -> [0-9.]+", PY);
    private static final Pattern UPTIME_LINE = Pattern.compile("^[0-9]+\\.[0-9]+ [0-9]+\\.[0-9]+$", PY | Pattern.MULTILINE);
    private static final Pattern FREE = Pattern.compile("(MemFree|MemAvailable): [0-9]+ kB", PY);
    private static final Pattern PGMIGRATE = Pattern.compile("(pgmigrate_success|pgmigrate_fail) [0-9]+", PY);
    private static final Pattern KINDS = Pattern.compile(" (buddy|slab|lru|pgtable|other)=[0-9]+", PY);
    private static final Pattern TIMESTAMP = Pattern.compile("^\\[\\s*[0-9.]+\\] ", PY);
    private static final Pattern COMPARED = Pattern.compile("(cmm: |Offlined Pages|memory offlining|pseries-hotplug-mem)", PY);
    private static final Pattern NUMBER = Pattern.compile("\\b(0x)?[0-9a-f]+\\b", PY);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean strict;

    /** @param strict the script's {@code --strict} */
    public PseriesTranscriptComparer(boolean strict) {
        this.strict = strict;
    }

    String mask(String s) {
        s = UPTIME_ARROW.matcher(s).replaceAll("uptime T -> T");
        s = UPTIME_LINE.matcher(s).replaceAll("UPTIME");
        if (!strict) {
            s = FREE.matcher(s).replaceAll("$1: N kB");
            s = PGMIGRATE.matcher(s).replaceAll("$1 N");
            s = KINDS.matcher(s).replaceAll(" $1=N");
        }
        return s;
    }

    /** The script's klog_kinds(): the compared kernel messages with their numbers masked. */
    static TreeSet<String> kinds(JsonNode lines) {
        TreeSet<String> out = new TreeSet<>();
        if (lines == null || !lines.isArray()) {
            return out;
        }
        for (JsonNode n : lines) {
            String l = TIMESTAMP.matcher(n.asText()).replaceFirst("");
            if (COMPARED.matcher(l).lookingAt()) {
                out.add(NUMBER.matcher(l).replaceAll("N"));
            }
        }
        return out;
    }

    private static List<JsonNode> load(String name, String jsonl) {
        List<JsonNode> out = new ArrayList<>();
        String[] lines = jsonl.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(lines[i]));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("compare: " + name + ":" + (i + 1) + ": not JSON: " + e.getOriginalMessage());
            }
        }
        return out;
    }

    private static String lineDiff(String a, String b) {
        String[] la = a.split("\n", -1);
        String[] lb = b.split("\n", -1);
        la = a.isEmpty() ? new String[0] : stripLast(la, a);
        lb = b.isEmpty() ? new String[0] : stripLast(lb, b);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(la.length, lb.length); i++) {
            String x = i < la.length ? la[i] : "<none>";
            String y = i < lb.length ? lb[i] : "<none>";
            if (!x.equals(y)) {
                out.add("A: " + x + "\n      B: " + y);
            }
        }
        return String.join("\n      ", out);
    }

    /** str.splitlines(): no empty last element for a trailing newline. */
    private static String[] stripLast(String[] parts, String s) {
        return s.endsWith("\n") ? java.util.Arrays.copyOf(parts, parts.length - 1) : parts;
    }

    private static List<String> eventNames(JsonNode r) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : r.path("events")) {
            out.add(e.path("event").asText());
        }
        if (Py.truthy(r.get("event"))) {
            out.add(r.get("event").path("event").asText());
        }
        return out;
    }

    private static String reprList(java.util.Collection<String> l) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (String s : l) {
            sb.append(first ? "" : ", ").append(Py.reprString(s));
            first = false;
        }
        return sb.append(']').toString();
    }

    @Override
    public TranscriptComparer.Result compare(String expectedName, String expectedJsonl, String actualName, String actualJsonl) {
        List<JsonNode> a = load(expectedName, expectedJsonl);
        List<JsonNode> b = load(actualName, actualJsonl);
        StringBuilder report = new StringBuilder();
        List<Integer> failing = new ArrayList<>();
        int ok = 0;
        int bad = 0;
        TreeSet<String> ka = new TreeSet<>();
        TreeSet<String> kb = new TreeSet<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            JsonNode ra = a.get(i);
            JsonNode rb = b.get(i);
            String kind = ra.path("kind").asText("");
            if (kind.equals("boot") || kind.equals("note") || kind.equals("sleep")) {
                continue;
            }
            List<String> diffs = new ArrayList<>();
            for (String k : List.of("rc", "output", "response")) {
                JsonNode va = ra.get(k);
                JsonNode vb = rb.get(k);
                if (va != null && va.isTextual()) {
                    String x = mask(va.textValue());
                    String y = mask(vb != null && vb.isTextual() ? vb.textValue() : "");
                    if (!x.equals(y)) {
                        diffs.add(k + ":\n      " + lineDiff(x, y));
                    }
                } else if (!Py.eq(va, vb)) {
                    diffs.add(k + ": " + Py.repr(va) + " != " + Py.repr(vb));
                }
            }
            List<String> ea = eventNames(ra);
            List<String> eb = eventNames(rb);
            if (!ea.equals(eb)) {
                diffs.add("events: " + reprList(ea) + " != " + reprList(eb));
            }
            TreeSet<String> sa = kinds(ra.get("kernel_log"));
            TreeSet<String> sb = kinds(rb.get("kernel_log"));
            if (strict && !sa.equals(sb)) {
                TreeSet<String> onlyA = new TreeSet<>(sa);
                onlyA.removeAll(sb);
                TreeSet<String> onlyB = new TreeSet<>(sb);
                onlyB.removeAll(sa);
                diffs.add("kernel message kinds: only A " + reprList(onlyA) + ", only B " + reprList(onlyB));
            }
            ka.addAll(sa);
            kb.addAll(sb);
            if (diffs.isEmpty()) {
                ok++;
                continue;
            }
            bad++;
            failing.add(ra.path("step").asInt(-1));
            String arg = ra.path("arg").asText("");
            report.append("step ").append(Py.str(ra.get("step"))).append(" (").append(kind).append(' ')
                    .append(arg.codePointCount(0, arg.length()) > 60 ? arg.substring(0, arg.offsetByCodePoints(0, 60)) : arg)
                    .append("):\n");
            for (String d : diffs) {
                report.append("    ").append(d.length() > 600 ? d.substring(0, 600) : d).append('\n');
            }
        }
        if (!ka.equals(kb)) {
            TreeSet<String> onlyA = new TreeSet<>(ka);
            onlyA.removeAll(kb);
            TreeSet<String> onlyB = new TreeSet<>(kb);
            onlyB.removeAll(ka);
            report.append("kernel message kinds over the whole run differ: only A ").append(reprList(onlyA))
                    .append(", only B ").append(reprList(onlyB)).append('\n');
            bad++;
            failing.add(-1);
        }
        if (a.size() != b.size()) {
            report.append("different number of records: ").append(a.size()).append(" vs ").append(b.size()).append('\n');
            bad++;
            failing.add(-1);
        }
        report.append(ok).append(" passed, ").append(bad).append(" failed\n");
        return new TranscriptComparer.Result(report.toString(), ok, bad, failing);
    }
}
