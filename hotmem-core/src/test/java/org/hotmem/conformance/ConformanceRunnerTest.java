package org.hotmem.conformance;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.junit.jupiter.api.Test;

class ConformanceRunnerTest {
    private static final ObjectMapper OM = new ObjectMapper();

    private static List<JsonNode> run(String scn) throws Exception {
        return run(scn, k -> { });
    }

    private static List<JsonNode> run(String scn, java.util.function.Consumer<FakeTarget> setup) throws Exception {
        String jsonl = new ConformanceRunner((s, k) -> {
            FakeTarget t = new FakeTarget();
            setup.accept(t);
            return t;
        }).runToJsonl(ScnParser.parse("t.scn", scn), "6.12");
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String l : jsonl.lines().toList()) {
            out.add(OM.readTree(l));
        }
        return out;
    }

    private static final String HOTADD = """
            memory: 4G,slots=8,maxmem=16G
            note: hot-add
            guest: cat /sys/devices/system/memory/auto_online_blocks
            qmp: device_add {"driver": "pc-dimm", "id": "dimm1", "memdev": "mem1"}
            event 60: ACPI_DEVICE_OST
            wait 60: test -e /sys/devices/system/memory/memory40
            guest: memblocks 40 41
            qmp: query-memory-size-summary
            sleep: 2
            """;

    @Test
    void bootAndEveryStepBecomeOneRecordWithTheirResults() throws Exception {
        List<JsonNode> r = run(HOTADD);
        assertEquals(9, r.size());
        assertEquals("boot", r.get(0).get("kind").asText());
        assertEquals(0, r.get(0).get("step").asInt());
        assertTrue(r.get(0).get("kernel_log").get(0).asText().matches("\\[ +0\\.000000\\] x86/mm: Memory block size: 128MB"));
        assertEquals("note", r.get(1).get("kind").asText());
        assertEquals("offline\n", r.get(2).get("output").asText());
        assertEquals(0, r.get(2).get("rc").asInt());
        assertEquals(3, r.get(2).get("line").asInt());
        assertEquals("{\"return\": {}}", PyJson.dumps(r.get(3).get("response")));
        assertEquals("device_add", r.get(3).get("request").get("execute").asText());
        JsonNode ev = r.get(4);
        assertEquals("ACPI_DEVICE_OST", ev.get("event").get("event").asText());
        assertEquals("dimm1", ev.get("event").get("data").get("info").get("device").asText());
        assertEquals(1, ev.get("kernel_log").size());
        assertTrue(ev.get("kernel_log").get(0).asText().endsWith("] acpi PNP0C80:00: Memory device configured by ACPI"));
        assertEquals(0, r.get(5).get("rc").asInt());
        assertEquals(1, r.get(5).get("tries").asInt());
        assertEquals("memory40 state=offline phys_index=00000028 removable=1 node=0 valid_zones=Movable Normal\nmemory41 absent\n",
                r.get(6).get("output").asText());
        assertEquals(4294967296L, r.get(7).get("response").get("return").get("base-memory").asLong());
        assertTrue(r.get(8).get("guest_s") == null);
    }

    @Test
    void sleepAndGuestCommandsAdvanceVirtualTime() throws Exception {
        List<JsonNode> r = run(HOTADD);
        double before = r.get(6).get("guest_uptime").get(1).asDouble();
        assertTrue(r.get(2).get("guest_s").asDouble() >= 0.02, r.get(2).toString());
        assertTrue(r.get(6).get("guest_s").asDouble() >= 0.1, r.get(6).toString());
        assertTrue(before > 0.04);
    }

    @Test
    void waitRetriesEveryHalfSecondUntilTheTimeout() throws Exception {
        List<JsonNode> r = run("wait 2: test -e /sys/devices/system/memory/memory99\n");
        assertEquals(1, r.get(1).get("rc").asInt());
        assertEquals(5, r.get(1).get("tries").asInt()); // 0, 0.5, 1.0, 1.5 and 2.0 s (each try costs 20 ms)
        assertTrue(r.get(1).get("guest_s").asDouble() >= 2.0);
    }

    @Test
    void eventThatNeverComesIsNullAfterTheTimeout() throws Exception {
        List<JsonNode> r = run("event 1: DEVICE_DELETED\n");
        assertTrue(r.get(1).get("event").isNull());
    }

    @Test
    void eventThatArrivedDuringAnEarlierStepDoesNotCount() throws Exception {
        List<JsonNode> r = run("qmp: announce\nevent 1: ANNOUNCE\n");
        assertEquals("ANNOUNCE", r.get(1).get("events").get(0).get("event").asText());
        assertTrue(r.get(2).get("event").isNull());
    }

    @Test
    void eventsArrivingTogetherAreMatchedByConsecutiveEventSteps() throws Exception {
        List<JsonNode> r = run("qmp: device_del {\"id\": \"dimm1\"}\nevent 5: ACPI_DEVICE_OST\nevent 5: DEVICE_DELETED\nnote: x\n");
        assertEquals("ACPI_DEVICE_OST", r.get(2).get("event").get("event").asText());
        assertEquals("DEVICE_DELETED", r.get(3).get("event").get("event").asText());
        assertEquals(0, r.get(4).get("events").size());
    }

    @Test
    void otherEventsBeforeTheAwaitedOneAreRecordedInEvents() throws Exception {
        List<JsonNode> r = run("qmp: device_del {\"id\": \"dimm1\"}\nevent 5: DEVICE_DELETED\n");
        assertEquals("DEVICE_DELETED", r.get(2).get("event").get("event").asText());
        assertEquals("ACPI_DEVICE_OST", r.get(2).get("events").get(0).get("event").asText());
    }

    @Test
    void storeRunsInsideTheShTaskAndMaySleepAndPrintk() throws Exception {
        List<JsonNode> r = run("guest: echo 1 > /sys/kernel/slow\nguest: echo 2 > /sys/kernel/slow\n", t -> {
            t.sys.fs.addFile(t.sys.fs.mkdirs("/sys/kernel"), "slow", 0200, null, buf -> {
                assertEquals("sh", t.kernel.current().name());
                t.kernel.msleep(300);
                t.kernel.dmesg().info("Offlined Pages 32768");
                if (buf.equals("2\n")) {
                    throw new KernelException(Errno.EBUSY);
                }
            });
        });
        assertEquals("", r.get(1).get("output").asText());
        assertTrue(r.get(1).get("guest_s").asDouble() >= 0.3);
        assertEquals(1, r.get(1).get("kernel_log").size());
        assertEquals("sh: write error: Device or resource busy\n", r.get(2).get("output").asText());
        assertEquals(1, r.get(2).get("rc").asInt());
    }

    @Test
    void aModelFailureEndsTheTranscriptWithAnAbortRecord() throws Exception {
        List<JsonNode> r = run("guest: cat /sys/kernel/broken\nguest: true\n", t ->
                t.sys.fs.addFile(t.sys.fs.mkdirs("/sys/kernel"), "broken", 0444, () -> {
                    throw new IllegalStateException("bug");
                }, null));
        assertEquals(2, r.size());
        assertEquals("abort", r.get(1).get("kind").asText());
        assertTrue(r.get(1).get("error").asText().contains("bug"), r.get(1).toString());
        var cmp = new TranscriptComparer(TranscriptComparer.Options.DEFAULT);
        String t = PyJson.dumps(r.get(0)) + "\n";
        assertEquals(1, cmp.compare("e", t, "a", t + PyJson.dumps(r.get(1)) + "\n").failed());
    }

    @Test
    void anInvariantViolationAfterAStepAbortsTheRunAfterThatStep() throws Exception {
        List<JsonNode> r = run("guest: cat /sys/devices/system/memory/auto_online_blocks\nguest: true\n",
                t -> t.violations = List.of("pfn 0x1000: free in two lists"));
        assertEquals(3, r.size());
        assertEquals("guest", r.get(1).get("kind").asText());
        assertEquals("abort", r.get(2).get("kind").asText());
        assertTrue(r.get(2).get("error").asText().contains("invariants violated: pfn 0x1000: free in two lists"),
                r.get(2).toString());
    }

    @Test
    void transcriptIsIdenticalByteForByteOnEveryRunAndPassesAgainstItself() {
        ConformanceRunner runner = new ConformanceRunner((s, k) -> new FakeTarget());
        ScnScript s = ScnParser.parse("t.scn", HOTADD);
        String a = runner.runToJsonl(s, "6.12");
        String b = runner.runToJsonl(s, "6.12");
        assertEquals(a, b);
        assertTrue(a.startsWith("{\"events\": [], \"kernel\": \"6.12\", \"kernel_log\": [\"[    0.000000] x86/mm"), a);
        assertEquals(0, new TranscriptComparer(TranscriptComparer.Options.DEFAULT).compare("a", a, "b", b).failed());
    }

    @Test
    void aFailingPrepareLineAbortsBeforeTheBootWithTheRecordersMessage() throws Exception {
        List<JsonNode> r = run("prepare: truncate -s 1G {run}/disk.img\nguest: ls\n");
        assertEquals(1, r.size());
        assertEquals("abort", r.get(0).get("kind").asText());
        assertTrue(r.get(0).get("error").asText().startsWith("prepare failed: truncate -s 1G {run}/disk.img"),
                r.get(0).toString());
    }
}
