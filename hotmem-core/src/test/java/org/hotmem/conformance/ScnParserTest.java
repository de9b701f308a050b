package org.hotmem.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScnParserTest {
    @Test
    void headerAndStepsAreParsedAndNumberedFromOneInFileOrder() {
        ScnScript s = ScnParser.parse("x.scn", """
                # comment
                memory: 4G,slots=8,maxmem=16G
                cmdline: movable_node memhp_default_state=online
                qemu: -object memory-backend-ram,id=vmem0,size=1G -device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0
                qemu: -device virtio-balloon-pci,id=balloon0

                note: hot-add
                guest: echo "" > /sys/devices/system/memory/memory46/state
                qmp: device_add {"driver": "pc-dimm", "id": "dimm1", "memdev": "mem1"}
                qmp: query-memory-devices
                event 60: ACPI_DEVICE_OST
                wait 30: test -e /sys/devices/system/memory/memory43
                sleep: 3
                """);
        assertEquals("x", s.name());
        assertEquals("4G,slots=8,maxmem=16G", s.memory());
        assertEquals("movable_node memhp_default_state=online", s.cmdline());
        assertEquals(List.of("-object", "memory-backend-ram,id=vmem0,size=1G", "-device",
                "virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0", "-device", "virtio-balloon-pci,id=balloon0"), s.qemuArgs());
        List<ScnStep> st = s.steps();
        assertEquals(7, st.size());
        assertEquals(new ScnStep(1, 7, StepKind.NOTE, "hot-add", 0, null, null), st.get(0));
        assertEquals("echo \"\" > /sys/devices/system/memory/memory46/state", st.get(1).arg());
        assertEquals(8, st.get(1).line());
        assertEquals("device_add", st.get(2).execute());
        assertEquals("dimm1", st.get(2).arguments().get("id").asText());
        assertEquals("device_add {\"driver\": \"pc-dimm\", \"id\": \"dimm1\", \"memdev\": \"mem1\"}", st.get(2).arg());
        assertNull(st.get(3).arguments());
        assertEquals(StepKind.EVENT, st.get(4).kind());
        assertEquals(60_000_000_000L, st.get(4).timeoutNs());
        assertEquals(30_000_000_000L, st.get(5).timeoutNs());
        assertEquals(3_000_000_000L, st.get(6).timeoutNs());
        assertEquals(7, st.get(6).number());
    }

    @Test
    void missingMemoryLineGivesTheDefault() {
        assertEquals(ScnScript.DEFAULT_MEMORY, ScnParser.parse("y.scn", "guest: zonesum\n").memory());
    }

    @Test
    void onlyOneLeadingSpaceIsRemovedFromArg() {
        assertEquals(" two", ScnParser.parse("y.scn", "note:  two\n").steps().get(0).arg());
        assertEquals("none", ScnParser.parse("y.scn", "note:none\n").steps().get(0).arg());
    }

    @Test
    void unknownKeywordNamesFileLineAndTheExpectedKeywords() {
        ScnFormatException e = assertThrows(ScnFormatException.class,
                () -> ScnParser.parse("bad.scn", "memory: 1G\n\nguset: ls /\n"));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("bad.scn:3: expected 'memory:'"), e.getMessage());
        assertTrue(e.getMessage().contains("got 'guset: ls /'"), e.getMessage());
    }

    @Test
    void badQmpJsonIsAnErrorNamingTheLine() {
        ScnFormatException e = assertThrows(ScnFormatException.class,
                () -> ScnParser.parse("q.scn", "qmp: device_add {\"id\": \n"));
        assertTrue(e.getMessage().startsWith("q.scn:1: expected a JSON object of arguments after 'device_add'"), e.getMessage());
        e = assertThrows(ScnFormatException.class, () -> ScnParser.parse("q.scn", "note: a\nqmp: balloon [1]\n"));
        assertTrue(e.getMessage().startsWith("q.scn:2: expected a JSON object"), e.getMessage());
    }

    @Test
    void theRecordersTimeoutHeaderGuestTimeoutsAndContinuationLines() {
        ScnScript s = ScnParser.parse("t.scn", """
                machine: pc
                smp: 1
                timeout: 900
                guest: ls /
                guest 5: for b in 1 2; do \\
                  echo $b; done
                wait: true
                event 7: X
                """);
        assertEquals(900_000_000_000L, s.steps().get(0).timeoutNs());
        assertEquals(5_000_000_000L, s.steps().get(1).timeoutNs());
        assertEquals("for b in 1 2; do \\\n  echo $b; done", s.steps().get(1).arg());
        assertEquals(5, s.steps().get(1).line());
        assertEquals(900_000_000_000L, s.steps().get(2).timeoutNs());
        assertEquals(7_000_000_000L, s.steps().get(3).timeoutNs());
        assertEquals(GuestShell.GUEST_TIMEOUT_NS, ScnParser.parse("t.scn", "guest: ls\n").steps().get(0).timeoutNs());
        ScnFormatException e = assertThrows(ScnFormatException.class,
                () -> ScnParser.parse("t.scn", "machine: q35\n"));
        assertTrue(e.getMessage().contains("pc machine only"), e.getMessage());
        e = assertThrows(ScnFormatException.class, () -> ScnParser.parse("t.scn", "host: qemu-img info x\n"));
        assertTrue(e.getMessage().startsWith("t.scn:1: 'host:' (a host shell command of the recorder"), e.getMessage());
        assertThrows(ScnFormatException.class, () -> ScnParser.parse("t.scn", "timeout: soon\n"));
    }

    @Test
    void theRecordersHibernationLinesParseAsInHibernateRoundtrip() {
        ScnScript s = ScnParser.parse("h.scn", """
                cmdline: resume=/dev/vda
                prepare: rm -f {run}/swap.img && qemu-img create -f raw {run}/swap.img 512M
                qemu: -drive file={run}/swap.img,if=virtio,format=raw,id=swapdisk
                timeout: 90
                guest-async: echo disk > /sys/power/state
                expect-exit 600:
                restart:
                restart-with-qemu 300: -object memory-backend-ram,id=mem2,size=256M  -device pc-dimm,id=dimm2,memdev=mem2
                restart-with-qemu:
                """);
        assertEquals(List.of("rm -f {run}/swap.img && qemu-img create -f raw {run}/swap.img 512M"), s.prepare());
        assertEquals(List.of("-drive", "file={run}/swap.img,if=virtio,format=raw,id=swapdisk"), s.qemuArgs());
        assertEquals(List.of("-drive", "file=/r/swap.img,if=virtio,format=raw,id=swapdisk"), s.inRunDirectory("/r").qemuArgs());
        List<ScnStep> st = s.steps();
        assertEquals(List.of(StepKind.GUEST_ASYNC, StepKind.EXPECT_EXIT, StepKind.RESTART, StepKind.RESTART_WITH_QEMU,
                StepKind.RESTART_WITH_QEMU), st.stream().map(ScnStep::kind).toList());
        assertEquals("echo disk > /sys/power/state", st.get(0).arg());
        assertEquals(600_000_000_000L, st.get(1).timeoutNs());
        assertEquals(90_000_000_000L, st.get(2).timeoutNs(), "the timeout: header");
        assertEquals(List.of("-object", "memory-backend-ram,id=mem2,size=256M", "-device", "pc-dimm,id=dimm2,memdev=mem2"),
                ScnParser.qemuWords(st.get(3).arg()));
        assertEquals(List.of(), ScnParser.qemuWords(st.get(4).arg()), "an empty restart-with-qemu drops the arguments");
        assertThrows(ScnFormatException.class, () -> ScnParser.parse("t.scn", "restart: -m 2G\n"));
        assertThrows(ScnFormatException.class, () -> ScnParser.parse("t.scn", "guest-async 5: ls\n"));
        assertThrows(ScnFormatException.class, () -> ScnParser.parse("t.scn", "prepare:\n"));
    }

    @Test
    void sleepNeedsANumberAndTimeoutsOnlyOnGuestWaitAndEvent() {
        assertThrows(ScnFormatException.class, () -> ScnParser.parse("s.scn", "sleep: soon\n"));
        ScnFormatException e = assertThrows(ScnFormatException.class,
                () -> ScnParser.parse("s.scn", "sleep 5: 1\n"));
        assertTrue(e.getMessage().contains("takes no timeout"), e.getMessage());
        assertThrows(ScnFormatException.class, () -> ScnParser.parse("s.scn", "guest:\n"));
        assertThrows(ScnFormatException.class, () -> ScnParser.parse("s.scn", "memory: 1G\nmemory: 2G\n"));
    }

    @Test
    void everyBundledScenarioParsesAndMatchesTheRecordedStepsArgsAndLines() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String name : Bundled.scenarioNames()) {
            ScnScript s = Bundled.scenario(name);
            for (String k : Bundled.KERNELS) {
                List<String> lines = Bundled.expected(k, name).lines().toList();
                assertEquals(s.steps().size() + 1, lines.size(), name);
                for (ScnStep st : s.steps()) {
                    var r = om.readTree(lines.get(st.number()));
                    assertEquals(st.number(), r.get("step").asInt());
                    assertEquals(st.kind().json(), r.get("kind").asText(), name + " step " + st.number());
                    assertEquals(st.arg(), r.get("arg").asText(), name + " step " + st.number());
                    assertEquals(st.line(), r.get("line").asInt(), name + " step " + st.number());
                }
            }
        }
    }
}
