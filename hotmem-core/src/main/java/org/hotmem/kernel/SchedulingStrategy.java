package org.hotmem.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Chooses the next task at a scheduling point. Every interleaving decision of a {@link Kernel}
 * is made here, so a strategy built from a seed makes the whole run a function of that seed.
 *
 * <p>A strategy belongs to one kernel (it may keep per-run state) and is only consulted when at
 * least two tasks are runnable.
 */
public interface SchedulingStrategy {
    /**
     * Returns the index, in {@code runnable[0..n)}, of the task to run next.
     *
     * @param runnable the runnable tasks ordered by pid; read only
     * @param n        how many entries of {@code runnable} are valid (at least 2)
     * @param prev     the task at the scheduling point (it may be among the runnable ones, or
     *                 blocked, or dead), or null when the driver dispatches
     */
    int pickNext(Task[] runnable, int n, Task prev);

    /** Called when a task is created (before it first becomes runnable). */
    default void onSpawn(Task task) {}

    /** Seeded uniform random choice at every scheduling point. */
    static SchedulingStrategy random(long seed) { return new RandomStrategy(seed); }

    /**
     * PCT (Burckhardt et al., ASPLOS 2010): random distinct priorities, the highest-priority
     * runnable task runs; {@code depth - 1} priority change points, placed at random among the
     * first {@code expectedSteps} decisions, demote the running task. Finds any bug of depth
     * {@code depth} with probability at least 1/(n * k^(d-1)).
     */
    static SchedulingStrategy pct(long seed, int depth, int expectedSteps) {
        return new PctStrategy(seed, depth, expectedSteps);
    }

    /** The runnable task with the next higher pid than the previous one, wrapping around. */
    static SchedulingStrategy roundRobin() { return new RoundRobinStrategy(); }

    /**
     * Replays a recorded schedule: the pids chosen at each decision, in order (as
     * {@link ScheduleTrace#schedule()} returns them). A pid that is not runnable at its
     * decision, or running out of pids, fails the run with the decision number.
     */
    static SchedulingStrategy replay(int[] pids) { return new ReplayStrategy(pids, "schedule"); }

    /**
     * Replays a schedule file: one chosen pid per line ('#' starts a comment, blank lines are
     * ignored), as {@link ScheduleTrace#scheduleText()} writes it.
     */
    static SchedulingStrategy replay(Path file) {
        try {
            return ReplayStrategy.parse(Files.readAllLines(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replays a schedule given as lines of text (see {@link #replay(Path)}). */
    static SchedulingStrategy replay(List<String> lines, String sourceName) {
        return ReplayStrategy.parse(lines, sourceName);
    }
}
