package org.hotmem.scenario;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples in {@code examples/} on the full machine model: each one's stated result (its
 * {@code expect:} section, written in its header) holds, and the same file and seed give
 * byte-identical JSON.
 */
class ExamplesTest {
    static final Path DIR = Path.of("..", "examples");
    static final ScenarioRunner RUNNER = new ScenarioRunner(MachineTarget::boot);

    static RunResult run(String name, long seed, Map<String, String> params) {
        Scenario s = ScenarioParser.parseFile(DIR.resolve(name + ".yaml"), params);
        return RUNNER.run(s, seed, params, ScenarioRunner.Progress.NONE);
    }

    static void assertPasses(RunResult r) {
        assertTrue(r.passed(), () -> TextReport.summary(r));
    }

    @Test
    void everyExampleParsesAndHasItsExpectationsInItsHeader() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 6, files.toString());
        for (Path f : files) {
            Scenario s = ScenarioParser.parseFile(f, Map.of());
            assertTrue(!s.expectations().isEmpty(), f + " states no expected result");
            assertTrue(Files.readString(f).contains("# Expected"), f + " has no '# Expected' header line");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zone-normal-one-way-door", "auto-movable-301", "pinned-unplug", "database-unplug",
            "memmap-on-memory", "virtio-mem-resize"})
    void sameFileAndSeedGiveByteIdenticalJson(String name) {
        assertEquals(JsonReport.write(run(name, 3, Map.of())), JsonReport.write(run(name, 3, Map.of())));
    }

    @Test
    void aGuestHibernatesAfterHotplugAndResumesWithItsRemainingDimmAtTheSameAddress() {
        RunResult r = run("hibernate-after-hotplug", 2, Map.of());
        assertPasses(r);
        assertTrue(r.metrics().get("hibernate_image_bytes") < r.metrics().get("hibernate_pages_saved") * 4096,
                () -> TextReport.summary(r));
        assertEquals(JsonReport.write(r), JsonReport.write(run("hibernate-after-hotplug", 2, Map.of())));
        String html = HtmlReport.write(r, "");
        String section = html.substring(html.indexOf("<h2>Hibernation</h2>"), html.indexOf("<h2>Memory map</h2>"));
        assertTrue(section.contains("<td class=\"num\">" + Quantities.formatSize(r.metrics().get("hibernate_image_bytes").longValue())
                + " ("), section);
        assertTrue(section.contains("<td class=\"num\">" + Quantities.formatDuration(r.metrics().get("downtime_ns").longValue())
                + "</td><td>yes</td>"), section);
        assertTrue(section.contains("<tr><td>free</td><td class=\"num\">"
                + r.metrics().get("hibernate_pages_skipped.free").longValue() + "</td></tr>"), section);
        assertFalse(HtmlReport.write(run("pinned-unplug", 1, Map.of()), "").contains("<h2>Hibernation</h2>"),
                "no hibernation section for a run that did not hibernate");
    }

    @Test
    void onlineAutoOnliningPutsTheDimmInZoneNormalAndItCannotBeUnplugged() {
        for (long seed = 1; seed <= 3; seed++) assertPasses(run("zone-normal-one-way-door", seed, Map.of()));
    }

    @Test
    void onlineMovableAutoOnliningKeepsTheSameDimmUnpluggable() {
        RunResult r = run("zone-normal-one-way-door", 1, Map.of("ONLINE", "online_movable"));
        RunResult.ActionOutcome unplug = r.actions().stream().filter(a -> a.id().equals("unplug")).findFirst().orElseThrow();
        assertEquals("ok", unplug.result(), TextReport.summary(r));
        assertEquals(2.0 * (1L << 30), r.metrics().get("unplugged_bytes"));
    }

    @Test
    void autoMovableRatio301OnlinesTwentyFourGigabytesMovableAndTheRestNormal() {
        assertPasses(run("auto-movable-301", 1, Map.of()));
    }

    @Test
    void autoMovableDecidesPerDimmSoALowerRatioKeepsWholeDimmsInNormal() {
        // ACPI DIMMs are static memory groups: a DIMM goes Movable only if all of it fits the ratio
        RunResult r200 = run("auto-movable-301", 1, Map.of("RATIO", "200"));
        assertEquals(8.0 * (1L << 30), r200.metrics().get("online_bytes.Movable"), TextReport.summary(r200));
        RunResult r100 = run("auto-movable-301", 1, Map.of("RATIO", "100"));
        assertEquals(0.0, r100.metrics().get("online_bytes.Movable"), TextReport.summary(r100));
    }

    @Test
    void pinnedPagesBlockTheUnplugUntilReleased() {
        for (long seed = 1; seed <= 2; seed++) assertPasses(run("pinned-unplug", seed, Map.of()));
    }

    @Test
    void databaseWithTwoPercentPinnedLetsTwoDimmsGo() {
        for (long seed = 1; seed <= 2; seed++) assertPasses(run("database-unplug", seed, Map.of()));
    }

    @Test
    void balloonAndVirtioMemGiveMemoryBackButTheDimmUnplugThenMissesItsDeadline() {
        for (long seed = 1; seed <= 3; seed++) {
            RunResult r = run("reclaim-compare", seed, Map.of());
            assertPasses(r);
            assertTrue(r.metrics().get("duration_ns.vmem") < r.metrics().get("duration_ns.balloon"), TextReport.summary(r));
        }
        assertPasses(run("reclaim-compare", 1, Map.of("PINNED", "0%")));
        RunResult small = run("reclaim-compare", 1, Map.of("SIZE", "2G", "ONLINE", "online_kernel"));
        assertEquals(1.0, small.metrics().get("ok.dimm"), "with a 2 GiB workload there is room to migrate into");
        assertTrue(small.metrics().get("duration_ns.dimm") < 1e9, TextReport.summary(small));
        assertEquals(1.0, small.metrics().get("ok.vmem"));
    }

    @Test
    void theReclaimControllerGetsItsGibibyteBackEachWayUnlessPinsSitInKernelMemory() {
        for (long seed = 1; seed <= 3; seed++) {
            RunResult r = run("reclaim-controller", seed, Map.of());
            assertPasses(r);
            for (String way : List.of("balloon", "vmem", "dimm")) {
                assertEquals(1.0 * (1L << 30), r.metrics().get("reclaim_returned_bytes." + way), way);
                assertEquals(0.0, r.metrics().get("reclaim_retries." + way), way);
            }
            assertTrue(r.metrics().get("reclaim_time_ns.vmem") < r.metrics().get("reclaim_time_ns.dimm"), TextReport.summary(r));
            assertTrue(r.metrics().get("reclaim_time_ns.dimm") < r.metrics().get("reclaim_time_ns.balloon"), TextReport.summary(r));
            assertEquals(0.0, r.metrics().get("reclaim_pages_migrated.balloon"));
        }
        RunResult pinnedKernel = run("reclaim-controller", 1, Map.of("RATIO", "0", "PINNED", "10%"));
        assertEquals(0.0, pinnedKernel.metrics().get("reclaim_returned_bytes.dimm"), TextReport.summary(pinnedKernel));
        assertEquals(5.0, pinnedKernel.metrics().get("reclaim_retries.dimm"), "a retry every 10s until the 1m deadline");
        assertNull(pinnedKernel.metrics().get("reclaim_time_ns.dimm"));
        assertEquals(0.0, pinnedKernel.metrics().get("ok.dimm"));
        assertEquals(1.0 * (1L << 30), pinnedKernel.metrics().get("reclaim_returned_bytes.vmem"));
    }

    @Test
    void virtioMemGrowsAndShrinksMigratingTheWorkloadOut() {
        for (long seed = 1; seed <= 3; seed++) assertPasses(run("virtio-mem-resize", seed, Map.of()));
    }

    @Test
    void smallGuestCanHotAddALargeDimmOnlyWithMemmapOnMemory() {
        assertPasses(run("memmap-on-memory", 1, Map.of()));
        RunResult on = run("memmap-on-memory", 1, Map.of("MEMMAP", "1"));
        assertEquals(64.0 * (1L << 30), on.metrics().get("online_bytes.Movable"), TextReport.summary(on));
    }
}
