package org.hotmem.explore;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.hotmem.grid.GridExecutor;
import org.hotmem.kernel.SchedulingStrategy;

/**
 * Explores a race: schedule {@code i} runs the race with delays and an explored strategy drawn
 * from {@code mix(seed, i)} alone, so its outcome is a pure function of (file, seed, i) wherever
 * it runs. Schedules go to the grid in rounds of batches, in index order (the first round one
 * schedule per thread, the later ones two batches of {@link #BATCH} per thread); the first round with
 * a violation ends the exploration, and the violation reported is the lowest-index one (a batch
 * stops at its first, and batches of a round are compared by index), so the result does not
 * depend on how many threads or members ran it.
 *
 * <p>A violation is minimised by delta debugging (Zeller's ddmin) over the run's preemptions:
 * the smallest set of preemptions, with every other decision the default one and the delays
 * kept, for which the run still violates; the minimal run's full pid sequence is the schedule
 * file.
 */
public final class Explorer {
    /**
     * How schedules are drawn: random or PCT (with its depth), the seed, the budget (schedules, or
     * wall time), and whether to go on after a violation ({@code all}: collect every violating
     * schedule over the budget, the lowest one minimised).
     */
    public record Options(String strategy, int depth, long seed, long schedules, boolean all) implements Serializable {
        public Options {
            if (!strategy.equals("random") && !strategy.equals("pct")) throw new IllegalArgumentException("strategy: expected random or pct, got " + strategy);
            if (depth < 1) throw new IllegalArgumentException("depth: expected at least 1, got " + depth);
        }

        /** Stops at the first violation. */
        public Options(String strategy, int depth, long seed, long schedules) { this(strategy, depth, seed, schedules, false); }
    }

    /**
     * The exploration's result: the outcome table, the schedules run (up to and including the
     * violating one's batch), how many of them violated (1, or with {@code all} every one), the
     * minimised lowest violation (or null), and the wall time of the exploration (to the
     * violation's round, or to the budget's end with {@code all}; the minimisation not included).
     */
    public record Report(Race race, boolean historical, Options options, Map<String, Long> counts, long ran,
                         long violations, Violation violation, double seconds) {
        public double schedulesPerSecond() { return seconds > 0 ? ran / seconds : 0; }
    }

    /** The lowest violating schedule, its minimised replay, and the minimal run's story. */
    public record Violation(long index, String violation, ScheduleFile schedule, int preemptionsBefore, RaceRun.Result minimal) {}

    /** PCT's horizon: decisions after the actors start among which its priority change points fall. */
    static final int PCT_STEPS = 200;
    /** Schedules per grid task. */
    static final int BATCH = 2;

    private Explorer() {}

    /** The delays and strategy of schedule {@code index}. */
    static RaceRun.Result runIndex(Race race, boolean historical, Options o, long index) {
        long s = mix(o.seed() * 0x9E3779B97F4A7C15L + index);
        SplittableRandom r = new SplittableRandom(s);
        long[] delays = new long[race.actors().size()];
        for (int i = 0; i < delays.length; i++) {
            Race.Actor a = race.actors().get(i);
            delays[i] = a.atHi() > a.atLo() ? r.nextLong(a.atLo(), a.atHi() + 1) : a.atLo();
        }
        SchedulingStrategy st = o.strategy().equals("pct")
                ? SchedulingStrategy.pct(r.nextLong(), o.depth(), PCT_STEPS) : SchedulingStrategy.random(r.nextLong());
        return RaceRun.run(race, historical, delays, ExploreStrategy.seeded(st), false);
    }

