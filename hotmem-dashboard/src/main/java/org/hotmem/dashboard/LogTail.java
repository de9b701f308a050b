package org.hotmem.dashboard;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The last lines of the kernel log, for the page: a consumer to hand to the live machine before it
 * boots (so the boot log is in it), bounded to {@link #LINES}. Thread-safe (monitor).
 */
public final class LogTail implements Consumer<String> {
    /** How many lines the page shows. */
    public static final int LINES = 200;

    private final Deque<String> lines = new ArrayDeque<>();

    @Override
    public synchronized void accept(String line) {
        lines.addLast(line);
        if (lines.size() > LINES) {
            lines.removeFirst();
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
