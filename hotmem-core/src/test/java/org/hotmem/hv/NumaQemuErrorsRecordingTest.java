package org.hotmem.hv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * QEMU 7.2's answers to bad -numa / pc-dimm node options, from the recording numa-qemu-errors
 * (host steps that ran qemu-system-x86_64 directly, identical under both guest kernels): each
 * recorded command line is given to {@link Qemu#start} and must be accepted where QEMU kept
 * running (exit 124 from {@code timeout}) and refused with QEMU's exact text where it exited 1.
 * The conformance runner does not run host steps, so this test replays them.
 */
class NumaQemuErrorsRecordingTest {
    private static final Pattern COMMAND = Pattern.compile(
            "timeout 2 qemu-system-x86_64 -accel tcg -machine pc -nodefaults -display none -monitor none -serial none -S"
                    + "(?: -smp (\\S+))? -m (\\S+) (.*?) 2>&1; echo exit=\\$\\?");
    private static final String PREFIX = "qemu-system-x86_64: ";

    record Case(String smp, String memory, String args, int exit, String text) {
    }

    private static List<Case> recordedCases() throws IOException {
        List<Case> cases = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (InputStream in = NumaQemuErrorsRecordingTest.class.getResourceAsStream("numa-qemu-errors.jsonl")) {
            assertNotNull(in, "recording missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode rec = json.readTree(line);
                if (!rec.path("kind").asText().equals("host")) {
                    continue;
                }
                Matcher m = COMMAND.matcher(rec.get("arg").asText());
                assertTrue(m.matches(), rec.get("arg").asText());
                List<String> out = new ArrayList<>(List.of(rec.get("output").asText().split("\n")));
                String exit = out.remove(out.size() - 1);
                int status = Integer.parseInt(exit.substring("exit=".length()));
                String text = String.join("\n", out);
                cases.add(new Case(m.group(1), m.group(2), m.group(3), status, text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text));
            }
        }
        return cases;
    }

    @Test
    void everyRecordedCommandLineIsAcceptedOrRefusedAsQemuDid() throws IOException {
        List<Case> cases = recordedCases();
        assertEquals(30, cases.size(), "host steps in the recording");
        int compared = 0;
        for (Case c : cases) {
            if (c.smp() != null) {
                continue; // the model's machine has one CPU: -smp is not one of its options
            }
            String refusal = null;
            try {
                Qemu.start(c.memory(), List.of(c.args()), new ManualTimers(), 1_700_000_000L);
            } catch (QemuConfigException e) {
                refusal = e.getMessage();
            }
            if (c.exit() == 124) {
                assertEquals(null, refusal, "accepted by QEMU: -m " + c.memory() + " " + c.args());
            } else {
                assertEquals(1, c.exit());
                assertEquals(c.text(), refusal, "-m " + c.memory() + " " + c.args());
            }
            compared++;
        }
        assertEquals(28, compared, "cases without -smp");
    }
}
