package org.hotmem.explore;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.hotmem.scenario.ScenarioException;
import org.junit.jupiter.api.Test;

/** A race file is read completely or refused with file, line and what was expected. */
class RaceParseTest {
    static final String GOOD = """
            race: r
            machine: {memory: "1G,slots=4,maxmem=4G"}
            actors:
              - {name: a, write: /sys/devices/system/memory/memory8/state, value: offline}
              - {name: b, qmp: device_del, arguments: {id: dimm1}, at: 0ms..5ms}
            outcomes:
              - {outcome: "a=ok, b=ok", grade: ACCEPTABLE, desc: fine}
            """;

    static ScenarioException refused(String text) {
        return assertThrows(ScenarioException.class, () -> Race.parse("bad.yaml", text));
    }

    @Test
    void aWellFormedRaceIsRead() {
        Race r = Race.parse("good.yaml", GOOD);
        assertEquals(2, r.actors().size());
        assertEquals(5_000_000L, r.actors().get(1).atHi());
        assertEquals("{\"id\":\"dimm1\"}", r.actors().get(1).arguments());
        assertEquals(Grade.ACCEPTABLE, r.grade("a=ok, b=ok"));
        assertEquals(Grade.FORBIDDEN, r.grade("a=EBUSY, b=ok"), "an unlisted outcome is FORBIDDEN by default");
    }

    @Test
    void aBadGradeNamesFileLineAndTheGrades() {
        ScenarioException e = refused(GOOD.replace("grade: ACCEPTABLE", "grade: FINE"));
        assertEquals("bad.yaml", e.file());
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("expected ACCEPTABLE, INTERESTING or FORBIDDEN, got \"FINE\""), e.getMessage());
    }

    @Test
    void anOutcomeNamingNoActorIsRefusedOnItsLine() {
        ScenarioException e = refused(GOOD.replace("\"a=ok, b=ok\"", "\"a=ok, c=ok\""));
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("\"c\" is not an actor"), e.getMessage());
    }

    @Test
    void aBadDelayRangeAndAnUnknownKeyAreRefusedOnTheirLines() {
        ScenarioException e = refused(GOOD.replace("0ms..5ms", "5ms..1ms"));
        assertEquals(5, e.line());
        assertTrue(e.getMessage().contains("expected a range from low to high"), e.getMessage());
        e = refused(GOOD.replace("value: offline", "valu: offline"));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("expected one of name, hibernate, qmp"), e.getMessage());
        e = refused(GOOD.replace("race: r\n", ""));
        assertTrue(e.getMessage().startsWith("bad.yaml:1"), e.getMessage());
        assertTrue(e.getMessage().contains("expected race: the race's name"), e.getMessage());
    }

    @Test
    void aRaceOfOneActorIsNoRace() {
        ScenarioException e = refused(GOOD.replace("  - {name: b, qmp: device_del, arguments: {id: dimm1}, at: 0ms..5ms}\n", "")
                .replace(", b=ok", ""));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("expected at least two actors"), e.getMessage());
    }

    @Test
    void theCatalogReads() throws Exception {
        try (var files = Files.list(Path.of("../races"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Race r = Race.parse(p.toString(), Files.readString(p));
                assertFalse(r.outcomes().isEmpty(), p.toString());
            }
        }
    }
}