    /** The MurmurHash3 finaliser: spreads consecutive indices over the seed space. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb93fe1cc25bbL;
        return z ^ (z >>> 33);
    }

    /**
     * Runs schedules 0, 1, ... until a violation (unless {@code all}), the schedule budget, or
     * (with {@code timeNs} > 0) the wall-clock budget, whichever comes first.
     */
    public static Report explore(Race race, boolean historical, Options o, long timeNs, int parallel, GridExecutor grid,
                                 LongSupplier clock) {
        long t0 = clock.getAsLong();
        Map<String, Long> counts = new LinkedHashMap<>();
        long ran = 0;
        long violations = 0;
        long lowest = -1;
        String lowestViolation = null;
        long next = 0;
        int threads = Math.max(1, parallel);
        while (next < o.schedules() && (timeNs <= 0 || clock.getAsLong() - t0 < timeNs)) {
            // the first round is one schedule per thread: a bug in the first schedules is reported
            // after one (cold) schedule's time, not after a full round's
            boolean first = next == 0;
            List<ExploreBatch> tasks = new ArrayList<>();
            for (int i = 0; i < (first ? threads : threads * 2) && next < o.schedules(); i++) {
                int n = (int) Math.min(first ? 1 : BATCH, o.schedules() - next);
                tasks.add(new ExploreBatch(race.file(), race.text(), historical, o, next, n));
                next += n;
            }
            List<ExploreBatch.Done> done = new ArrayList<>();
            grid.run(tasks, done::add, GridExecutor.Progress.NONE);
            for (ExploreBatch.Done d : done) {
                d.counts().forEach((k, v) -> counts.merge(k, v, Long::sum));
                ran += d.ran();
                violations += d.violations();
                if (d.violationIndex() >= 0 && lowest < 0) {
                    lowest = d.violationIndex();
                    lowestViolation = d.violation();
                }
                if (lowest >= 0 && !o.all()) break;
            }
            if (lowest >= 0 && !o.all()) break;
        }
        double seconds = (clock.getAsLong() - t0) / 1e9;
        return new Report(race, historical, o, counts, ran, violations,
                lowest >= 0 ? minimise(race, historical, o, lowest, lowestViolation) : null, seconds);
    }

    /** ddmin over the preemptions of schedule {@code index}'s run; the result replays to a violation. */
    static Violation minimise(Race race, boolean historical, Options o, long index, String violation) {
        RaceRun.Result first = runIndex(race, historical, o, index);
        long[] delays = first.delays();
        List<Map.Entry<Integer, Integer>> pre = new ArrayList<>(first.preemptions().entrySet());
        List<Map.Entry<Integer, Integer>> min = ddmin(pre, subset -> forced(race, historical, delays, subset).violation() != null);
        RaceRun.Result minimal = forced(race, historical, delays, min);
        if (minimal.violation() == null) minimal = first; // cannot happen: ddmin keeps a failing set
        ScheduleFile file = new ScheduleFile(race.file(), ScheduleFile.sha256(race.text()), historical, o.seed(), index,
                minimal.violation(), delays, minimal.schedule());
        RaceRun.Result story = replay(race, file);
        return new Violation(index, violation, file, pre.size(), story);
    }

    private static RaceRun.Result forced(Race race, boolean historical, long[] delays, List<Map.Entry<Integer, Integer>> subset) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (var e : subset) m.put(e.getKey(), e.getValue());
        return RaceRun.run(race, historical, delays, ExploreStrategy.forced(m), false);
    }

    /** A race text's SHA-256, as a schedule file records it. */
    public static String sha256(String text) { return ScheduleFile.sha256(text); }

    /** Runs a schedule file's exact pids again, with the story of the steps. */
    public static RaceRun.Result replay(Race race, ScheduleFile f) {
        return RaceRun.run(race, f.historical(), f.delays(), ExploreStrategy.replay(f.pids()), true);
    }

    /** Zeller and Hildebrandt's ddmin: a 1-minimal subset of {@code all} for which {@code fails} holds ({@code fails(all)} is assumed). */
    static <T> List<T> ddmin(List<T> all, java.util.function.Predicate<List<T>> fails) {
        if (fails.test(List.of())) return List.of();
        List<T> c = all;
        int n = 2;
        while (c.size() >= 2) {
            int chunk = (c.size() + n - 1) / n;
            boolean reduced = false;
            for (int i = 0; i < c.size() && !reduced; i += chunk) {
                List<T> part = c.subList(i, Math.min(c.size(), i + chunk));
                List<T> rest = new ArrayList<>(c.subList(0, i));
                rest.addAll(c.subList(Math.min(c.size(), i + chunk), c.size()));
                if (fails.test(part)) { c = List.copyOf(part); n = 2; reduced = true; }
                else if (n > 2 && fails.test(rest)) { c = rest; n = Math.max(n - 1, 2); reduced = true; }
            }
            if (!reduced) {
                if (n >= c.size()) break;
                n = Math.min(c.size(), n * 2);
            }
        }
        return c;
    }
}
