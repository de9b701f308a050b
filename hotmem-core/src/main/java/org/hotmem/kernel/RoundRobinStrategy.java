package org.hotmem.kernel;

/**
 * Runs the runnable task with the smallest pid greater than the previous task's, wrapping.
 *
 * <p>Invariant: {@code lastPid} is the pid chosen last (0 before the first choice). Guarded by
 * the kernel's single-runner discipline.
 */
final class RoundRobinStrategy implements SchedulingStrategy {
    private int lastPid; // pid of the task chosen last

    @Override public int pickNext(Task[] runnable, int n, Task prev) {
        int after = prev != null ? prev.pid : lastPid;
        int pick = 0;
        for (int i = 0; i < n; i++) {
            if (runnable[i].pid > after) { pick = i; break; }
        }
        lastPid = runnable[pick].pid;
        return pick;
    }

    @Override public String toString() { return "round-robin"; }
}
