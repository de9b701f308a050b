package org.hotmem.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hotmem.FuzzSeeds;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzer: the example scenarios with one mutation each (a value replaced by garbage,
 * a huge or negative number, an empty value, a line deleted, duplicated or re-indented, a
 * truncation). Each parses, or fails with a ScenarioException of the form FILE:LINE[:COL]:
 * what was expected; nothing else may escape (no NumberFormatException, no OutOfMemoryError).
 * Every {@value #RUN_EVERY}th case that parses and lasts at most {@link #BUDGET_NS} of virtual
 * time is also run on a real machine: the run must end (within {@link #WALL_LIMIT} of wall
 * time), throw nothing, and leave the model's invariants holding.
 */
class ScenarioFuzzTest {
    private static final Pattern LOCATED = Pattern.compile("^[^:]+\\.yaml(:\\d+(:\\d+)?)?: .+", Pattern.DOTALL);
    private static final String[] VALUES = {"", "BOGUS", "-1", "99999999999999999999G", "1e999s", "0-100000000000",
            "99999999999999999999h", "[1, 2]", "{a: 1}", "\"\"", "0x10", "1.5.5", "~", "18446744073709551616"};

    /** Run one in this many of the cases that parse (the others are only parsed). */
    static final int RUN_EVERY = 40;
    /** The virtual-time budget of a run: longer mutated scenarios are only parsed. */
    static final long BUDGET_NS = 2L * 3600 * 1_000_000_000L;
    /** A run that takes longer than this on the wall clock hangs. */
    static final Duration WALL_LIMIT = Duration.ofSeconds(120);

    @Test
    void mutatedScenariosParseOrFailAtTheirLine() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("..", "examples"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 3, "examples: " + files);
        long base = FuzzSeeds.base(42L);
        int cases = FuzzSeeds.cases(500);
        int parsed = 0;
        int ran = 0;
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = FuzzSeeds.random(base, i);
            Path f = files.get(r.nextInt(files.size()));
            List<String> lines = new ArrayList<>(Files.readAllLines(f, StandardCharsets.UTF_8));
            int at = r.nextInt(lines.size());
            String line = lines.get(at);
            switch (r.nextInt(6)) {
                case 0, 1 -> {
                    int colon = line.indexOf(": ");
                    if (colon > 0) {
                        lines.set(at, line.substring(0, colon + 2) + VALUES[r.nextInt(VALUES.length)]);
                    }
                }
                case 2 -> lines.remove(at);
                case 3 -> lines.add(at, line);
                case 4 -> lines.set(at, " ".repeat(r.nextInt(5)) + line.strip());
                default -> lines = lines.subList(0, at);
            }
            String text = String.join("\n", lines);
            String where = FuzzSeeds.replay("scenario", base, i) + f.getFileName() + " line " + (at + 1) + ": ";
            try {
                Scenario s = ScenarioParser.parse(f.getFileName().toString(), text, Map.of());
                if (parsed++ % RUN_EVERY == 0 && s.duration() <= BUDGET_NS) {
                    run(s, r.nextLong(), where);
                    ran++;
                }
            } catch (ScenarioException e) {
                assertTrue(LOCATED.matcher(e.getMessage()).matches(), where + e.getMessage());
            } catch (RuntimeException | OutOfMemoryError e) {
                fail(where + "escaped: " + e, e);
            }
        }
        System.out.println("scenario fuzz: " + cases + " mutations, " + parsed + " parsed, " + ran + " run (base seed " + base + ")");
        assertTrue(ran >= cases / (RUN_EVERY * 4), "too few mutated scenarios ran: " + ran + " of " + parsed + " parsed");
    }

    /** Runs {@code s}: no exception escapes, it ends within the wall-clock limit, the invariants hold after it. */
    private static void run(Scenario s, long seed, String where) {
        MachineTarget[] target = new MachineTarget[1];
        ScenarioRunner runner = new ScenarioRunner((spec, sd) -> {
            target[0] = (MachineTarget) MachineTarget.boot(spec, sd);
            return target[0];
        });
        try {
            assertTimeoutPreemptively(WALL_LIMIT, () -> runner.run(s, seed, Map.of(), ScenarioRunner.Progress.NONE),
                    where + "run did not end");
        } catch (ScenarioException e) {
            return; // the machine refused (QEMU's message): a clear answer, not a crash
        }
        if (target[0] != null) {
            assertEquals(List.of(), target[0].invariantViolations(), where + "invariants after the run");
        }
    }
}
