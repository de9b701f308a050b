package org.hotmem.explore;

import java.util.Arrays;
import java.util.Map;
import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.kernel.Task;

/**
 * The strategy of one explored run: the boot and the setup follow a fixed strategy (the same for
 * every schedule, so the machine the actors start on is a function of the race file alone); from
 * {@link #arm()} on, every decision is made by the explored strategy and recorded with whether it
 * was a preemption, i.e. a choice other than the default (the previous task if it is still
 * runnable, else the runnable task with the lowest pid), after the {@link SchedulingPointChecks}
 * looked at the state the choice exposes.
 *
 * <p>Three explored strategies: a seeded one (random or PCT), a replay of recorded pids (fails on
 * divergence), and a forced one used by the minimiser: the default at every decision but the
 * forced ones. Guarded by the kernel's single-runner discipline.
 */
final class ExploreStrategy implements SchedulingStrategy {
    private final SchedulingStrategy setup;
    private final SchedulingStrategy explored;
    private final Map<Integer, Integer> forced;
    private boolean armed;
    private int[] pids = new int[64];
    private boolean[] preempted = new boolean[64];
    private int decisions;
    private SchedulingPointChecks checks;

    private ExploreStrategy(SchedulingStrategy explored, Map<Integer, Integer> forced) {
        this.setup = SchedulingStrategy.random(1);
        this.explored = explored;
        this.forced = forced;
    }

    static ExploreStrategy seeded(SchedulingStrategy s) { return new ExploreStrategy(s, null); }

    static ExploreStrategy replay(int[] pids) { return new ExploreStrategy(SchedulingStrategy.replay(pids), null); }

    /** The default choice everywhere except at the decisions (index after arming → pid) of {@code forced}. */
    static ExploreStrategy forced(Map<Integer, Integer> forced) { return new ExploreStrategy(null, forced); }

    /** The actors start: explored decisions from now on, each preceded by {@code checks}. */
    void arm(SchedulingPointChecks checks) {
        this.checks = checks;
        armed = true;
    }

    @Override public int pickNext(Task[] runnable, int n, Task prev) {
        if (!armed) return setup.pickNext(runnable, n, prev);
        checks.check(decisions);
        int dflt = 0;
        for (int i = 0; i < n; i++) if (runnable[i] == prev) dflt = i;
        int pick;
        if (explored != null) {
            pick = explored.pickNext(runnable, n, prev);
        } else {
            pick = dflt;
            Integer want = forced.get(decisions);
            if (want != null) for (int i = 0; i < n; i++) if (runnable[i].pid() == want) pick = i;
        }
        if (decisions == pids.length) {
            pids = Arrays.copyOf(pids, decisions * 2);
            preempted = Arrays.copyOf(preempted, decisions * 2);
        }
        pids[decisions] = runnable[pick].pid();
        preempted[decisions] = pick != dflt;
        decisions++;
        return pick;
    }

    @Override public void onSpawn(Task task) {
        setup.onSpawn(task);
        if (explored != null) explored.onSpawn(task);
    }

    /** The pids chosen after arming, in order. */
    int[] schedule() { return Arrays.copyOf(pids, decisions); }

    /** The preemptions after arming: decision index → pid chosen instead of the default. */
    Map<Integer, Integer> preemptions() {
        Map<Integer, Integer> m = new java.util.TreeMap<>();
        for (int i = 0; i < decisions; i++) if (preempted[i]) m.put(i, pids[i]);
        return m;
    }

    @Override public String toString() { return "explore(" + (explored != null ? explored : "forced " + forced.size()) + ")"; }
}
