package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hotmem.conformance.Bundled;
import org.hotmem.conformance.ConformanceSuite;
import org.hotmem.conformance.PseriesTranscriptComparer;
import org.hotmem.hv.MachineType;
import org.hotmem.conformance.TargetFactory;
import org.hotmem.conformance.TranscriptComparer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance gate: every bundled scenario, under 6.1 and 6.12, run on the real Machine
 * and compared (default comparer mode) with the transcript recorded on real Linux. One
 * dynamic test per scenario and kernel; a failure message is the comparer's report. Scenarios
 * with commands outside the built-in shell subset run through a real shell against a FUSE mount
 * (skipped, saying so, only where /dev/fuse is absent).
 */
class ConformanceSuiteTest {
    /** One dynamic test per bundled scenario and kernel, comparing the target's transcript with the recording. */
    static Stream<DynamicTest> suite(TargetFactory factory) {
        ConformanceSuite suite = new ConformanceSuite(factory, TranscriptComparer.Options.DEFAULT);
        List<DynamicTest> tests = new ArrayList<>();
        for (String kernel : Bundled.KERNELS) {
            for (String name : Bundled.scenarioNames()) {
                tests.add(DynamicTest.dynamicTest(name + " on " + kernel, () -> {
                    if (Bundled.scenario(name).needsRealShell() && !Files.exists(Path.of("/dev/fuse"))) {
                        System.out.println("SKIPPED: " + name + " runs through a real shell against a FUSE mount,"
                                + " and this machine has no /dev/fuse");
                        Assumptions.assumeTrue(false, "/dev/fuse is absent");
                    }
                    TranscriptComparer.Result r = suite.run(name, kernel).comparison();
                    assertEquals(0, r.failed(), () -> name + " (" + kernel + ") differs from real Linux:\n" + r.report());
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyBundledScenarioMatchesTheRecordingOfRealLinux() {
        return suite(MachineTargets.factory(1));
    }

    /** The pseries recordings (6.1 only) on a pseries machine, by the pseries recorder's comparer. */
    @TestFactory
    Stream<DynamicTest> everyBundledPseriesScenarioMatchesTheRecordingOfRealLinux() {
        ConformanceSuite suite = new ConformanceSuite(MachineTargets.factory(1, MachineType.PSERIES),
                new PseriesTranscriptComparer(false), Bundled.PSERIES);
        List<DynamicTest> tests = new ArrayList<>();
        for (String kernel : Bundled.PSERIES_KERNELS) {
            for (String name : Bundled.scenarioNames(Bundled.PSERIES)) {
                tests.add(DynamicTest.dynamicTest(name + " on pseries " + kernel, () -> {
                    TranscriptComparer.Result r = suite.run(name, kernel).comparison();
                    assertEquals(0, r.failed(), () -> name + " (pseries " + kernel + ") differs from real Linux:\n" + r.report());
                }));
            }
        }
        return tests.stream();
    }
}
