package org.hotmem.scenario;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's bookkeeping, against the {@link FakeTarget} test double. */
class ScenarioRunnerTest {
    static final String SCN = """
            name: pinned-unplug
            duration: 5m
            machine:
              memory: 4G,slots=4,maxmem=16G
              cmdline: memhp_default_state=online_kernel
            workloads:
              - name: rdma
                kind: anon
                pinned: 100%
                start: 20s
                size: 64M
                chunk: 2M
                rate: 64M/s
            timeline:
              - at: 10s
                id: plug
                plug: {id: dimm1, size: 256M}
              - at: 1m
                id: unplug1
                unplug: dimm1
              - at: 2m
                workload: {name: rdma, do: unpin}
              - at: 2m
                id: off
                offline: {blocks: 32-33}
              - after: off
                id: unplug2
                unplug: dimm1
            expect:
              - action: unplug1
                result: EBUSY
              - action: unplug2
                result: ok
                within: 1s
              - metric: unplugged_bytes
                equals: 256M
              - blocks: 32-33
                state: absent
            """;

    static RunResult run(String text, long seed) {
        Scenario s = ScenarioParser.parse("t.yaml", text, Map.of());
        return new ScenarioRunner(FakeTarget::new).run(s, seed, Map.of(), ScenarioRunner.Progress.NONE);
    }

    @Test
    void pinnedPagesRefuseTheEjectUntilReleased() {
        RunResult r = run(SCN, 1);
        assertTrue(r.passed(), TextReport.summary(r));
        RunResult.ActionOutcome plug = r.actions().get(0);
        assertEquals("ok", plug.result());
        assertEquals(5_000_000L, plug.duration());
        assertEquals("EBUSY", r.actions().get(1).result());
    }

    @Test
    void failedExpectationMakesTheRunFailAndSaysWhatWasSeen() {
        RunResult r = run(SCN.replace("result: EBUSY", "result: ok"), 1);
        assertFalse(r.passed());
        RunResult.Verdict v = r.expectations().get(0);
        assertFalse(v.passed());
        assertTrue(v.actual().startsWith("EBUSY"), v.actual());
    }

    @Test
    void repeatedKernelLinesOfOneOperationFoldIntoOneTimelineLineWithACount() {
        RunResult r = run("""
                name: fold
                duration: 2m
                machine:
                  memory: 4G,slots=4,maxmem=16G
                  cmdline: memhp_default_state=online_kernel
                timeline:
                  - at: 10s
                    plug: {id: dimm1, size: 256M}
                  - at: 1m
                    offline: {blocks: 32-33}
                """, 1);
        var offlined = r.events().stream().filter(e -> e.what().startsWith("Offlined Pages")).toList();
        assertEquals(1, offlined.size(), offlined.toString());
        assertTrue(offlined.get(0).what().startsWith("Offlined Pages 32768 (x2"), offlined.get(0).what());
    }

    @Test
    void sameScenarioAndSeedGiveByteIdenticalJson() {
        assertEquals(JsonReport.write(run(SCN, 7)), JsonReport.write(run(SCN, 7)));
    }

    @Test
    void timelineRecordsBlockTransitionsAsRanges() {
        String text = TextReport.timeline(run(SCN, 1));
        assertTrue(text.contains("memory32-33: absent -> online Normal"), text);
        assertTrue(text.contains("memory32-33: offline -> absent"), text);
    }

    @Test
    void workloadAllocatesAtItsRateUpToItsSize() {
        RunResult r = run(SCN, 1);
        assertEquals(64.0 * (1 << 20), r.metrics().get("workload_bytes.rdma"));
        assertEquals(0.0, r.metrics().get("alloc_failures.rdma"));
    }

    @Test
    void htmlReportIsSelfContained() {
        String html = HtmlReport.write(run(SCN, 1), "desc");
        assertTrue(html.contains("<svg"));
        assertFalse(html.contains("<script"));
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"));
    }
}
