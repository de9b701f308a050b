package org.hotmem.cli;

import org.hotmem.scenario.Quantities;
import org.hotmem.scenario.ScenarioRunner;

import java.io.PrintWriter;

/**
 * A one-line progress bar in virtual time on stderr, redrawn at most every 100 ms of wall time
 * (the wall clock only paces the drawing; it never reaches the model).
 *
 * <p>Invariant: {@code lastDraw} is the wall time of the last draw, meaningful once
 * {@code drawn}. Called only from the thread that runs the scenario.
 */
final class ProgressBar implements ScenarioRunner.Progress {
    private final PrintWriter err;
    private final boolean enabled;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /**
     * Whether stderr is a terminal. Java has no isatty(2): on Linux, /proc/self/fd/2 names the
     * terminal device (/dev/pts/N, /dev/ttyN) when it is one, so the bar also shows when stdout
     * goes to a file; elsewhere, fall back to the Console (stdin and stdout both terminals).
     */
    static boolean terminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            java.io.Console c = System.console();
            return c != null && c.isTerminal();
        }
    }

    @Override
    public void at(long nowNs, long endNs) {
        if (!enabled) return;
        long wall = System.nanoTime();
        if (drawn && wall - lastDraw < 100_000_000L) return;
        lastDraw = wall;
        drawn = true;
        int width = 40;
        int filled = endNs <= 0 ? width : (int) Math.min(width, nowNs * width / endNs);
        err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
                + Quantities.formatDuration(nowNs) + " / " + Quantities.formatDuration(endNs) + " virtual   ");
        err.flush();
    }

    void done() {
        if (enabled && drawn) {
            err.print("\r" + " ".repeat(80) + "\r");
            err.flush();
        }
    }
}
