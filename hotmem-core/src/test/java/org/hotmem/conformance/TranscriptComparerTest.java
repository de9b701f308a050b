package org.hotmem.conformance;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranscriptComparerTest {
    private static final ObjectMapper OM = new ObjectMapper();
    private final TranscriptComparer cmp = new TranscriptComparer(TranscriptComparer.Options.DEFAULT);

    /** Applies {@code edit} to step {@code step} of the transcript and returns the new JSONL. */
    static String edit(String jsonl, int step, Consumer<ObjectNode> edit) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String l : jsonl.lines().toList()) {
            ObjectNode r = (ObjectNode) OM.readTree(l);
            if (r.get("step").asInt() == step) {
                edit.accept(r);
            }
            sb.append(PyJson.dumps(r)).append('\n');
        }
        return sb.toString();
    }

    static int firstStep(String jsonl, String kind, java.util.function.Predicate<JsonNode> p) throws Exception {
        for (String l : jsonl.lines().toList()) {
            JsonNode r = OM.readTree(l);
            if (r.get("kind").asText().equals(kind) && p.test(r)) {
                return r.get("step").asInt();
            }
        }
        throw new AssertionError("no " + kind + " step");
    }

    @Test
    void everyExpectedTranscriptComparedWithItselfPasses() {
        for (String k : Bundled.KERNELS) {
            for (String name : Bundled.scenarioNames()) {
                String t = Bundled.expected(k, name);
                var r = cmp.compare("e", t, "a", t);
                assertEquals(0, r.failed(), k + "/" + name + "\n" + r.report());
                assertEquals(t.lines().count(), r.passed());
                assertEquals(r.passed() + " passed, 0 failed\n", r.report());
            }
        }
    }

    @Test
    void changedOutputFailsExactlyThatStepWithAUnifiedDiff() throws Exception {
        String t = Bundled.expected("6.12", "boot-layout");
        int s = firstStep(t, "guest", r -> r.get("arg").asText().equals("zonesum"));
        String a = edit(t, s, r -> r.put("output", r.get("output").asText().replace("managed=3840", "managed=3841")));
        var res = cmp.compare("e", t, "a", a);
        assertEquals(List.of(s), res.failingSteps());
        assertEquals(1, res.failed());
        assertTrue(res.report().contains("=== step " + s + " guest (line 33): zonesum\noutput differs:\n"
                + "--- expected output\n+++ actual output\n@@ -1,3 +1,3 @@\n"
                + "-node 0 DMA start_pfn=1(0x1) spanned=4095 present=3998 managed=3840\n"
                + "+node 0 DMA start_pfn=1(0x1) spanned=4095 present=3998 managed=3841\n"), res.report());
    }

    @Test
    void changedRcFailsExactlyThatStep() throws Exception {
        String t = Bundled.expected("6.1", "dimm-online-strings");
        int s = firstStep(t, "guest", r -> r.get("rc").asInt() == 1);
        var res = cmp.compare("e", t, "a", edit(t, s, r -> r.put("rc", 0)));
        assertEquals(List.of(s), res.failingSteps());
        assertTrue(res.report().contains("rc: expected 1, actual 0\n"), res.report());
    }

    @Test
    void changedQmpResponseFailsButATopLevelIdIsIgnored() throws Exception {
        String t = Bundled.expected("6.12", "auto-online-unplug");
        int s = firstStep(t, "qmp", r -> r.get("arg").asText().startsWith("query-memory-size-summary"));
        var ok = cmp.compare("e", t, "a", edit(t, s, r -> ((ObjectNode) r.get("response")).put("id", 7)));
        assertEquals(0, ok.failed(), ok.report());
        var res = cmp.compare("e", t, "a", edit(t, s, r -> r.set("response", OM.createObjectNode().set("return", OM.createObjectNode()))));
        assertEquals(List.of(s), res.failingSteps());
        assertTrue(res.report().contains("qmp response differs:\n  expected {\"return\": {\"base-memory\": "), res.report());
    }

    @Test
    void missingComparableKernelLineFailsTheClosingStepOfItsGroup() throws Exception {
        String t = Bundled.expected("6.12", "boot-layout");
        int s = firstStep(t, "guest", r -> r.get("kernel_log").size() == 1
                && r.get("kernel_log").get(0).asText().endsWith("Offlined Pages 32768"));
        var res = cmp.compare("e", t, "a", edit(t, s, r -> r.set("kernel_log", OM.createArrayNode())));
        assertEquals(List.of(s), res.failingSteps());
        assertTrue(res.report().contains("kernel log (step " + s + ") differs:\n  - Offlined Pages 32768\n"), res.report());
    }

    @Test
    void asyncKernelLinesMayMoveWithinARunOfNonGuestSteps() throws Exception {
        String t = Bundled.expected("6.12", "dimm-online-strings");
        int ev = firstStep(t, "event", r -> r.get("kernel_log").size() > 0);
        // move the event step's lines to the qmp step before it: same group, still passes
        ArrayNode lines = (ArrayNode) OM.readTree(t.lines().toList().get(ev)).get("kernel_log");
        String a = edit(edit(t, ev, r -> r.set("kernel_log", OM.createArrayNode())), ev - 1, r -> r.set("kernel_log", lines));
        assertEquals(0, cmp.compare("e", t, "a", a).failed());
        var strict = new TranscriptComparer(new TranscriptComparer.Options(true, false, false, false, false)).compare("e", t, "a", a);
        assertEquals(List.of(ev - 1, ev), strict.failingSteps());
    }

    @Test
    void timestampsTrailingBlanksAndTotalPagesAreIgnoredUnlessExact() throws Exception {
        String t = Bundled.expected("6.12", "boot-layout");
        String a = edit(t, 0, r -> {
            ArrayNode out = OM.createArrayNode();
            for (JsonNode l : r.get("kernel_log")) {
                String s = l.asText();
                if (s.contains("Total pages: ")) {
                    s = s.replaceAll("Total pages: \\d+", "Total pages: 1");
                }
                out.add(s.replaceFirst("^\\[\\s*\\d+\\.\\d+\\]", "[ 99.000001]") + "  ");
            }
            r.set("kernel_log", out);
        });
        assertEquals(0, cmp.compare("e", t, "a", a).failed());
        var exact = new TranscriptComparer(new TranscriptComparer.Options(false, true, false, false, false)).compare("e", t, "a", a);
        assertEquals(List.of(0), exact.failingSteps());
    }

    @Test
    void abortRecordAndMissingStepAreFailures() throws Exception {
        String t = Bundled.expected("6.1", "zone-spans");
        List<String> lines = new ArrayList<>(t.lines().toList());
        int last = lines.size() - 1;
        lines.remove(last);
        lines.add("{\"kind\": \"abort\", \"error\": \"guest hung\"}");
        var res = cmp.compare("e", t, "a", String.join("\n", lines));
        assertEquals(List.of(last, -1), res.failingSteps());
        assertEquals(2, res.failed());
        assertTrue(res.report().contains("step missing in actual\n"));
        assertTrue(res.report().contains("=== transcript\nactual transcript has an abort record: guest hung\n"));
        assertTrue(res.report().endsWith(last + " passed, 2 failed\n"), res.report());
    }

    @Test
    void nonJsonLineIsReportedWithNameAndLine() {
        var e = assertThrows(IllegalArgumentException.class, () -> TranscriptComparer.load("x.jsonl", "{}\n{oops\n"));
        assertTrue(e.getMessage().startsWith("compare: x.jsonl:2: not JSON: "), e.getMessage());
    }

    @Test
    void unifiedDiffSplitsHunksAndMarksAMissingFinalNewlineAsDifflibDoes() {
        String d = TranscriptComparer.textDiff("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nX\nd\ne\nf\ng\nh\ni", "output");
        // what Python's difflib.unified_diff(n=2) prints for these inputs: two hunks
        assertEquals("--- expected output\n+++ actual output\n@@ -1,5 +1,5 @@\n a\n b\n-c\n+X\n d\n e\n"
                + "@@ -7,2 +7,3 @@\n g\n h\n+i\n\\ no newline at end\n", d);
    }

    /** Cross-checks the report byte for byte against the reference Python script, when python3 is there. */
    @Test
    void reportIsIdenticalToThePythonCompareScript(@TempDir Path dir) throws Exception {
        // shared/ lies beside the repository (the tests run in hotmem-core/)
        Path script = Path.of("..", "..", "shared", "conformance", "compare").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(script) && python3() != null,
                "python3 or the compare script (" + script + ") is missing");
        String t = Bundled.expected("6.12", "dimm-online-strings");
        int g = firstStep(t, "guest", r -> r.get("arg").asText().equals("zonesum"));
        int q = firstStep(t, "qmp", r -> r.get("arg").asText().equals("query-memory-devices"));
        int ev = firstStep(t, "event", r -> true);
        int k = firstStep(t, "guest", r -> r.get("kernel_log").size() > 0);
        String a = edit(t, g, r -> r.put("output", "node 0 DMA\n" + r.get("output").asText().replace("Normal", "Movable") + "x"));
        a = edit(a, q, r -> ((ObjectNode) r.get("response")).put("return", "it's"));
        a = edit(a, ev, r -> r.putNull("event"));
        a = edit(a, k, r -> ((ArrayNode) r.get("kernel_log")).add("[    1.000000] Offlined Pages 1").add("Policy zone: Normal"));
        a = edit(a, 3, r -> r.put("arg", "a 'b' \"c\"\n"));
        a = a + "{\"kind\": \"abort\", \"error\": null}\n";
        Path e = dir.resolve("e.jsonl");
        Path ap = dir.resolve("a.jsonl");
        Files.writeString(e, t);
        Files.writeString(ap, a);
        for (String[] opts : new String[][] {{}, {"--per-step-kernel-log", "--exact-total-pages"}, {"--no-boot-log"}}) {
            List<String> cmd = new ArrayList<>(List.of(python3(), script.toString()));
            cmd.addAll(List.of(opts));
            cmd.addAll(List.of(e.toString(), ap.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String py = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            List<String> ol = List.of(opts);
            var r = new TranscriptComparer(new TranscriptComparer.Options(ol.contains("--per-step-kernel-log"),
                    ol.contains("--exact-total-pages"), ol.contains("--no-boot-log"), false, false)).compare("e", t, "a", a);
            assertEquals(py, r.report(), String.join(" ", opts));
            assertEquals(p.exitValue(), r.exitStatus());
        }
    }

    /** Seeded random texts (short ones and 200+ line ones, where difflib's autojunk applies) diff like difflib. */
    @Test
    void textDiffEqualsDifflibOnRandomTexts(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(python3() != null, "python3 is missing");
        java.util.Random rnd = new java.util.Random(42);
        ArrayNode cases = OM.createArrayNode();
        List<String> mine = new ArrayList<>();
        for (int c = 0; c < 60; c++) {
            int n = c % 3 == 0 ? 200 + rnd.nextInt(150) : rnd.nextInt(30);
            int alphabet = 2 + rnd.nextInt(c % 3 == 0 ? 6 : 12);
            StringBuilder a = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                String l = "l" + rnd.nextInt(alphabet) + (rnd.nextInt(5) == 0 ? "\r" : "\n");
                a.append(l);
                int r = rnd.nextInt(10);
                if (r == 0) {
                    b.append("x").append(rnd.nextInt(alphabet)).append('\n');
                } else if (r == 1) {
                    b.append(l).append(l);
                } else if (r > 2) {
                    b.append(l);
                }
            }
            if (rnd.nextBoolean()) {
                b.append("tail");
            }
            cases.add(OM.createArrayNode().add(a.toString()).add(b.toString()));
            mine.add(TranscriptComparer.textDiff(a.toString(), b.toString(), "output"));
        }
        Path in = dir.resolve("cases.json");
        Files.writeString(in, cases.toString());
        String py = String.join("\n",
                "import difflib, json, sys",
                "out = []",
                "for a, b in json.load(open(sys.argv[1])):",
                "    d = difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True), 'expected output', 'actual output', n=2)",
                "    out.append(''.join(l if l.endswith('\\n') else l + '\\n\\\\ no newline at end\\n' for l in d))",
                "print(json.dumps(out))");
        Process p = new ProcessBuilder(python3(), "-c", py, in.toString()).redirectErrorStream(true).start();
        String res = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        JsonNode expected = OM.readTree(res);
        for (int c = 0; c < mine.size(); c++) {
            assertEquals(expected.get(c).asText(), mine.get(c), "case " + c);
        }
    }

    static String python3() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, "python3"))) {
                return Path.of(d, "python3").toString();
            }
        }
        return null;
    }
}
