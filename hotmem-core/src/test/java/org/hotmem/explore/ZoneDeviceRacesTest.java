package org.hotmem.explore;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.hotmem.grid.LocalGridExecutor;
import org.junit.jupiter.api.Test;

/**
 * Seed 004's catalog entries under the explorer, with fixed seeds: the torn zone span of
 * init_currently_empty_zone() outside zone_span_writelock() and the memmap freed under a held
 * device page by a release that did not wait, each found on its historical switch (within the
 * first schedules), replayed from its schedule file, and clean on the fixed code;
 * and the answer to seed 004's question: a reader under mem_hotplug_lock never sees the torn span.
 */
class ZoneDeviceRacesTest {
    static Race race(String name) throws Exception {
        Path p = Path.of("../races/" + name + ".yaml");
        return Race.parse(p.toString(), Files.readString(p));
    }

    static Explorer.Report explore(Race race, boolean historical, long seed, long schedules, boolean all) {
        try (LocalGridExecutor grid = new LocalGridExecutor(2)) {
            return Explorer.explore(race, historical, new Explorer.Options("random", 3, seed, schedules, all), 0, 2, grid, System::nanoTime);
        }
    }

    static void foundAndReplayed(Race race, String violation) {
        Explorer.Report r = explore(race, true, 1, 64, false);
        Explorer.Violation v = r.violation();
        assertNotNull(v, race.name() + ", seed 1: found within 64 schedules");
        System.out.println(race.name() + " seed 1: violation at schedule " + v.index() + " in " + r.seconds() + " s: " + v.violation());
        assertTrue(v.index() < 8, "found in the first schedules: " + v.index());
        assertTrue(v.violation().contains(violation), v.violation());
        ScheduleFile back = ScheduleFile.parse("x.schedule", v.schedule().text());
        RaceRun.Result again = Explorer.replay(race, back);
        assertEquals(v.schedule().violation(), again.violation(), "the schedule file replays the violation");
        assertArrayEquals(back.pids(), again.schedule());
        assertEquals(0, v.minimal().preemptions().size(), "the delays and the default switches make it: " + v.minimal().preemptions());
    }

    @Test
    void initCurrentlyEmptyZoneOutsideTheSpanLockTearsTheSpanAndTheFixDoesNot() throws Exception {
        Race race = race("004-zone-span");
        foundAndReplayed(race, "Device: zone_start_pfn 0x100000 written outside zone_span_writelock() with spanned_pages 0");
        Explorer.Report fixed = explore(race, false, 1, 200, false);
        assertNull(fixed.violation(), () -> fixed.violation().violation());
        assertEquals(200L, fixed.counts().get("bind=ok, reader=spanned"));
    }

    @Test
    void aReaderUnderMemHotplugLockNeverSeesTheTornSpanALocklessOneDoes() throws Exception {
        Explorer.Report lockless = explore(race("004-zone-span"), true, 1, 300, true);
        Explorer.Report locked = explore(race("004-zone-span-locked"), true, 1, 300, true);
        long torn = lockless.counts().getOrDefault("bind=ok, reader=torn", 0L);
        System.out.println("historical code, 300 schedules: lockless reader torn " + torn + ", under mem_hotplug_lock "
                + locked.counts().getOrDefault("bind=ok, reader=torn", 0L));
        assertTrue(torn > 0, "the lockless reader reads the torn span: " + lockless.counts());
        assertNull(locked.counts().get("bind=ok, reader=torn"), "get_online_mems() excludes move_pfn_range_to_zone(): " + locked.counts());
        assertEquals(300L, locked.counts().get("bind=ok, reader=spanned"));
        assertTrue(locked.violations() > 0, "the window is still there for any lockless reader: the invariant says so");
    }

    @Test
    void theHtmlReportDrawsTheMinimalScheduleAsATimelineOfTasks() throws Exception {
        Explorer.Report r = explore(race("004-memremap-release"), true, 1, 16, false);
        String html = ExploreHtml.render(r);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<td>unbind=ok, gup=use-after-free</td><td>1</td><td>FORBIDDEN</td>"), html);
        int[] pids = r.violation().minimal().schedule();
        assertEquals(pids.length, html.split("<rect ", -1).length - 1, "one cell per decision");
        for (int pid : pids) {
            assertTrue(html.contains(">" + pid + " " + r.violation().minimal().taskName(pid) + "</text>"), "row of pid " + pid + " named: " + html);
        }
        assertTrue(html.contains(">4 unbind</text>"), "the release's task chose at the minimal schedule's decision: " + html);
        assertEquals(html, ExploreHtml.render(r), "a pure function of the report");
    }

    @Test
    void aReleaseThatDoesNotWaitFreesTheMemmapOfAHeldPageAndTheFixWaits() throws Exception {
        Race race = race("004-memremap-release");
        foundAndReplayed(race, "gup=use-after-free");
        Explorer.Report fixed = explore(race, false, 1, 200, false);
        assertNull(fixed.violation(), () -> fixed.violation().violation());
        assertTrue(fixed.counts().get("unbind=ok, gup=ok") > 0 && fixed.counts().get("unbind=ok, gup=none") > 0,
                "both orders happen: " + fixed.counts());
    }
}
