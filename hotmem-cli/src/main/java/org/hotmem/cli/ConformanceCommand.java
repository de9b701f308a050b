package org.hotmem.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.ArrayList;
import org.hotmem.conformance.Bundled;
import org.hotmem.conformance.ConformanceSuite;
import org.hotmem.conformance.PseriesTranscriptComparer;
import org.hotmem.hv.MachineType;
import org.hotmem.conformance.TranscriptComparer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hotmem conformance [--kernel 6.12|6.1] [--only NAME] [--out DIR]}: runs every bundled
 * scenario (with 6.1 also the pseries recordings, on a pseries machine, compared by the pseries
 * recorder's rules; {@code --per-step-kernel-log} is its {@code --strict}), compares it with the recording from real Linux and prints, per scenario, the
 * comparer's blocks for what differs; the last line is {@code N passed, M failed} summed
 * over the scenarios. Exit status 1 if anything failed.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true, description = {
        "Run the bundled conformance scenarios and compare them with the transcripts recorded on real Linux.",
        "Ends with the line 'N passed, M failed'; exit status 1 if anything failed."})
public final class ConformanceCommand implements Callable<Integer> {
    @Option(names = "--kernel", defaultValue = "6.12", converter = KernelOption.class,
            description = "the kernel to model and compare with: 6.12 (default) or 6.1")
    String kernel;

    @Option(names = "--only", paramLabel = "NAME", description = "run only this scenario")
    String only;

    @Option(names = "--out", paramLabel = "DIR", description = "also write each transcript to DIR/NAME.jsonl")
    Path out;

    @Option(names = "--per-step-kernel-log", description = "compare every step's kernel log on its own")
    boolean perStep;

    @Option(names = "--exact-total-pages", description = "compare the number in 'Total pages: N' too")
    boolean exactTotalPages;

    @Option(names = "--seed", defaultValue = "1", description = "scheduler seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        ConformanceSuite pc = new ConformanceSuite(MachineTargets.factory(seed),
                new TranscriptComparer.Options(perStep, exactTotalPages, false, false, false));
        // the pseries recordings (kernel 6.1 only), with the pseries recorder's comparer
        boolean withPseries = Bundled.PSERIES_KERNELS.contains(kernel);
        ConformanceSuite pseries = new ConformanceSuite(MachineTargets.factory(seed, MachineType.PSERIES),
                new PseriesTranscriptComparer(perStep), Bundled.PSERIES);
        List<ConformanceSuite.ScenarioResult> results = new ArrayList<>();
        boolean inPseries = withPseries && only != null && Bundled.scenarioNames(Bundled.PSERIES).contains(only);
        try {
            if (!inPseries) {
                results.addAll(pc.runAll(kernel, only));
            }
            if (withPseries && (only == null || inPseries)) {
                results.addAll(pseries.runAll(kernel, only));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("hotmem conformance: " + e.getMessage());
            return 2;
        }
        if (out != null) {
            Files.createDirectories(out);
        }
        int passed = 0;
        int failed = 0;
        for (ConformanceSuite.ScenarioResult r : results) {
            if (out != null) {
                Files.writeString(out.resolve(r.scenario() + ".jsonl"), r.actualJsonl(), StandardCharsets.UTF_8);
            }
            TranscriptComparer.Result c = r.comparison();
            System.out.println("### " + r.scenario() + " (kernel " + kernel + "): " + c.passed() + " steps passed, "
                    + c.failed() + " failed");
            String blocks = c.blocks();
            if (!blocks.isEmpty()) {
                System.out.print(blocks);
            }
            passed += c.passed();
            failed += c.failed();
        }
        System.out.println(passed + " passed, " + failed + " failed");
        return failed > 0 ? 1 : 0;
    }
}
