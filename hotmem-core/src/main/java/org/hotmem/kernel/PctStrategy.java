package org.hotmem.kernel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Probabilistic concurrency testing. Each task gets a distinct random priority at spawn
 * (all above {@code depth}); the highest-priority runnable task runs. At each of the
 * {@code depth - 1} change points (decision numbers drawn at random in [1, expectedSteps]) the
 * running task's priority drops to {@code depth - i}, below every initial priority.
 *
 * <p>Guarded by the kernel's single-runner discipline.
 */
final class PctStrategy implements SchedulingStrategy {
    private final SplittableRandom random;
    private final int depth;
    private final long[] changePoints; // sorted decision numbers
    private int nextChange;            // index into changePoints
    private long step;                 // decisions made so far
    private int spawned;               // tasks seen so far

    PctStrategy(long seed, int depth, int expectedSteps) {
        if (depth < 1) throw new IllegalArgumentException("PCT depth must be >= 1: " + depth);
        if (expectedSteps < 1) throw new IllegalArgumentException("PCT expected steps must be >= 1: " + expectedSteps);
        this.random = new SplittableRandom(seed);
        this.depth = depth;
        this.changePoints = new long[depth - 1];
        for (int i = 0; i < changePoints.length; i++) changePoints[i] = 1 + random.nextInt(expectedSteps);
        Arrays.sort(changePoints);
    }

    @Override public void onSpawn(Task task) {
        // Distinct priorities: a random insertion among the previous ones is equivalent to a
        // random permutation; draw a random key and break ties by spawn order.
        spawned++;
        task.schedPriority = depth + 1 + random.nextInt(1 << 20) * 1024 + (spawned & 1023);
    }

    @Override public int pickNext(Task[] runnable, int n, Task prev) {
        step++;
        while (nextChange < changePoints.length && changePoints[nextChange] <= step) {
            if (prev != null) prev.schedPriority = depth - 1 - nextChange;
            nextChange++;
        }
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (runnable[i].schedPriority > runnable[best].schedPriority) best = i;
        }
        return best;
    }

    @Override public String toString() { return "pct(depth=" + depth + ")"; }
}
