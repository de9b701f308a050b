package org.hotmem.scenario;

import java.util.List;

/**
 * The kernel log's side of one run's timeline: adds a kernel line as an event at its own
 * timestamp, folding a line that repeats the previous kernel line, with only block-state
 * changes in between (or events that sort before it), into that first line with a count and
 * the time of the last repeat (an unplug's 64 "Offlined Pages 32768" become one line).
 *
 * <p>Invariants: {@code lastIndex} is the index in {@code events} of the last kernel line added
 * (-1: none yet), {@code lastText} its text and {@code lastCount} how many lines it stands for.
 * Confined to the run's driving thread.
 */
final class KernelLogFolding {
    private final List<RunResult.Event> events;
    private int lastIndex = -1;
    private String lastText;
    private int lastCount;

    KernelLogFolding(List<RunResult.Event> events) {
        this.events = events;
    }

    /** Adds kernel line {@code text} (without its timestamp) at scenario time {@code t}. */
    void add(long t, String text) {
        if (lastIndex >= 0 && text.equals(lastText) && onlyBlockEventsAfter(lastIndex)) {
            lastCount++;
            RunResult.Event first = events.get(lastIndex);
            String until = t == first.t() ? "" : ", last at " + Quantities.formatSeconds(t);
            events.set(lastIndex, new RunResult.Event(first.t(), first.source(),
                    text + " (x" + lastCount + until + ")", "", null));
            return;
        }
        lastText = text;
        lastCount = 1;
        lastIndex = events.size();
        events.add(new RunResult.Event(t, "kernel", text, "", null));
    }

    /** Whether every event recorded after {@code index} is a block change or sorts before it anyway. */
    private boolean onlyBlockEventsAfter(int index) {
        long t0 = events.get(index).t();
        for (int i = index + 1; i < events.size(); i++) {
            RunResult.Event e = events.get(i);
            if (!e.source().equals("blocks") && e.t() > t0) return false;
        }
        return true;
    }

    /** The scenario time of a "[ seconds.micro]" line (uptime minus {@code offset}), or {@code now} without a timestamp. */
    static long logTime(String line, long now, long offset) {
        if (line.startsWith("[")) {
            int close = line.indexOf(']');
            try {
                String[] p = line.substring(1, close).trim().split("\\.");
                return Long.parseLong(p[0]) * Quantities.NS_PER_SEC + Long.parseLong(p[1]) * 1000 - offset;
            } catch (RuntimeException ignored) {
                // not a timestamped line
            }
        }
        return now;
    }
}
