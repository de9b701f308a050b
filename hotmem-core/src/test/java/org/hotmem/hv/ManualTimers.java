package org.hotmem.hv;

import java.util.PriorityQueue;

/** A deterministic stand-in for the machine's clock in host-only tests. */
final class ManualTimers implements HostTimers {
    private record Timer(long at, long seq, Runnable action) {
    }

    private final PriorityQueue<Timer> queue = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public long nowNs() {
        return now;
    }

    @Override
    public void schedule(long delayNs, Runnable action) {
        queue.add(new Timer(now + delayNs, seq++, action));
    }

    /** Advances time by {@code ns}, running every timer that falls due. */
    void advance(long ns) {
        long end = now + ns;
        while (!queue.isEmpty() && queue.peek().at <= end) {
            Timer t = queue.poll();
            now = t.at;
            t.action.run();
        }
        now = end;
    }
}
