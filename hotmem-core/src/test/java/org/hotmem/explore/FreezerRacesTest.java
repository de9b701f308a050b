package org.hotmem.explore;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * Seed 001's catalog entry under the explorer, with fixed seeds: a journal kernel thread that is
 * not freezable commits after the atomic copy (the image's journal is behind the disk), found on
 * the first schedule of seed 1, replayed from its schedule file; the freezable thread (frozen by
 * freeze_kernel_threads() before the copy) leaves image and disk in agreement over 24 schedules.
 */
class FreezerRacesTest {
    @Test
    void aJournalThreadTheFreezerDoesNotStopCommitsAfterTheCopyAndAFreezableOneDoesNot() throws Exception {
        Race race = ZoneDeviceRacesTest.race("001-freezer-journal");
        Explorer.Report r = ZoneDeviceRacesTest.explore(race, true, 1, 8, false);
        Explorer.Violation v = r.violation();
        assertNotNull(v, "seed 1: found within 8 schedules");
        System.out.println(race.name() + " seed 1: violation at schedule " + v.index() + " in " + r.seconds() + " s: " + v.violation());
        assertEquals(0, v.index(), "every schedule of the historical code commits during the image write");
        assertEquals("FORBIDDEN outcome: hibernate=image, journal=disk-ahead", v.violation());
        ScheduleFile back = ScheduleFile.parse("x.schedule", v.schedule().text());
        RaceRun.Result again = Explorer.replay(race, back);
        assertEquals(v.schedule().violation(), again.violation(), "the schedule file replays the violation");
        assertArrayEquals(back.pids(), again.schedule());

        Explorer.Report fixed = ZoneDeviceRacesTest.explore(race, false, 1, 24, false);
        assertNull(fixed.violation(), () -> fixed.violation().violation());
        assertEquals(24L, fixed.counts().get("hibernate=image, journal=consistent"), fixed.counts().toString());
    }
}
