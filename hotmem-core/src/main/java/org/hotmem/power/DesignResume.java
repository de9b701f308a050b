package org.hotmem.power;

import java.util.Map;
import org.hotmem.kernel.Kernel;
import org.hotmem.mm.PageState;

/**
 * The resume of a seed-001 design's image into the machine that wrote it, after its power-off
 * point: the memory is lost (as when the machine powers off), the image is read back in its
 * read time and every saved page gets the content the design wrote for it; then the frozen tasks
 * are thawed. {@link #restore} returns how many pages in use do not hold their content of the
 * snapshot point (0 for a correct design). Runs in the hibernating task.
 */
public final class DesignResume {
    private DesignResume() {}

    /**
     * Every saveable pfn's content now (the snapshot point of a design that freezes here); inside
     * the kernel's hibernation, as its snapshot sees them (its preallocated copies left out).
     */
    public static Map<Long, Long> snapshotPoint(Hibernation power) {
        Snapshot s = power.currentSnapshot();
        return (s == null ? Pagesets.of(power.mm()) : Pagesets.of(power.mm(), s)).contents();
    }

    /** How many pfns of {@code expected} still in use do not hold that content in {@code power}'s memory now. */
    public static long lostPages(Hibernation power, Map<Long, Long> expected) {
        long n = 0;
        for (var e : expected.entrySet()) {
            int kind = power.mm().kind(e.getKey());
            if (kind == PageState.BUDDY || kind == PageState.FREE_TAIL) continue; // freed since (the kernel's own work after the resume)
            if (power.mm().token(e.getKey()) != e.getValue()) n++;
        }
        return n;
    }

    public static long restore(Hibernation power, DesignRun run) {
        Kernel kernel = power.kernel();
        power.mm().powerLoss();
        kernel.consume(run.resumeReadNs());
        for (var e : run.image().entrySet()) power.mm().restorePageContent(e.getKey(), e.getValue());
        long lost = lostPages(power, run.snapshotPoint());
        power.freezer().thawKernelThreads();
        power.freezer().thawProcesses();
        return lost;
    }
}
