package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every failure path of the CLI: one line on stderr naming what, where and what was expected, a distinct status, no trace. */
class CliFailuresTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    private static ScenarioCommandsTest.Out exec(String... args) {
        return ScenarioCommandsTest.exec(args);
    }

    private static void assertOneLineNoTrace(ScenarioCommandsTest.Out o, String contains) {
        assertTrue(o.err().contains(contains), o.err());
        assertFalse(o.err().contains("\tat "), "a stack trace: " + o.err());
        assertFalse(o.err().contains("Exception"), o.err());
    }

    @Test
    void aMissingScenarioIsExitFourNamingTheFile() {
        ScenarioCommandsTest.Out o = exec("run", "/nonexistent/x.yaml");
        assertEquals(4, o.rc());
        assertOneLineNoTrace(o, "hotmem run: /nonexistent/x.yaml: cannot read: No such file or directory");
        o = exec("shell", "/nonexistent/y.scn");
        assertEquals(4, o.rc());
        o = exec("sweep", "/nonexistent/z.yaml", "--param", "A=1");
        assertEquals(4, o.rc());
    }

    @Test
    void anUnwritableOutputIsExitFiveNamingTheOption() {
        ScenarioCommandsTest.Out o = exec("sweep", EXAMPLES.resolve("zone-normal-one-way-door.yaml").toString(),
                "--param", "SLAB=3G", "--seeds", "1", "--csv", "/nonexistent/dir/out.csv");
        assertEquals(5, o.rc(), o.err());
        assertOneLineNoTrace(o, "hotmem sweep: --csv /nonexistent/dir/out.csv: cannot write: No such file or directory");
    }

    @Test
    void anUnknownMetricIsAUsageError() {
        ScenarioCommandsTest.Out o = exec("sweep", EXAMPLES.resolve("zone-normal-one-way-door.yaml").toString(),
                "--param", "SLAB=3G", "--seeds", "1", "--metric", "nosuch");
        assertEquals(2, o.rc(), o.err());
        assertOneLineNoTrace(o, "hotmem sweep: --metric nosuch: no run has this metric; expected one of ");
    }

    @Test
    void aRefusedMemoryOptionPrintsQemusTextAndExitsSeven() {
        int rc;
        String err;
        InputStream in = System.in;
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream("exit\n".getBytes(StandardCharsets.UTF_8)));
            System.setErr(new java.io.PrintStream(buf, true, StandardCharsets.UTF_8));
            ScenarioCommandsTest.Out o = exec("shell", "-m", "4X");
            rc = o.rc();
            err = o.err() + buf.toString(StandardCharsets.UTF_8);
        } finally {
            System.setIn(in);
            System.setErr(saved);
        }
        assertEquals(7, rc, err);
        assertTrue(err.startsWith("qemu-system-x86_64: -m 4X: Parameter 'size' expects a non-negative number below 2^64"), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void aMalformedScnIsExitSix(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("bad.scn");
        Files.writeString(bad, "memory: 4G\nbogus: x\n");
        ScenarioCommandsTest.Out o = exec("shell", bad.toString());
        assertEquals(6, o.rc(), o.err());
    }

    @Test
    void aHugeBlockRangeOrDurationIsAnErrorAtItsLineNotAHangOrAnOutOfMemoryError(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("big.yaml");
        Files.writeString(f, "name: big\nmachine: {memory: 2G}\ntimeline:\n  - at: 1s\n    offline: {blocks: 0-100000000000}\n");
        ScenarioCommandsTest.Out o = exec("run", f.toString());
        assertEquals(6, o.rc(), o.err());
        assertOneLineNoTrace(o, "big.yaml:5:");
        Files.writeString(f, "name: big\nmachine: {memory: 2G}\ntimeline:\n  - at: 99999999999999999999h\n    note: x\n");
        o = exec("run", f.toString());
        assertEquals(6, o.rc(), o.err());
        assertOneLineNoTrace(o, "virtual-time budget");
    }
}
