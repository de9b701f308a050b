package org.hotmem.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.hotmem.explore.Explorer;
import org.hotmem.explore.Race;
import org.hotmem.explore.ScheduleFile;
import org.hotmem.scenario.ScenarioException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code hotmem replay SCHEDULE}: runs a schedule file's race with exactly its delays and pids,
 * prints the steps that matter (actor starts, preemptions, the kernel log) and the outcome;
 * exits 1 when the violation is reproduced, 0 when the run is clean.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Reproduce a schedule file written by explore, with the trace of the steps that matter.")
public final class ReplayCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCHEDULE", description = "a schedule file written by explore")
    Path file;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ScheduleFile s = ScheduleFile.parse(file.toString(), CliFiles.read("replay", file));
            Path racePath = Path.of(s.race());
            if (!Files.exists(racePath) && file.getParent() != null) racePath = file.getParent().resolve(racePath.getFileName());
            String text = CliFiles.read("replay", racePath);
            Race race = Race.parse(racePath.toString(), text);
            if (!Explorer.sha256(text).equals(s.sha256())) {
                err.println("hotmem replay: " + racePath + " changed since the schedule was written (sha256 differs)");
                return ExitStatus.BAD_FILE.code;
            }
            if (s.delays().length != race.actors().size()) {
                err.println("hotmem replay: " + file + ": expected " + race.actors().size() + " delays, one per actor");
                return ExitStatus.BAD_FILE.code;
            }
            var r = Explorer.replay(race, s);
            o.println("replay of " + race.name() + " schedule " + s.index() + " (seed " + s.seed() + (s.historical() ? ", historical" : "")
                    + "), delays " + Arrays.toString(s.delays()));
            r.story().forEach(o::println);
            o.println("outcome: " + r.outcome() + " (" + race.grade(r.outcome()) + ")");
            o.println(r.violation() == null ? "no violation" : "violation: " + r.violation());
            return (r.violation() == null ? ExitStatus.OK : ExitStatus.FAILED).code;
        } catch (ScenarioException e) {
            return RunCommand.scenarioError("replay", e, err);
        } catch (IllegalStateException e) {
            err.println("hotmem replay: " + e.getMessage());
            return ExitStatus.FAILED.code;
        } finally {
            o.flush();
            err.flush();
        }
    }
}
