package org.hotmem.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs bundled scenarios on targets from a factory and compares each transcript with the
 * recording of the same kernel version. Used by {@code hotmem conformance} and by the
 * conformance tests.
 */
public final class ConformanceSuite {
    /** One scenario's outcome: the transcript hotmem produced and the comparison. */
    public record ScenarioResult(String scenario, String kernel, String actualJsonl, TranscriptComparer.Result comparison) {
    }

    private final TargetFactory factory;
    private final TranscriptComparison comparer;
    /** The bundled set: "" (pc) or {@link Bundled#PSERIES}. */
    private final String root;

    /** The pc recordings, compared by the x86 recorder's rules. */
    public ConformanceSuite(TargetFactory factory, TranscriptComparer.Options options) {
        this(factory, new TranscriptComparer(options), "");
    }

    /**
     * The recordings under {@code root} ({@link Bundled#PSERIES} for the pseries machine, whose
     * factory must boot pseries machines, with a {@link PseriesTranscriptComparer}).
     */
    public ConformanceSuite(TargetFactory factory, TranscriptComparison comparer, String root) {
        this.factory = factory;
        this.comparer = comparer;
        this.root = root;
    }

    /** Runs and compares one bundled scenario. */
    public ScenarioResult run(String scenario, String kernel) {
        ScnScript s = Bundled.scenario(root, scenario);
        String actual = new ConformanceRunner(factory).runToJsonl(s, kernel);
        TranscriptComparer.Result r = comparer.compare(root + "expected/" + kernel + "/" + scenario + ".jsonl",
                Bundled.expected(root, kernel, scenario), scenario + ".jsonl", actual);
        return new ScenarioResult(scenario, kernel, actual, r);
    }

    /** Runs the named scenarios (all bundled ones if {@code only} is null) under {@code kernel}. */
    public List<ScenarioResult> runAll(String kernel, String only) {
        List<ScenarioResult> out = new ArrayList<>();
        for (String name : Bundled.scenarioNames(root)) {
            if (only == null || only.equals(name)) {
                out.add(run(name, kernel));
            }
        }
        if (only != null && out.isEmpty()) {
            throw new IllegalArgumentException("no bundled scenario '" + only + "' (have: "
                    + String.join(", ", Bundled.scenarioNames(root)) + ")");
        }
        return out;
    }
}
