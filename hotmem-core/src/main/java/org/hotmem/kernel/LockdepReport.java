package org.hotmem.kernel;

import java.util.List;

/**
 * One lockdep (or might_sleep) splat, as printed to dmesg.
 *
 * @param kind   what was detected
 * @param task   the task that triggered it
 * @param timeNs virtual time of the report
 * @param lines  the report, line by line, exactly as printed (without timestamps)
 */
public record LockdepReport(Kind kind, Task task, long timeNs, List<String> lines) {
    /** What a report is about. */
    public enum Kind {
        /** "WARNING: possible circular locking dependency detected". */
        CIRCULAR_DEPENDENCY,
        /** "WARNING: possible recursive locking detected". */
        RECURSIVE_LOCKING,
        /** "WARNING: bad unlock balance detected!". */
        BAD_UNLOCK_BALANCE,
        /** "WARNING: lock held when returning to user space!". */
        LOCK_HELD_RETURNING_TO_USER,
        /** "WARNING: NAME/PID still has locks held!" (a kernel thread exited holding locks). */
        LOCK_HELD_AT_EXIT,
        /** "BUG: sleeping function called from invalid context". */
        SLEEPING_IN_ATOMIC
    }

    public LockdepReport {
        lines = List.copyOf(lines);
    }

    /** The title line ("WARNING: possible circular locking dependency detected"). */
    public String title() {
        for (String l : lines) if (l.startsWith("WARNING:") || l.startsWith("BUG:")) return l;
        return lines.isEmpty() ? "" : lines.get(0);
    }

    /** The report as one string, one line per line, each ending in '\n'. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }

    @Override public String toString() { return text(); }
}
