package org.hotmem.explore;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * The auto-online catalog entry with fixed seeds: without the kernel onlining (the switch
 * auto-online-offline) a udev rule writing online and an agent writing online_movable race, and
 * udev's win leaves the block in ZONE_NORMAL with the agent's EINVAL (found at schedule 2 of seed
 * 1, replayed from its schedule file); with auto_online_blocks=online_movable the kernel is the
 * one onliner and every one of 300 schedules ends in Movable.
 */
class AutoOnlineRaceTest {
    @Test
    void udevAndAnAgentRacingToOnlineLeaveTheBlockInNormalOneKernelOnlinerDoesNot() throws Exception {
        Race race = ZoneDeviceRacesTest.race("auto-online");
        Explorer.Report r = ZoneDeviceRacesTest.explore(race, true, 1, 64, false);
        Explorer.Violation v = r.violation();
        assertNotNull(v, "seed 1: found within 64 schedules");
        System.out.println(race.name() + " seed 1: violation at schedule " + v.index() + " in " + r.seconds() + " s: " + v.violation());
        assertTrue(v.index() < 8, "found in the first schedules: " + v.index());
        assertEquals("FORBIDDEN outcome: plug=ok, udev=ok in Normal, agent=EINVAL in Normal", v.violation());
        ScheduleFile back = ScheduleFile.parse("x.schedule", v.schedule().text());
        RaceRun.Result again = Explorer.replay(race, back);
        assertEquals(v.schedule().violation(), again.violation(), "the schedule file replays the violation");
        assertArrayEquals(back.pids(), again.schedule());
        assertEquals(0, v.minimal().preemptions().size(), "the reaction delays alone decide the winner");

        Explorer.Report fixed = ZoneDeviceRacesTest.explore(race, false, 1, 300, false);
        assertNull(fixed.violation(), () -> fixed.violation().violation());
        assertEquals(300L, fixed.counts().get("plug=ok, udev=skipped in Movable, agent=EINVAL in Movable"), fixed.counts().toString());
    }
}
