package org.hotmem.scenario;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The metrics of one run: what actions measured while it ran (measure's unpluggable bytes, the
 * hibernation figures, downtime), the bytes plugged and unplugged as QEMU confirmed them, and at
 * the end the summary over the final snapshot, the action outcomes and the workloads.
 * Confined to the run's driving thread.
 */
final class RunMetrics {
    /** metrics recorded by actions while the run went on */
    private final SortedMap<String, Double> measured = new TreeMap<>();
    private long plugged;
    private long unplugged;

    /** measure: the unpluggable bytes per zone now, as {@code unpluggable_bytes.ZONE@ID}; returns the action's detail. */
    String measureUnpluggable(String id, Map<String, Long> unpluggable) {
        StringBuilder d = new StringBuilder();
        SortedMap<String, Long> u = withZones(unpluggable);
        long total = 0;
        for (var e : u.entrySet()) {
            measured.put("unpluggable_bytes." + e.getKey() + "@" + id, (double) e.getValue());
            total += e.getValue();
            d.append(d.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(Quantities.formatSize(e.getValue()));
        }
        measured.put("unpluggable_bytes.total@" + id, (double) total);
        return "unpluggable: " + d;
    }

    /** The last hibernation's figures ({@link Target#hibernationMetrics()}). */
    void hibernation(Map<String, Double> figures) {
        measured.putAll(figures);
    }

    /** After a restart: whether the image resumed, and the downtime since the hibernation started ({@code hibernateStart} >= 0). */
    void restarted(boolean resumed, long now, long hibernateStart) {
        if (resumed && hibernateStart >= 0) measured.put("downtime_ns", (double) (now - hibernateStart));
        measured.put("resumed", resumed ? 1.0 : 0.0);
    }

    /** A measured value, or null. */
    Double measured(String name) {
        return measured.get(name);
    }

    /**
     * A reclaim action ended: {@code reclaim_returned_bytes.ID}, {@code reclaim_time_ns.ID} (only
     * when all came back), {@code reclaim_retries.ID}, {@code reclaim_failed_requests.ID},
     * {@code reclaim_pages_migrated.ID} (pages the guest migrated meanwhile).
     */
    void reclaimed(String id, long returned, long timeNs, int retries, int failed, long migrated) {
        measured.put("reclaim_returned_bytes." + id, (double) returned);
        if (timeNs >= 0) measured.put("reclaim_time_ns." + id, (double) timeNs);
        measured.put("reclaim_retries." + id, (double) retries);
        measured.put("reclaim_failed_requests." + id, (double) failed);
        measured.put("reclaim_pages_migrated." + id, (double) migrated);
    }

    void plugged(long bytes) {
        plugged += bytes;
    }

    void unplugged(long bytes) {
        unplugged += bytes;
    }

    private static SortedMap<String, Long> withZones(Map<String, Long> unpluggable) {
        SortedMap<String, Long> u = new TreeMap<>(unpluggable);
        for (String z : List.of("Normal", "Movable", "offline")) u.putIfAbsent(z, 0L);
        return u;
    }

    /** The run's summary metrics. */
    SortedMap<String, Double> summary(Target.Snapshot fin, long blockSize, Map<String, Long> unpluggable,
                                      List<RunResult.ActionOutcome> outcomes, Collection<WorkloadDriver> workloads) {
        SortedMap<String, Double> m = new TreeMap<>();
        m.put("pages_migrated", (double) fin.migrated());
        m.put("migrate_failures", (double) fin.migrateFailed());
        m.put("offline_retries", (double) fin.offlineRetries());
        m.put("pinned_pages", (double) fin.pinnedPages());
        Map<String, Long> online = new TreeMap<>();
        long offline = 0;
        for (Target.BlockState b : fin.blocks().values()) {
            if (b.state().equals("online")) online.merge(b.zone() == null ? "mixed" : b.zone(), blockSize, Long::sum);
            else offline += blockSize;
        }
        for (String z : List.of("Normal", "Movable")) online.putIfAbsent(z, 0L);
        online.forEach((z, v) -> m.put("online_bytes." + z, (double) v));
        m.put("offline_bytes", (double) offline);
        long total = 0;
        for (var e : withZones(unpluggable).entrySet()) {
            m.put("unpluggable_bytes." + e.getKey(), (double) e.getValue());
            total += e.getValue();
        }
        m.put("unpluggable_bytes.total", (double) total);
        fin.freePages().forEach((z, v) -> m.put("free_pages." + z, (double) v));
        m.put("plugged_bytes", (double) plugged);
        m.put("unplugged_bytes", (double) unplugged);
        int failed = 0;
        for (RunResult.ActionOutcome a : outcomes) {
            if (a.kind().equals("note")) continue;
            if (!a.ok()) failed++;
            if (a.duration() >= 0) m.put("duration_ns." + a.id(), (double) a.duration());
            m.put("ok." + a.id(), a.ok() ? 1.0 : 0.0);
        }
        m.put("actions_failed", (double) failed);
        m.putAll(measured);
        for (WorkloadDriver w : workloads) {
            m.put("workload_bytes." + w.spec().name(), (double) w.resident());
            m.put("alloc_failures." + w.spec().name(), (double) w.allocFailures());
        }
        return m;
    }
}
