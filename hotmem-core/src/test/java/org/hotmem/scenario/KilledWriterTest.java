package org.hotmem.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A signal to a running guest write ends its process, as Linux's default action does: the action is killed. */
class KilledWriterTest {
    @Test
    void sigkillToAnOfflineStuckOnPinnedPagesKillsTheWriter() {
        String yaml = """
                name: killed
                duration: 3m
                machine:
                  memory: 2G,slots=4,maxmem=16G
                  cmdline: memhp_default_state=online_kernel
                workloads:
                  - name: rdma
                    kind: pinned
                    start: 20s
                    size: 1536M
                    chunk: 2M
                    rate: 512M/s
                timeline:
                  - at: 10s
                    id: plug
                    plug: {id: dimm1, size: 1G}
                  - at: 1m
                    id: off
                    offline: {blocks: {dimm: dimm1}}
                  - at: 90s
                    id: kill
                    signal: {to: off, sig: SIGKILL}
                expect:
                  - {action: off, result: killed}
                  - {action: kill, result: ok}
                """;
        Scenario s = ScenarioParser.parse("killed.yaml", yaml, Map.of());
        RunResult r = new ScenarioRunner(MachineTarget::boot).run(s, 1, Map.of(), ScenarioRunner.Progress.NONE);
        RunResult.ActionOutcome off = r.actions().stream().filter(a -> a.id().equals("off")).findFirst().orElseThrow();
        assertEquals("killed", off.result(), off.toString());
        assertTrue(off.detail().startsWith("killed by SIGKILL"), off.detail());
        assertTrue(r.passed(), r.expectations().toString());
    }
}
