package org.hotmem.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run}, {@code sweep} and the scenario {@code demo} through the command line. */
class ScenarioCommandsTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    record Out(int rc, String out, String err) {}

    static Out exec(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(false);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Out(rc, out.toString(), err.toString());
    }

    @Test
    void runPrintsTimelineAndSummaryAndExitsZeroWhenExpectationsHold(@TempDir Path tmp) throws IOException {
        Path json = tmp.resolve("r.json");
        Path html = tmp.resolve("r.html");
        Out o = exec("run", EXAMPLES.resolve("auto-movable-301.yaml").toString(), "--json", json.toString(),
                "--html", html.toString());
        assertEquals(0, o.rc(), o.err());
        assertTrue(o.out().contains("plug dimm4 8G"), o.out());
        assertTrue(o.out().contains("memory264-327: absent -> online Normal"), o.out());
        assertTrue(o.out().endsWith("PASS\n"), o.out());
        assertTrue(o.err().contains("wall time"), o.err());
        assertTrue(!o.out().contains("wall time"), "stdout must not depend on the wall clock");
        assertTrue(Files.readString(json).contains("\"passed\" : true"));
        assertTrue(Files.readString(html).contains("<svg"));
    }

    @Test
    void runStdoutIsAPureFunctionOfFileAndSeed() {
        String f = EXAMPLES.resolve("zone-normal-one-way-door.yaml").toString();
        assertEquals(exec("run", f, "--seed", "5").out(), exec("run", f, "--seed", "5").out());
    }

    @Test
    void failedExpectationGivesExitOneAndNamesFileAndLine() {
        Out o = exec("run", EXAMPLES.resolve("auto-movable-301.yaml").toString(), "--param", "RATIO=100");
        assertEquals(1, o.rc());
        assertTrue(o.err().contains("hotmem run: expectation failed: ../examples/auto-movable-301.yaml:29: online_bytes.Movable == 24G (got 0)"),
                o.err());
    }

    @Test
    void malformedFileGivesExitSixWithFileLineAndWhatWasExpected(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "name: x\nmachine: {memory: 1G}\ntimeline:\n  - at: soon\n    note: hi\n");
        Out o = exec("run", bad.toString());
        assertEquals(6, o.rc());
        assertTrue(o.err().contains("bad.yaml:4:9: timeline[0].at: expected a duration with a unit like 500ms, 30s, 10m or 1h, got \"soon\""),
                o.err());
    }

    @Test
    void machineQemuRefusesGivesExitSevenAtTheMachineLine(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("m.yaml");
        Files.writeString(bad, "name: x\nmachine:\n  memory: 4G,slots=4,maxmem=2G\ntimeline:\n  - at: 1s\n    note: hi\n");
        Out o = exec("run", bad.toString());
        assertEquals(7, o.rc());
        assertTrue(o.err().contains("m.yaml:3: machine: invalid value of maxmem"), o.err());
    }

    @Test
    void guestErrorsAreOutcomesWithLinuxErrnos(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("e.yaml");
        Files.writeString(f, """
                name: errors
                machine: {memory: "4G,slots=4,maxmem=16G"}
                timeline:
                  - {at: 1s, id: nodir, write: {path: /sys/devices/system/memory/memory999/state, value: offline}}
                  - {at: 2s, id: qmp, qmp: {execute: nosuch}}
                  - {at: 3s, id: sig, signal: {to: nodir}}
                  - {at: 4s, id: bogus, write: {path: /sys/devices/system/memory/memory33/state, value: bogus}}
                  - {at: 5s, id: ro, write: {path: /sys/devices/system/memory/block_size_bytes, value: "1"}}
                expect:
                  - {action: nodir, result: ENOENT}
                  - {action: qmp, result: CommandNotFound}
                  - {action: sig, result: ESRCH}
                  - {action: bogus, result: EINVAL}
                  - {action: ro, result: EACCES}
                """);
        Out o = exec("run", f.toString());
        assertEquals(0, o.rc(), o.out() + o.err());
    }

    @Test
    void sweepWritesOneCsvRowPerRunAndAChart(@TempDir Path tmp) throws IOException {
        Path csv = tmp.resolve("s.csv");
        Path html = tmp.resolve("s.html");
        Out o = exec("sweep", EXAMPLES.resolve("auto-movable-301.yaml").toString(), "--param", "RATIO=100,200,301,500",
                "--seeds", "1..2", "--threads", "2", "--metric", "online_bytes.Movable", "--csv", csv.toString(),
                "--html", html.toString());
        assertEquals(0, o.rc(), o.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(1 + 4 * 2, lines.size());
        List<String> header = List.of(lines.get(0).split(","));
        assertEquals(List.of("RATIO", "seed", "passed"), header.subList(0, 3));
        int movable = header.indexOf("online_bytes.Movable");
        String[] expected = {"0", "8589934592", "25769803776", "34359738368"};
        for (int i = 0; i < 4; i++) {
            String[] row = lines.get(1 + 2 * i).split(",");
            assertEquals(expected[i], row[movable], lines.get(1 + 2 * i));
        }
        assertTrue(o.out().contains("RATIO=301"), o.out());
        String chart = Files.readString(html);
        assertTrue(chart.contains("online_bytes.Movable (GiB)"), chart);
        assertTrue(chart.contains("RATIO"), chart);
    }

    @Test
    void aSweepOutputThatCannotBeWrittenIsAClearError(@TempDir Path tmp) {
        Path csv = tmp.resolve("no-such-dir").resolve("out.csv");
        Out o = exec("sweep", EXAMPLES.resolve("auto-movable-301.yaml").toString(), "--param", "RATIO=100", "--csv", csv.toString());
        assertEquals(5, o.rc(), o.err());
        assertTrue(o.err().startsWith("hotmem sweep: --csv " + csv + ": cannot write: No such file or directory\n"), o.err());
    }

    @Test
    void clusterAndParquetOptionsSayWhichModuleIsMissing() {
        String f = EXAMPLES.resolve("auto-movable-301.yaml").toString();
        Out sweep = exec("sweep", f, "--param", "RATIO=100", "--cluster", "hazelcast");
        assertEquals(2, sweep.rc(), sweep.err());
        assertEquals("hotmem sweep: --cluster hazelcast needs the hotmem-cluster module on the class path"
                + " (./hotmem adds it when --cluster is given)\n", sweep.err());
        Out spark = exec("sweep", f, "--param", "RATIO=100", "--cluster", "spark:local");
        assertEquals("hotmem sweep: unknown cluster engine \"spark\" (known: hazelcast)\n", spark.err());
        Out parquet = exec("sweep", f, "--param", "RATIO=100", "--parquet", "out.parquet");
        assertEquals(2, parquet.rc(), parquet.err());
        assertEquals("hotmem sweep: --parquet needs the hotmem-parquet module on the class path"
                + " (./hotmem adds it when --parquet is given)\n", parquet.err());
        Out worker = exec("worker");
        assertEquals(2, worker.rc(), worker.err());
        assertTrue(worker.err().startsWith("hotmem worker: --cluster hazelcast needs the hotmem-cluster module"), worker.err());
    }

    @Test
    void demoRunsTheBuiltInScenarioAndItsOutputDependsOnlyOnTheSeed(@TempDir Path tmp) {
        Out a = exec("demo", "--seed", "3", "--html", tmp.resolve("d.html").toString());
        Out b = exec("demo", "--seed", "3", "--html", tmp.resolve("d.html").toString());
        Out c = exec("demo", "--seed", "4", "--html", tmp.resolve("d.html").toString());
        assertEquals(0, a.rc(), a.err());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out().replace("seed 3", "seed 4"), c.out());
        assertTrue(a.out().contains("HTML report: " + tmp.resolve("d.html")), a.out());
        assertTrue(Files.exists(tmp.resolve("d.html")));
    }
}
