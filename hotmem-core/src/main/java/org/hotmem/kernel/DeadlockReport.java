package org.hotmem.kernel;

import java.util.List;

/**
 * What the kernel looked like when nothing could run and no timer was pending while some task
 * still slept on a lock or in an uninterruptible wait: every sleeping task, what it waits for,
 * and the locks every task holds (in the style of sysrq-w and lockdep's
 * "Showing all locks held in the system").
 *
 * @param timeNs       virtual time of the report
 * @param blockedTasks the sleeping tasks, by pid
 * @param lines        the report as printed, line by line
 */
public record DeadlockReport(long timeNs, List<Task> blockedTasks, List<String> lines) {
    public DeadlockReport {
        blockedTasks = List.copyOf(blockedTasks);
        lines = List.copyOf(lines);
    }

    /** The report as one string, one line per line, each ending in '\n'. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }

    @Override public String toString() { return text(); }
}
