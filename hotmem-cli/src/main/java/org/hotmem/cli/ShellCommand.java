package org.hotmem.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.hotmem.conformance.ConformanceRunner;
import org.hotmem.conformance.ConformanceTarget;
import org.hotmem.conformance.InteractiveShell;
import org.hotmem.conformance.ScnScript;
import org.hotmem.conformance.ScnFormatException;
import org.hotmem.conformance.ScnParser;
import org.hotmem.conformance.TranscriptWriter;
import picocli.CommandLine.Command;
import org.hotmem.hv.MachineType;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotmem shell [FILE.scn] [--transcript OUT.jsonl] [--kernel 6.12|6.1]}: runs a
 * conformance scenario and writes its transcript, or, without a file, an interactive guest
 * console ({@code # } prompt; guest commands, {@code qmp EXECUTE {json}}, {@code sleep N}).
 */
@Command(name = "shell", mixinStandardHelpOptions = true, description = {
        "Run a .scn scenario and write its JSONL transcript, or, without FILE, an interactive guest prompt.",
        "At the prompt: guest commands (cat, echo > FILE, ls, grep -H ., memblocks, zonesum, mkswap, swapon), 'qmp EXECUTE {json}', 'sleep N', 'exit'."})
public final class ShellCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.scn", description = "the scenario to run")
    Path scenario;

    @Option(names = "--transcript", paramLabel = "OUT.jsonl", description = "where to write the transcript (default: stdout)")
    Path transcript;

    @Option(names = "--kernel", defaultValue = "6.12", converter = KernelOption.class,
            description = "the kernel to model: 6.12 (default) or 6.1")
    String kernel;

    @Option(names = {"-m", "--memory"}, defaultValue = ScnScript.DEFAULT_MEMORY,
            description = "interactive only: QEMU -m (default ${DEFAULT-VALUE})")
    String memory;

    @Option(names = "--cmdline", defaultValue = "", description = "interactive only: kernel command-line additions")
    String cmdline;

    @Option(names = "--qemu", paramLabel = "ARGS", description = "interactive only: extra QEMU arguments (repeatable), "
            + "e.g. '-device virtio-balloon-pci,id=balloon0'")
    List<String> qemu = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "1", description = "scheduler seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--machine", defaultValue = "pc", converter = MachineOption.class,
            description = "the QEMU board: pc (default, x86-64) or pseries (ppc64le, kernel 6.1)")
    MachineType machine;

    @Override
    public Integer call() throws IOException {
        if (scenario == null) {
            List<String> qemuArgs = new ArrayList<>();
            for (String q : qemu) {
                qemuArgs.addAll(List.of(q.strip().split("\\s+")));
            }
            ScnScript header = new ScnScript("interactive", memory, cmdline, qemuArgs, List.of(), List.of());
            try (ConformanceTarget t = MachineTargets.factory(seed, machine).boot(header, kernel)) {
                PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
                return new InteractiveShell(t, out).run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            }
        }
        ScnScript s;
        try {
            s = ScnParser.parse(scenario.getFileName().toString(), CliFiles.read("shell", scenario));
        } catch (ScnFormatException e) {
            System.err.println("hotmem shell: " + e.getMessage());
            return ExitStatus.BAD_FILE.code;
        }
        Writer w;
        try {
            w = transcript == null
                    ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
                    : Files.newBufferedWriter(transcript, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliFiles.cantWrite("shell", "--transcript", transcript, e);
        }
        TranscriptWriter tw = new TranscriptWriter(w);
        boolean[] aborted = new boolean[1];
        new ConformanceRunner(MachineTargets.factory(seed, machine)).run(s, kernel, rec -> {
            aborted[0] |= rec.path("kind").asText().equals("abort");
            tw.write(rec);
        });
        if (transcript != null) {
            tw.close();
            System.err.println("hotmem shell: " + s.name() + ": " + s.steps().size() + " steps, transcript in " + transcript);
        } else {
            w.flush();
        }
        return (aborted[0] ? ExitStatus.FAILED : ExitStatus.OK).code;
    }
}
