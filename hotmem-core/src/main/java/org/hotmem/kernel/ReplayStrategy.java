package org.hotmem.kernel;

import java.util.Arrays;
import java.util.List;

/**
 * Follows a recorded sequence of chosen pids; any divergence fails loudly.
 *
 * <p>Invariant: {@code pids} and {@code lines} have the same length and are never changed;
 * {@code next} is the index of the next decision, at most their length. {@code next} is
 * guarded by the kernel's single-runner discipline.
 */
final class ReplayStrategy implements SchedulingStrategy {
    private final int[] pids;
    private final int[] lines; // source line of each pid (1-based), for messages
    private final String source;
    private int next;

    ReplayStrategy(int[] pids, String source) {
        this(pids, null, source);
    }

    private ReplayStrategy(int[] pids, int[] lines, String source) {
        this.pids = pids.clone();
        this.lines = lines;
        this.source = source;
    }

    static ReplayStrategy parse(List<String> text, String source) {
        int[] pids = new int[text.size()];
        int[] lines = new int[text.size()];
        int n = 0;
        for (int i = 0; i < text.size(); i++) {
            String s = text.get(i);
            int hash = s.indexOf('#');
            if (hash >= 0) s = s.substring(0, hash);
            s = s.strip();
            if (s.isEmpty()) continue;
            try {
                pids[n] = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected a pid (a decimal number), found '" + s + "'");
            }
            if (pids[n] <= 0) throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected a positive pid, found " + pids[n]);
            lines[n] = i + 1;
            n++;
        }
        return new ReplayStrategy(Arrays.copyOf(pids, n), Arrays.copyOf(lines, n), source);
    }

    @Override public int pickNext(Task[] runnable, int n, Task prev) {
        if (next >= pids.length) {
            throw new IllegalStateException(source + ": schedule exhausted after " + pids.length
                    + " decisions; runnable now: " + describe(runnable, n));
        }
        int pid = pids[next];
        for (int i = 0; i < n; i++) {
            if (runnable[i].pid == pid) { next++; return i; }
        }
        String where = lines != null ? source + ":" + lines[next] : source + " decision " + (next + 1);
        throw new IllegalStateException(where + ": pid " + pid + " is not runnable; runnable: " + describe(runnable, n));
    }

    /** How many decisions have been replayed. */
    int consumed() { return next; }

    private static String describe(Task[] runnable, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ", ").append(runnable[i]);
        return sb.toString();
    }

    @Override public String toString() { return "replay(" + source + ")"; }
}
