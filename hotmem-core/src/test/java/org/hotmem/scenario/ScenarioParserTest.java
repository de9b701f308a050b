package org.hotmem.scenario;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioParserTest {
    static final String GOOD = """
            name: door
            machine:
              memory: 8G,slots=4,maxmem=64G
              cmdline: memhp_default_state=${ONLINE:-online_movable}
            workloads:
              - name: db
                kind: anon
                size: 4G
                chunk: {dist: uniform, min: 1M, max: 4M}
                rate: 1G/s
                lifetime: {dist: exponential, mean: 10m}
                pinned: 2%
            timeline:
              - at: 10s
                plug: {id: dimm1, size: 24G}
              - at: 1h
                id: unplug1
                unplug: dimm1
              - after: unplug1
                delay: 5s
                note: done
            expect:
              - action: unplug1
                result: EBUSY
                within: 2m
              - metric: unpluggable_bytes.Movable
                atLeast: 20G
              - blocks: 64-255
                zone: Movable
            """;

    @Test
    void wellFormedScenarioParsesWithDefaultsAndParameters() {
        Scenario s = ScenarioParser.parse("a.yaml", GOOD, Map.of());
        assertEquals("memhp_default_state=online_movable", s.machine().cmdline());
        assertEquals(3, s.timeline().size());
        assertEquals(new Distribution.Fixed(3600L * Quantities.NS_PER_SEC), s.timeline().get(1).at());
        assertEquals("#3", s.timeline().get(2).id());
        assertEquals(0.02, s.workloads().get(0).pinned(), 1e-12);
        assertInstanceOf(Distribution.Uniform.class, s.workloads().get(0).chunk());
        assertEquals(20.0 * (1L << 30), ((Expectation.Metric) s.expectations().get(1)).atLeast());
        Scenario p = ScenarioParser.parse("a.yaml", GOOD, Map.of("ONLINE", "online"));
        assertEquals("memhp_default_state=online", p.machine().cmdline());
    }

    private static ScenarioException fails(String text) {
        return assertThrows(ScenarioException.class, () -> ScenarioParser.parse("bad.yaml", text, Map.of()));
    }

    @Test
    void misspeltKeyIsReportedAtItsLineWithTheExpectedKeys() {
        ScenarioException e = fails(GOOD.replace("    lifetime:", "    lifetme:"));
        assertEquals(11, e.line());
        assertTrue(e.getMessage().startsWith("bad.yaml:11:14: workloads[0].lifetme: unknown key \"lifetme\""), e.getMessage());
        assertTrue(e.getMessage().contains("lifetime"), e.getMessage());
    }

    @Test
    void durationWithoutUnitNamesLineAndExpectedForm() {
        ScenarioException e = fails(GOOD.replace("at: 1h", "at: 3600"));
        assertEquals(16, e.line());
        assertTrue(e.detail().contains("expected a duration with a unit like 500ms, 30s, 10m or 1h, got \"3600\""), e.detail());
    }

    @Test
    void unknownActionReferenceIsAnError() {
        ScenarioException e = fails(GOOD.replace("after: unplug1", "after: unplug2"));
        assertEquals(19, e.line());
        assertTrue(e.detail().contains("no action with id \"unplug2\""), e.detail());
    }

    @Test
    void reclaimParsesItsDefaultsAndRejectsAMechanismWithoutItsDevices() {
        Scenario s = ScenarioParser.parse("a.yaml", GOOD.replace("    unplug: dimm1", "    reclaim: {take: 2G, by: dimm, devices: [dimm1]}"),
                Map.of());
        assertEquals(new Action.Reclaim(2L << 30, "dimm", java.util.List.of("dimm1"), 600 * Quantities.NS_PER_SEC,
                10 * Quantities.NS_PER_SEC), s.timeline().get(1).op());
        ScenarioException e = fails(GOOD.replace("    unplug: dimm1", "    reclaim: {take: 1G, by: virtio-mem}"));
        assertTrue(e.detail().contains("reclaim by virtio-mem needs devices: [ID...]"), e.detail());
        e = fails(GOOD.replace("    unplug: dimm1", "    reclaim: {take: 1G, by: cmm}"));
        assertTrue(e.detail().contains("expected balloon, virtio-mem or dimm, got \"cmm\""), e.detail());
    }

    @Test
    void dimmThatIsNotAMultipleOfTheBlockSizeIsRejected() {
        ScenarioException e = fails(GOOD.replace("size: 24G}", "size: 100M}"));
        assertEquals(15, e.line());
        assertTrue(e.detail().contains("multiple of the 128M memory block"), e.detail());
    }

    @Test
    void invalidYamlIsReportedWithItsLocation() {
        ScenarioException e = fails("name: x\nmachine: {memory: 1G\ntimeline: []\n");
        assertTrue(e.line() >= 2, e.getMessage());
        assertTrue(e.detail().startsWith("not valid YAML"), e.detail());
    }

    @Test
    void placeholderWithoutValueNamesItsLine() {
        ScenarioException e = fails(GOOD.replace("size: 4G", "size: ${DB_SIZE}"));
        assertEquals(8, e.line());
        assertTrue(e.detail().contains("parameter ${DB_SIZE} has no value"), e.detail());
    }

    @Test
    void unusedParameterIsAnError() {
        ScenarioException e = assertThrows(ScenarioException.class,
                () -> ScenarioParser.parse("a.yaml", GOOD, Map.of("ONLNE", "online")));
        assertTrue(e.detail().contains("parameter ONLNE is not used"), e.detail());
    }

    @Test
    void twoOperationsInOneActionAreRejected() {
        ScenarioException e = fails(GOOD.replace("    unplug: dimm1", "    unplug: dimm1\n    note: hi"));
        assertTrue(e.detail().contains("one operation per action"), e.detail());
    }

    @Test
    void badOnlineTypeListsTheValidOnes() {
        ScenarioException e = fails("""
                name: x
                machine: {memory: 1G}
                timeline:
                  - at: 1s
                    online: {blocks: 8-9, as: movable}
                """);
        assertEquals(5, e.line());
        assertTrue(e.detail().contains("expected online, online_kernel or online_movable, got \"movable\""), e.detail());
    }

    @Test
    void unquotedMemoryValueInAFlowMappingGetsAQuotingHint() {
        ScenarioException e = fails("name: x\nmachine: {memory: 4G,slots=4,maxmem=16G}\ntimeline:\n  - {at: 1s, note: hi}\n");
        assertEquals(2, e.line());
        assertTrue(e.detail().contains("quote it, memory: \"4G,slots=4,"), e.detail());
    }

    @Test
    void quantitiesFollowQemuBinarySuffixes() {
        assertEquals(8L << 30, Quantities.parseSize("8G"));
        assertEquals(24L << 30, Quantities.parseSize("24GiB"));
        assertEquals(1536L << 20, Quantities.parseSize("1.5G"));
        assertEquals(4096, Quantities.parseSize("4096"));
        assertEquals(-1, Quantities.parseSize("lots"));
        assertEquals(500_000_000L, Quantities.parseDuration("500ms"));
        assertEquals(90L * Quantities.NS_PER_SEC, Quantities.parseDuration("1.5m"));
        assertEquals(130L * Quantities.NS_PER_SEC, Quantities.parseDuration("2m10s"));
        assertEquals(-1, Quantities.parseDuration("10"));
        assertEquals(-1, Quantities.parseDuration("10sx"));
        assertEquals("24G", Quantities.formatSize(24L << 30));
        assertEquals("1536M", Quantities.formatSize(1536L << 20));
    }
}
