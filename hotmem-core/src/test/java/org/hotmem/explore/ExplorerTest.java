package org.hotmem.explore;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hotmem.grid.LocalGridExecutor;
import org.junit.jupiter.api.Test;

/**
 * Seed 000's catalog entry under the explorer, with fixed seeds: found on the historical switch,
 * replayed from its schedule file exactly, clean on the fixed code over a small budget, and the
 * same result whatever the number of threads.
 */
class ExplorerTest {
    static final Path RACE = Path.of("../races/000-hibernation-hotplug.yaml");

    static Race race() throws Exception { return Race.parse(RACE.toString(), Files.readString(RACE)); }

    static Explorer.Report explore(Race race, boolean historical, long seed, long schedules, int jobs) {
        try (LocalGridExecutor grid = new LocalGridExecutor(jobs)) {
            return Explorer.explore(race, historical, new Explorer.Options("random", 3, seed, schedules), 0, jobs, grid, System::nanoTime);
        }
    }

    @Test
    void theHistoricalSwitchLosesPagesFromTheImageAndTheScheduleFileReplaysIt() throws Exception {
        Race race = race();
        Explorer.Report r = explore(race, true, 1, 64, 2);
        Explorer.Violation v = r.violation();
        assertNotNull(v, "seed 1: the lost pages are found within 64 schedules");
        System.out.println("seed 1: violation at schedule " + v.index() + " after " + r.ran() + " schedules, " + r.seconds() + " s");
        assertTrue(v.index() < 8, "found in the first schedules: " + v.index());
        assertTrue(v.violation().startsWith("FORBIDDEN outcome: hibernate=image-incomplete"), v.violation());
        assertEquals(1L, r.counts().get("hibernate=image-incomplete, hot-add=ok, hot-remove=ok, driver=ok"));

        // the file, read back and written again, is the same bytes; its replay is the same run
        String text = v.schedule().text();
        ScheduleFile back = ScheduleFile.parse("x.schedule", text);
        assertEquals(text, back.text());
        RaceRun.Result again = Explorer.replay(race, back);
        assertEquals(v.schedule().violation(), again.violation());
        assertArrayEquals(back.pids(), again.schedule(), "the replay makes exactly the recorded decisions");
        assertEquals(v.minimal().story(), again.story(), "the trace of the steps is the same on every replay");
        assertTrue(again.story().stream().anyMatch(l -> l.contains("Memory device configured by ACPI")), again.story().toString());
        assertTrue(v.minimal().preemptions().size() <= v.preemptionsBefore(), "minimising never adds preemptions");
    }

    @Test
    void theFixedCodeIsCleanOverASmallBudget() throws Exception {
        Explorer.Report r = explore(race(), false, 1, 12, 2);
        assertNull(r.violation(), () -> r.violation().violation());
        assertEquals(12, r.ran());
        assertEquals(12L, r.counts().get("hibernate=image, hot-add=ok, hot-remove=ok, driver=ok"));
    }

    @Test
    void theResultDoesNotDependOnTheNumberOfThreads() throws Exception {
        Race race = race();
        Explorer.Report one = explore(race, true, 7, 32, 1);
        Explorer.Report two = explore(race, true, 7, 32, 2);
        assertNotNull(one.violation(), "seed 7 finds it too");
        assertEquals(one.violation().index(), two.violation().index());
        assertEquals(one.counts(), two.counts());
        assertEquals(one.ran(), two.ran());
        assertEquals(one.violation().schedule().text(), two.violation().schedule().text());
    }

    @Test
    void concurrentOnlineOfflineAndRemoveThroughSysfsStayConsistentInEveryOrder() throws Exception {
        Path p = Path.of("../races/online-offline-remove.yaml");
        Race race = Race.parse(p.toString(), Files.readString(p));
        Explorer.Report r = explore(race, false, 3, 40, 2);
        assertNull(r.violation(), () -> r.violation().violation());
        assertEquals(40, r.ran());
        assertTrue(r.counts().size() >= 4, "the orders give several outcomes: " + r.counts());
        for (String o : r.counts().keySet()) assertEquals(Grade.ACCEPTABLE, race.grade(o), o);
    }

    @Test
    void ddminKeepsAOneMinimalFailingSubset() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) all.add(i);
        assertEquals(List.of(3, 17), Explorer.ddmin(all, s -> s.contains(3) && s.contains(17)));
        assertEquals(List.of(), Explorer.ddmin(all, s -> true));
        assertEquals(List.of(9), Explorer.ddmin(all, s -> s.contains(9)));
    }
}
