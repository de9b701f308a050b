package org.hotmem.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Plays one {@link WorkloadSpec} against a {@link Target}: allocates chunks at the configured rate
 * up to the resident size, frees each chunk when its lifetime ends, pins a seeded fraction of
 * them, and frees everything when stopped. The random stream is the workload's own (derived from
 * the run seed and the workload's name), so adding a workload does not perturb the others.
 *
 * <p>Not thread-safe: driven by the runner's single thread, one {@link #tick} per step.
 */
final class WorkloadDriver {
    /** The finest allocation cadence: allocations are batched per 10 ms of virtual time. */
    static final long TICK_NS = 10_000_000L;

    private record Chunk(Target.Allocation a, long freeAt, long seq) {}

    private final WorkloadSpec spec;
    private final SplittableRandom rnd;
    private final PriorityQueue<Chunk> live = new PriorityQueue<>((x, y) ->
            x.freeAt() != y.freeAt() ? Long.compare(x.freeAt(), y.freeAt()) : Long.compare(x.seq(), y.seq()));
    /** started and not stopped */
    private boolean active;
    /** explicitly stopped by an action: the start time no longer applies */
    private boolean stopped;
    private long seq;
    private long resident;
    private long lastTick = -1;
    private double credit;
    private long nextChunk;
    private long allocFailures;
    private boolean reportedFull;
    private boolean reportedFailure;
    private long pinnedBytes;

    WorkloadDriver(WorkloadSpec spec, long seed) {
        this.spec = spec;
        this.rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ spec.name().hashCode());
        this.nextChunk = roundToPages(spec.chunk().sample(rnd));
    }

    WorkloadSpec spec() { return spec; }
    long resident() { return resident; }
    long allocFailures() { return allocFailures; }
    long pinnedBytes() { return pinnedBytes; }
    boolean active() { return active; }

    /** Starts now (a {@code workload: start} action, or the start time reached). */
    void start(long now, List<RunResult.Event> events) {
        if (active) return;
        active = true;
        stopped = false;
        lastTick = now;
        events.add(new RunResult.Event(now, spec.name(), "workload " + spec.name() + " starts: " + spec.kind().word + " "
                + Quantities.formatSize(spec.size()) + " at " + Quantities.formatSize(spec.rate()) + "/s", "", null));
    }

    /** Frees everything and stops. */
    void stop(Target target, long now, List<RunResult.Event> events) {
        if (!active) return;
        long freed = resident;
        while (!live.isEmpty()) target.free(live.poll().a());
        resident = 0;
        pinnedBytes = 0;
        active = false;
        stopped = true;
        events.add(new RunResult.Event(now, spec.name(), "workload " + spec.name() + " stops, frees "
                + Quantities.formatSize(freed), "", null));
    }

    /** Releases every long-term pin the workload holds. */
    long unpin(Target target) {
        long n = 0;
        for (Chunk c : live) {
            if (c.a().pinned()) {
                target.unpin(c.a());
                n += c.a().bytes();
            }
        }
        pinnedBytes = 0;
        return n;
    }

    /** Does what is due at {@code now}. */
    void tick(Target target, long now, List<RunResult.Event> events) {
        if (!active && !stopped && now >= spec.start() && now < spec.stop()) start(now, events);
        if (active && now >= spec.stop()) stop(target, now, events);
        if (!active) return;
        while (!live.isEmpty() && live.peek().freeAt() <= now) {
            Chunk c = live.poll();
            resident -= c.a().bytes();
            if (c.a().pinned()) pinnedBytes -= c.a().bytes();
            target.free(c.a());
        }
        credit = Math.min(credit + (double) spec.rate() * (now - lastTick) / Quantities.NS_PER_SEC, spec.size());
        lastTick = now;
        while (resident + nextChunk <= spec.size() && credit >= nextChunk) {
            boolean pin = spec.pinned() > 0 && (spec.pinned() >= 1 || rnd.nextDouble() < spec.pinned());
            Target.Allocation a = target.allocate(spec.name(), spec.kind(), nextChunk, pin, spec.node());
            credit -= nextChunk;
            if (a == null) {
                allocFailures++;
                if (!reportedFailure) {
                    reportedFailure = true;
                    events.add(new RunResult.Event(now, spec.name(), "workload " + spec.name() + ": allocation of "
                            + Quantities.formatSize(nextChunk) + " failed", "failed", "ENOMEM"));
                }
                break;
            }
            long life = spec.lifetime() == null ? Long.MAX_VALUE : Math.max(1, spec.lifetime().sample(rnd));
            long freeAt = life == Long.MAX_VALUE ? Long.MAX_VALUE : now + life;
            live.add(new Chunk(a, freeAt, seq++));
            resident += a.bytes();
            if (a.pinned()) pinnedBytes += a.bytes();
            nextChunk = roundToPages(spec.chunk().sample(rnd));
        }
        if (!reportedFull && resident + nextChunk > spec.size()) {
            reportedFull = true;
            events.add(new RunResult.Event(now, spec.name(), "workload " + spec.name() + " resident "
                    + Quantities.formatSize(resident) + (pinnedBytes > 0 ? " (" + Quantities.formatSize(pinnedBytes)
                    + " long-term pinned)" : ""), "", null));
        }
    }

    /** When this workload next needs a tick; Long.MAX_VALUE when idle. */
    long nextTick(long now) {
        long next = Long.MAX_VALUE;
        if (!active) {
            if (!stopped && spec.start() > now) next = spec.start();
            return next;
        }
        if (spec.stop() != WorkloadSpec.NEVER) next = Math.min(next, spec.stop());
        if (!live.isEmpty()) next = Math.min(next, live.peek().freeAt());
        if (resident + nextChunk <= spec.size()) {
            double need = nextChunk - credit;
            long wait = need <= 0 ? 0 : (long) Math.ceil(need * Quantities.NS_PER_SEC / spec.rate());
            next = Math.min(next, now + Math.max(TICK_NS, wait));
        }
        return next;
    }

    private static long roundToPages(long bytes) {
        return Math.max(4096, (bytes + 4095) / 4096 * 4096);
    }

    List<Target.Allocation> liveAllocations() {
        List<Target.Allocation> out = new ArrayList<>();
        for (Chunk c : live) out.add(c.a());
        return out;
    }
}
