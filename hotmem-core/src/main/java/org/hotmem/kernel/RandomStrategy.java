package org.hotmem.kernel;

import java.util.SplittableRandom;

/**
 * Uniform random choice among the runnable tasks, from a seeded SplittableRandom.
 *
 * <p>Invariant: the choices are a function of the seed and the runnable sets offered. The
 * generator is guarded by the kernel's single-runner discipline.
 */
final class RandomStrategy implements SchedulingStrategy {
    private final SplittableRandom random;

    RandomStrategy(long seed) { this.random = new SplittableRandom(seed); }

    @Override public int pickNext(Task[] runnable, int n, Task prev) {
        return random.nextInt(n);
    }

    @Override public String toString() { return "random"; }
}
