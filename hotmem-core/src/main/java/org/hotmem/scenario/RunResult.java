package org.hotmem.scenario;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Everything one run produced, as plain values: a pure function of (scenario, parameters, seed).
 * Wall-clock time is deliberately absent (the CLI measures it and prints it on stderr).
 *
 * @param events       the timeline in virtual-time order
 * @param actions      one outcome per timeline action, in file order
 * @param samples      the time series (memory map, free pages, counters)
 * @param blocks       per-block outcome at the end
 * @param metrics      summary metrics by name (sorted), the columns of a sweep's CSV
 * @param expectations one verdict per expectation, in file order
 * @param kernelLog    dmesg lines of the run after boot, as the kernel printed them
 */
public record RunResult(String scenario, long seed, Map<String, String> params, long endNs,
                        List<Event> events, List<ActionOutcome> actions, List<Sample> samples,
                        List<BlockOutcome> blocks, SortedMap<String, Double> metrics,
                        List<Verdict> expectations, List<String> kernelLog) {

    /** One line of the timeline: at a virtual time, from a source, what happened, and how it ended. */
    public record Event(long t, String source, String what, String outcome, String errno) {}

    /**
     * How an action ended. {@code result} is "ok", an errno name (EBUSY), a QMP error class
     * (GenericError), "timeout" (still running when the run ended or its timeout passed), or
     * "skipped" (its {@code after} action never completed).
     */
    public record ActionOutcome(String id, String kind, String what, long start, long end, String result,
                                String detail, int line) {
        public long duration() { return end < 0 || start < 0 ? -1 : end - start; }
        public boolean ok() { return "ok".equals(result); }
    }

    /**
     * The machine at one instant. {@code map} has one character per memory block id from 0 to
     * the highest seen: {@code .} absent, {@code o} offline, {@code D} online DMA/DMA32,
     * {@code N} online Normal, {@code M} online Movable, {@code x} online in several zones.
     */
    public record Sample(long t, String map, SortedMap<String, Long> freePages, long migrated, long retries,
                         long pinnedPages) {}

    /** A block at the end of the run, with its history in counts. */
    public record BlockOutcome(long id, String state, String zone, int onlined, int offlined,
                               int failedOfflines, String lastError) {}

    /** Whether one expectation held, with what was observed. */
    public record Verdict(int line, String expectation, boolean passed, String actual) {}

    public boolean passed() {
        for (Verdict v : expectations) if (!v.passed()) return false;
        return true;
    }
}
