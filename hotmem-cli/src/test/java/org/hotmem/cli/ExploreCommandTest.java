package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explore and replay from the command line: exit statuses, the table, the schedule file, errors. */
class ExploreCommandTest {
    static final String RACE = Path.of("..", "races", "000-hibernation-hotplug.yaml").toString();

    @Test
    void exploreFindsTheHistoricalBugWritesTheScheduleAndReplayReproducesIt(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("000.schedule");
        ScenarioCommandsTest.Out o = ScenarioCommandsTest.exec("explore", RACE, "--historical", "--jobs", "2", "--seed", "1",
                "--schedules", "40", "--out", out.toString());
        assertEquals(1, o.rc(), o.out() + o.err());
        assertTrue(o.out().contains("  Observed outcome"), o.out());
        assertTrue(o.out().matches("(?s).*\\d+ schedules in [0-9.]+ s: [0-9.]+ schedules/s.*"), o.out());
        assertTrue(o.out().contains("violation at schedule 1: FORBIDDEN outcome: hibernate=image-incomplete"), o.out());
        String file = Files.readString(out);
        assertTrue(file.contains("historical: true\nseed: 1\nindex: 1\n"), file);

        ScenarioCommandsTest.Out r = ScenarioCommandsTest.exec("replay", out.toString());
        assertEquals(1, r.rc(), r.out() + r.err());
        assertTrue(r.out().contains("outcome: hibernate=image-incomplete, hot-add=ok, hot-remove=ok, driver=ok (FORBIDDEN)"), r.out());
        assertTrue(r.out().contains("actor hot-add starts"), r.out());
        assertEquals(r.out(), ScenarioCommandsTest.exec("replay", out.toString()).out(), "a replay prints the same bytes every time");
    }

    @Test
    void aMalformedRaceFileIsRefusedWithFileAndLine(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "race: x\nmachine: {memory: 1G}\nactors:\n  - {name: a, hibernate: ram}\n");
        ScenarioCommandsTest.Out o = ScenarioCommandsTest.exec("explore", bad.toString());
        assertEquals(6, o.rc());
        assertEquals("hotmem explore: " + bad + ":4:26: actors[0].hibernate: expected disk, got \"ram\"\n", o.err());
    }

    @Test
    void aChangedRaceFileIsNotReplayed(@TempDir Path tmp) throws Exception {
        Path race = tmp.resolve("r.yaml");
        Files.writeString(race, Files.readString(Path.of(RACE)));
        Path sched = tmp.resolve("r.schedule");
        Files.writeString(sched, "race: " + race + "\nsha256: 00\nhistorical: true\nseed: 1\nindex: 0\nviolation: x\ndelays: 0 0 0 0\nschedule:\n");
        ScenarioCommandsTest.Out o = ScenarioCommandsTest.exec("replay", sched.toString());
        assertEquals(6, o.rc());
        assertTrue(o.err().contains("changed since the schedule was written"), o.err());
    }
}
