package org.hotmem.scenario;

import org.junit.jupiter.api.Test;
import java.nio.file.*;
import java.util.*;

class TmpRenderTest {
    @Test
    void render() throws Exception {
        Scenario s = ScenarioParser.parse("t.yaml", ScenarioRunnerTest.SCN.replace("duration: 5m", "duration: 5m\nsample: 1s"), Map.of());
        RunResult r = new ScenarioRunner(FakeTarget::new).run(s, 1, Map.of(), ScenarioRunner.Progress.NONE);
        Files.writeString(Path.of("/tmp/fake.html"), HtmlReport.write(r, s.description()));
        Sweep sw = SweepTest.sweep(4);
        var rows = sw.run(2, (a, b) -> { });
        Files.writeString(Path.of("/tmp/sweep.html"), SweepReport.html("s.yaml", List.of("DIMM", "ONLINE"), sw.grid(), rows, "unpluggable_bytes.Movable"));
        System.out.println(TextReport.timeline(r));
        System.out.println(TextReport.summary(r));
    }
}
