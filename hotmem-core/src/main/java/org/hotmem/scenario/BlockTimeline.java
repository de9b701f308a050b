package org.hotmem.scenario;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The memory blocks' side of one run: from the target's snapshots it counts each block's
 * online/offline transitions and failed offlines, adds the grouped block changes to the
 * timeline ("memory40-43: offline -> online Movable"), draws the memory-map line of a sample,
 * and gives each block's outcome at the end.
 *
 * <p>Invariants: {@code last} is the snapshot the next one is diffed against; {@code maxBlock}
 * the highest block id seen in any snapshot. Confined to the run's driving thread.
 */
final class BlockTimeline {
    private final List<RunResult.Event> events;
    /** per block: times onlined, times offlined, failed offlines */
    private final Map<Long, int[]> counts = new TreeMap<>();
    private final Map<Long, String> errors = new TreeMap<>();
    private Target.Snapshot last;
    private int maxBlock = -1;

    /** Block changes are added to {@code events}, the run's timeline. */
    BlockTimeline(List<RunResult.Event> events, Target.Snapshot first) {
        this.events = events;
        this.last = first;
        seen(first);
    }

    /** An offline of {@code block} failed with {@code why} (an errno name, "Offline failed"). */
    void offlineFailed(long block, String why) {
        counts(block)[2]++;
        errors.put(block, why);
    }

    /** The guest refused to eject a device holding {@code blocks}: each keeps its first error. */
    void ejectFailed(List<Long> blocks) {
        for (long b : blocks) errors.putIfAbsent(b, "eject failed");
    }

    private int[] counts(long block) {
        return counts.computeIfAbsent(block, k -> new int[3]);
    }

    private void seen(Target.Snapshot snap) {
        for (long id : snap.blocks().keySet()) maxBlock = (int) Math.max(maxBlock, id);
    }

    /** Diffs a snapshot taken at {@code now} against the last: counts transitions and adds grouped timeline events. */
    void note(Target.Snapshot snap, long now) {
        seen(snap);
        TreeMap<Long, String> changes = new TreeMap<>();
        TreeSet<Long> ids = new TreeSet<>(last.blocks().keySet());
        ids.addAll(snap.blocks().keySet());
        for (long id : ids) {
            Target.BlockState a = last.blocks().get(id), b = snap.blocks().get(id);
            String from = label(a), to = label(b);
            if (from.equals(to)) continue;
            if (b != null && b.state().equals("online") && (a == null || !a.state().equals("online"))) counts(id)[0]++;
            if (a != null && a.state().equals("online") && (b == null || !b.state().equals("online"))) counts(id)[1]++;
            changes.put(id, from + " -> " + to);
        }
        Long runStart = null;
        long prev = -2;
        String prevChange = null;
        for (var e : changes.entrySet()) {
            if (runStart != null && (e.getKey() != prev + 1 || !e.getValue().equals(prevChange))) {
                events.add(blockEvent(now, runStart, prev, prevChange));
                runStart = null;
            }
            if (runStart == null) runStart = e.getKey();
            prev = e.getKey();
            prevChange = e.getValue();
        }
        if (runStart != null) events.add(blockEvent(now, runStart, prev, prevChange));
        last = snap;
    }

    private static RunResult.Event blockEvent(long now, long a, long b, String change) {
        String ids = a == b ? "memory" + a : "memory" + a + "-" + b;
        return new RunResult.Event(now, "blocks", ids + ": " + change, "", null);
    }

    private static String label(Target.BlockState b) {
        if (b == null) return "absent";
        if (!b.state().equals("online") || b.zone() == null) return b.state();
        return "online " + b.zone();
    }

    /** The memory map of a snapshot, one character per block up to the highest seen: '.' absent, 'o' offline, zone letter. */
    String map(Target.Snapshot snap) {
        int n = maxBlock + 1;
        StringBuilder map = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            Target.BlockState b = snap.blocks().get((long) i);
            map.append(b == null ? '.' : !b.state().equals("online") ? 'o' : zoneChar(b.zone()));
        }
        return map.toString();
    }

    private static char zoneChar(String zone) {
        if (zone == null) return 'x';
        return switch (zone) {
            case "Normal" -> 'N';
            case "Movable" -> 'M';
            case "DMA", "DMA32" -> 'D';
            default -> 'x';
        };
    }

    /** Every block present at the end or counted during the run, with its final state and counts. */
    List<RunResult.BlockOutcome> outcomes(Target.Snapshot fin) {
        TreeSet<Long> ids = new TreeSet<>(fin.blocks().keySet());
        ids.addAll(counts.keySet());
        List<RunResult.BlockOutcome> out = new java.util.ArrayList<>();
        for (long id : ids) {
            Target.BlockState b = fin.blocks().get(id);
            int[] c = counts.getOrDefault(id, new int[3]);
            out.add(new RunResult.BlockOutcome(id, b == null ? "absent" : b.state(),
                    b == null || !b.state().equals("online") ? null : b.zone(), c[0], c[1], c[2], errors.get(id)));
        }
        return out;
    }
}
