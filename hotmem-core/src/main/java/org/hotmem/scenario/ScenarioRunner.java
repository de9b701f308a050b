package org.hotmem.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hotmem.hv.AcpiOst;

/**
 * Plays a {@link Scenario} on a freshly booted target and collects a {@link RunResult}.
 *
 * <p>Protocol: one driving thread advances virtual time from one interesting instant to the next
 * (the next action, workload tick, sample, or a poll of running operations), and between
 * advances starts due actions, notices completed ones (guest tasks, QMP events), drives the
 * workloads and takes samples. Everything it decides is a function of the scenario, the seed
 * and the target's deterministic behaviour, so a run is reproducible byte for byte.
 * A runner holds no state between runs; several runs may proceed in parallel on different
 * threads, each with its own target.
 */
public final class ScenarioRunner {
    private static final Pattern OFFLINE_FAILED = Pattern.compile("memory(\\d+): Offline failed");
    private static final Pattern INTERESTING_LOG = Pattern.compile(
            "(?i)offlin|fail|busy|isolat|migrat|virtio_mem|balloon|acpi.*memory|oom|out of memory");
    /** The first poll of a running operation comes 1 ms after it started; polls then back off. */
    private static final long FIRST_POLL_NS = 1_000_000L;
    private static final long MAX_POLL_NS = Quantities.NS_PER_SEC;

    private final BiFunction<MachineSpec, Long, Target> boot;

    /** A runner booting targets with {@code boot(machine, seed)}. */
    public ScenarioRunner(BiFunction<MachineSpec, Long, Target> boot) {
        this.boot = boot;
    }

    /** Receives progress in virtual time (for a progress bar); called from the running thread. */
    public interface Progress {
        void at(long nowNs, long endNs);

        Progress NONE = (n, e) -> { };
    }

    /** Runs the scenario with a seed; {@code params} are only recorded (they were substituted at parse time). */
    public RunResult run(Scenario s, long seed, Map<String, String> params, Progress progress) {
        Target booted;
        try {
            booted = boot.apply(s.machine(), seed);
        } catch (ScenarioException e) {
            // the machine cannot be built: QEMU's or the kernel's complaint, placed at the file's machine:
            throw e.file() != null ? e : new ScenarioException(s.file(), s.machine().line(), 0, e.detail(), e.machine());
        }
        try (Target target = booted) {
            return new Run(s, seed, params, target, progress).play();
        }
    }

    /**
     * The state of one run: it interprets the timeline's actions (starting them, noticing their
     * completion from guest tasks, QMP events and deadlines) and drives workloads and samples;
     * the blocks' timeline, the kernel log's folding and the metrics are its parts
     * ({@link BlockTimeline}, {@link KernelLogFolding}, {@link RunMetrics}). Confined to the
     * driving thread.
     */
    private static final class Run {
        final Scenario s;
        final long seed;
        final Map<String, String> params;
        final Target target;
        final Progress progress;
        final List<RunResult.Event> events = new ArrayList<>();
        final List<String> kernelLog = new ArrayList<>();
        final List<RunResult.Sample> samples = new ArrayList<>();
        final Map<String, Running> byId = new HashMap<>();
        final List<Running> running = new ArrayList<>();
        final PriorityQueue<long[]> due = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
        final Map<String, List<Action>> dependents = new HashMap<>();
        /** each action's drawn time (absolute, or delay after its predecessor), by index */
        final List<Long> times = new ArrayList<>();
        final Map<String, WorkloadDriver> workloads = new LinkedHashMap<>();
        final Map<String, Long> dimmSizes = new HashMap<>();
        /** DIMMs QEMU reported deleted (DEVICE_DELETED). */
        final Set<String> deletedDimms = new java.util.HashSet<>();
        /** scenario time the last hibernate action started, or -1 */
        long hibernateStart = -1;
        final RunMetrics metrics = new RunMetrics();
        final KernelLogFolding kernelEvents = new KernelLogFolding(events);
        BlockTimeline blocks;
        long pollStep = FIRST_POLL_NS;
        long nextPoll = Long.MAX_VALUE;

        Run(Scenario s, long seed, Map<String, String> params, Target target, Progress progress) {
            this.s = s;
            this.seed = seed;
            this.params = params;
            this.target = target;
            this.progress = progress;
        }

        /** An action that has started. */
        final class Running {
            final Action action;
            final String what;
            final long start;
            long end = -1;
            String result;
            String detail = "";
            Target.GuestTask task;
            long deadline = Long.MAX_VALUE;
            List<Long> blocks = List.of();
            /** reclaim: the host's figure at the start (balloon actual, virtio-mem size), the retry clock, counters. */
            long baseline;
            long nextRetry = Long.MAX_VALUE;
            long returned;
            long migratedAtStart;
            int retries;
            int failedRequests;

            Running(Action action, String what, long start) {
                this.action = action;
                this.what = what;
                this.start = start;
            }

            boolean finished() { return result != null; }
        }

        RunResult play() {
            target.drainKernelLog(); // the boot log is not part of the run
            target.drainEvents();
            List<Action> timeline = s.timeline();
            // action times are drawn in file order from the run's own stream
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed * 0xD1B54A32D192ED03L + 0x7431);
            for (int i = 0; i < timeline.size(); i++) {
                Action a = timeline.get(i);
                long at = a.at().sample(rnd);
                times.add(at);
                if (a.after() == null) due.add(new long[] {at, i});
                else dependents.computeIfAbsent(a.after(), k -> new ArrayList<>()).add(a);
            }
            for (WorkloadSpec w : s.workloads()) workloads.put(w.name(), new WorkloadDriver(w, seed));
            blocks = new BlockTimeline(events, target.snapshot());
            long nextSample = 0;
            long end = s.duration();
            while (true) {
                long now = target.now();
                // 1. what is due now
                collect(now);
                while (!due.isEmpty() && due.peek()[0] <= now) {
                    long[] d = due.poll();
                    start(s.timeline().get((int) d[1]), now);
                }
                for (WorkloadDriver w : workloads.values()) w.tick(target, now, events);
                collect(now);
                if (now >= nextSample) {
                    sample(now);
                    nextSample = now + s.sample();
                }
                progress.at(now, end);
                if (now >= end) break;
                // 2. the next interesting instant
                long next = Math.min(end, nextSample);
                if (!due.isEmpty()) next = Math.min(next, due.peek()[0]);
                for (WorkloadDriver w : workloads.values()) next = Math.min(next, w.nextTick(now));
                if (!running.isEmpty()) {
                    if (nextPoll <= now) {
                        pollStep = Math.min(MAX_POLL_NS, pollStep * 2);
                        nextPoll = now + pollStep;
                    }
                    next = Math.min(next, nextPoll);
                    for (Running r : running) next = Math.min(next, Math.min(r.deadline, r.nextRetry));
                }
                target.advance(Math.max(next, now + 1));
            }
            Target.Snapshot fin = target.snapshot();
            blocks.note(fin, target.now());
            if (samples.isEmpty() || samples.get(samples.size() - 1).t() != target.now()) sample(target.now());
            List<RunResult.ActionOutcome> outcomes = outcomes();
            SortedMap<String, Double> summary = metrics.summary(fin, target.blockSize(), target.unpluggableBytes(), outcomes,
                    workloads.values());
            List<RunResult.Verdict> verdicts = Expectations.check(s, outcomes, summary, fin);
            events.sort((a, b) -> Long.compare(a.t(), b.t())); // stable: same-time events keep their order
            return new RunResult(s.name(), seed, new TreeMap<>(params), target.now(), List.copyOf(events),
                    outcomes, List.copyOf(samples), blocks.outcomes(fin), summary, verdicts, List.copyOf(kernelLog));
        }

        // ---- starting actions ------------------------------------------------------------------

        void start(Action a, long now) {
            Running r = new Running(a, describe(a), now);
            byId.put(a.id(), r);
            pollStep = FIRST_POLL_NS;
            nextPoll = now + pollStep;
            switch (a.op()) {
                case Action.Note n -> finish(r, now, "ok", "");
                case Action.Measure m -> finish(r, now, "ok", metrics.measureUnpluggable(a.id(), target.unpluggableBytes()));
                case Action.Qmp q -> {
                    JsonNode reply = target.qmp(q.execute(), q.arguments());
                    finish(r, now, qmpResult(reply), compact(reply));
                }
                case Action.Plug p -> {
                    ObjectNode backend = obj().put("qom-type", "memory-backend-ram").put("id", "mem-" + p.dimm())
                            .put("size", p.size());
                    JsonNode reply = target.qmp("object-add", backend);
                    if (reply.has("error")) {
                        finish(r, now, qmpResult(reply), compact(reply));
                        return;
                    }
                    ObjectNode dev = obj().put("driver", "pc-dimm").put("id", p.dimm()).put("memdev", "mem-" + p.dimm());
                    if (p.node() != 0) dev.put("node", p.node());
                    reply = target.qmp("device_add", dev);
                    if (reply.has("error")) {
                        finish(r, now, qmpResult(reply), compact(reply));
                        return;
                    }
                    dimmSizes.put(p.dimm(), p.size());
                    r.deadline = now + 10 * 60 * Quantities.NS_PER_SEC;
                    begin(r, now);
                }
                case Action.Unplug u -> {
                    r.blocks = dimmBlocks(u.dimm());
                    JsonNode reply = target.qmp("device_del", obj().put("id", u.dimm()));
                    if (reply.has("error")) {
                        finish(r, now, qmpResult(reply), compact(reply));
                        return;
                    }
                    r.deadline = now + u.timeout();
                    begin(r, now);
                }
                case Action.Resize z -> {
                    JsonNode reply = target.qmp("qom-set", obj().put("path", "/machine/peripheral/" + z.device())
                            .put("property", "requested-size").put("value", z.requested()));
                    if (reply.has("error")) {
                        finish(r, now, qmpResult(reply), compact(reply));
                        return;
                    }
                    r.deadline = now + z.timeout();
                    begin(r, now);
                }
                case Action.Balloon b -> {
                    JsonNode reply = target.qmp("balloon", obj().put("value", b.target()));
                    if (reply.has("error")) {
                        finish(r, now, qmpResult(reply), compact(reply));
                        return;
                    }
                    r.deadline = now + b.timeout();
                    begin(r, now);
                }
                case Action.Reclaim rc -> {
                    r.baseline = hostFigure(rc);
                    if (rc.by().equals("dimm")) {
                        for (String d : rc.devices()) dimmSizes.computeIfAbsent(d, this::qomGetSize);
                    }
                    r.migratedAtStart = target.snapshot().migrated();
                    r.deadline = now + rc.deadline();
                    r.nextRetry = now + rc.retry();
                    reclaimRequest(r, rc);
                    begin(r, now);
                }
                case Action.Write w -> {
                    r.task = target.spawnWrites(taskName(a), List.<String[]>of(new String[] {w.path(), w.value()}), false);
                    begin(r, now);
                }
                case Action.Hibernate h -> {
                    if (target.poweredOff()) {
                        finish(r, now, "ENODEV", "the machine is off");
                        return;
                    }
                    hibernateStart = now;
                    r.task = target.spawnWrites(taskName(a), List.of(new String[] {"/sys/power/disk", h.mode()},
                            new String[] {"/sys/power/state", "disk"}), false);
                    begin(r, now);
                }
                case Action.Restart rs -> {
                    String how = target.restart(rs.qemu());
                    long t = target.now();
                    metrics.hibernation(target.hibernationMetrics());
                    metrics.restarted(how.equals("resumed"), t, hibernateStart);
                    finish(r, t, "ok", how.equals("resumed") ? "the hibernation image resumed"
                            : "fresh boot" + (hibernateStart >= 0 ? ": the image did not resume" : ""));
                }
                case Action.PowerOff po -> {
                    target.powerOff();
                    finish(r, now, "ok", "");
                }
                case Action.Online o -> blockWrites(r, o.blocks(), o.onlineType(), now);
                case Action.Offline o -> blockWrites(r, o.blocks(), "offline", now);
                case Action.Signal sig -> {
                    Running t = byId.get(sig.target());
                    if (t == null || t.task == null || t.finished()) {
                        finish(r, now, "ESRCH", t == null ? "the action has not started"
                                : t.task == null ? "the action is not a guest task" : "the task has exited");
                    } else {
                        target.signal(t.task, sig.signal());
                        finish(r, now, "ok", "");
                    }
                }
                case Action.WorkloadControl wc -> {
                    WorkloadDriver w = workloads.get(wc.workload());
                    switch (wc.verb()) {
                        case "start" -> w.start(now, events);
                        case "stop" -> w.stop(target, now, events);
                        default -> {
                            long n = w.unpin(target);
                            r.detail = "released " + Quantities.formatSize(n) + " of long-term pins";
                        }
                    }
                    finish(r, now, "ok", r.detail);
                }
            }
        }

        void blockWrites(Running r, BlockSet set, String value, long now) {
            List<Long> ids = resolve(set);
            r.blocks = ids;
            if (ids.isEmpty()) {
                finish(r, now, "ok", "no blocks");
                return;
            }
            List<String[]> writes = new ArrayList<>();
            for (long id : ids) writes.add(new String[] {"/sys/devices/system/memory/memory" + id + "/state", value});
            r.task = target.spawnWrites(taskName(r.action), writes, true);
            begin(r, now);
        }

        void begin(Running r, long now) {
            running.add(r);
            events.add(new RunResult.Event(now, r.action.id(), r.what, "started", null));
        }

        void finish(Running r, long end, String result, String detail) {
            r.end = end;
            r.result = result;
            r.detail = detail == null ? "" : detail;
            running.remove(r);
            String outcome = result.equals("ok") ? "ok" : result;
            if (end > r.start) outcome += " after " + Quantities.formatDuration(end - r.start);
            if (!r.detail.isEmpty() && !(r.action.op() instanceof Action.Note)) outcome += " (" + r.detail + ")";
            boolean errno = result.startsWith("E") && result.equals(result.toUpperCase(Locale.ROOT));
            events.add(new RunResult.Event(end, r.action.id(), r.what, outcome, errno ? result : null));
            for (Action dep : dependents.getOrDefault(r.action.id(), List.of())) {
                int i = s.timeline().indexOf(dep);
                due.add(new long[] {Math.max(end + times.get(i), target.now()), i});
            }
        }

        // ---- noticing completions --------------------------------------------------------------

        void collect(long now) {
            for (String line : target.drainKernelLog()) {
                kernelLog.add(line);
                Matcher m = OFFLINE_FAILED.matcher(line);
                if (m.find()) blocks.offlineFailed(Long.parseLong(m.group(1)), "Offline failed");
                if (INTERESTING_LOG.matcher(line).find()) {
                    kernelEvents.add(KernelLogFolding.logTime(line, now, target.uptimeOffset()),
                            line.replaceFirst("^\\[[ 0-9.]+] ", ""));
                }
            }
            for (JsonNode e : target.drainEvents()) event(e, now);
            for (Running r : new ArrayList<>(running)) {
                if (r.action.op() instanceof Action.Hibernate && target.poweredOff() && !r.task.done()) {
                    metrics.hibernation(target.hibernationMetrics());
                    Double bytes = metrics.measured("hibernate_image_bytes");
                    finish(r, now, "ok", "powered off, image " + (bytes == null ? "?" : Quantities.formatSize(bytes.longValue()))
                            + " on the swap disk");
                } else if (r.action.op() instanceof Action.Reclaim rc) reclaimStep(r, rc, now, true);
                else if (r.task != null && r.task.done()) taskDone(r);
                else if (r.deadline <= now) finish(r, r.deadline, "timeout", "no completion within "
                        + Quantities.formatDuration(r.deadline - r.start));
            }
            blocks.note(target.snapshot(), target.now());
        }

        void taskDone(Running r) {
            List<Target.WriteResult> results = r.task.results();
            int ok = 0;
            String firstErr = null;
            Map<String, List<String>> failed = new TreeMap<>();
            for (Target.WriteResult w : results) {
                Long block = blockOfPath(w.path());
                if (w.errno() == null) {
                    ok++;
                } else {
                    if (firstErr == null) firstErr = w.errno();
                    failed.computeIfAbsent(w.errno(), k -> new ArrayList<>()).add(block == null ? w.path() : "memory" + block);
                    if (block != null && w.value().equals("offline")) blocks.offlineFailed(block, w.errno());
                }
            }
            String detail;
            if (results.size() == 1 && firstErr == null) detail = "";
            else if (results.size() == 1) detail = "write error: " + firstErr;
            else {
                StringBuilder sb = new StringBuilder(ok + "/" + results.size() + " ok");
                failed.forEach((err, where) -> sb.append(", ").append(err).append(": ").append(ranges(where)));
                detail = sb.toString();
            }
            int sig = r.task.killedBy();
            if (sig != 0) {
                String by = "killed by " + ScenarioParser.signalName(sig);
                finish(r, r.task.endNs(), "killed", detail.isEmpty() ? by : by + "; " + detail);
                return;
            }
            finish(r, r.task.endNs(), firstErr == null ? "ok" : firstErr, detail);
        }

        void event(JsonNode e, long now) {
            String name = e.path("event").asText();
            long t = eventTime(e, now);
            JsonNode data = e.path("data");
            String what = "qmp event " + name;
            String dev = data.path("info").path("device").asText(data.path("device").asText(data.path("id").asText("")));
            if (!dev.isEmpty()) what += " " + dev;
            if (data.path("info").has("source")) {
                what += " source " + data.path("info").path("source").asInt() + " status " + data.path("info").path("status").asInt();
            }
            if (name.equals("MEMORY_DEVICE_SIZE_CHANGE")) what += " size " + Quantities.formatSize(data.path("size").asLong());
            events.add(new RunResult.Event(t, "qemu", what, "", null));
            if (name.equals("ACPI_DEVICE_OST") && data.path("info").path("source").asInt() == AcpiOst.EVENT_DEVICE_CHECK
                    && data.path("info").path("status").asInt() == AcpiOst.SUCCESS) {
                metrics.plugged(dimmSizes.getOrDefault(dev, 0L));
            }
            if (name.equals("DEVICE_DELETED")) {
                metrics.unplugged(dimmSizes.getOrDefault(dev, 0L));
                deletedDimms.add(dev);
            }
            for (Running r : new ArrayList<>(running)) {
                switch (r.action.op()) {
                    case Action.Plug p when name.equals("ACPI_DEVICE_OST") && p.dimm().equals(dev)
                            && data.path("info").path("source").asInt() == AcpiOst.EVENT_DEVICE_CHECK -> {
                        int status = data.path("info").path("status").asInt();
                        boolean ok = status == AcpiOst.SUCCESS;
                        finish(r, t, ok ? "ok" : ostResult(status), ok ? "" : "_OST status " + status);
                    }
                    case Action.Unplug u when name.equals("DEVICE_DELETED") && u.dimm().equals(dev) -> finish(r, t, "ok", "");
                    case Action.Unplug u when name.equals("ACPI_DEVICE_OST") && u.dimm().equals(dev)
                            && data.path("info").path("source").asInt() == AcpiOst.EVENT_EJECT_REQUEST -> {
                        int status = data.path("info").path("status").asInt();
                        if (status != AcpiOst.SUCCESS && status != AcpiOst.EJECT_IN_PROGRESS) {
                            blocks.ejectFailed(r.blocks);
                            finish(r, t, ostResult(status), "guest refused the eject: _OST status " + status);
                        }
                    }
                    case Action.Resize z when name.equals("MEMORY_DEVICE_SIZE_CHANGE") && z.device().equals(dev)
                            && data.path("size").asLong() == z.requested() -> finish(r, t, "ok", "");
                    case Action.Balloon b when name.equals("BALLOON_CHANGE") && data.path("actual").asLong() == b.target()
                            -> finish(r, t, "ok", "");
                    case Action.Reclaim rc when name.equals("BALLOON_CHANGE") || name.equals("MEMORY_DEVICE_SIZE_CHANGE")
                            || name.equals("DEVICE_DELETED") -> reclaimStep(r, rc, t, false);
                    default -> { }
                }
            }
        }

        // ---- the host's reclaim controller -----------------------------------------------------

        long qomGetSize(String device) {
            JsonNode reply = target.qmp("qom-get", obj().put("path", "/machine/peripheral/" + device).put("property", "size"));
            return reply.path("return").asLong();
        }

        /** QEMU's figure of the guest's memory by balloon (query-balloon actual) or virtio-mem (its size); 0 for DIMMs. */
        long hostFigure(Action.Reclaim rc) {
            return switch (rc.by()) {
                case "balloon" -> target.qmp("query-balloon", obj()).path("return").path("actual").asLong();
                case "virtio-mem" -> qomGetSize(rc.devices().get(0));
                default -> 0;
            };
        }

        /** The bytes the host has back: by balloon and virtio-mem how far QEMU's figure fell, by DIMM the deleted DIMMs. */
        long reclaimed(Running r, Action.Reclaim rc) {
            if (rc.by().equals("dimm")) {
                return rc.devices().stream().filter(deletedDimms::contains).mapToLong(d -> dimmSizes.getOrDefault(d, 0L)).sum();
            }
            return r.baseline - hostFigure(rc);
        }

        /** The controller's request, first or again; a QMP error counts as a failed request. */
        void reclaimRequest(Running r, Action.Reclaim rc) {
            switch (rc.by()) {
                case "balloon" -> countError(r, target.qmp("balloon", obj().put("value", r.baseline - rc.take())));
                case "virtio-mem" -> countError(r, target.qmp("qom-set", obj().put("path", "/machine/peripheral/" + rc.devices().get(0))
                        .put("property", "requested-size").put("value", Math.max(0, r.baseline - rc.take()))));
                default -> {
                    long asked = 0;
                    for (String d : rc.devices()) {
                        if (asked >= rc.take()) break;
                        asked += dimmSizes.getOrDefault(d, 0L);
                        if (!deletedDimms.contains(d)) countError(r, target.qmp("device_del", obj().put("id", d)));
                    }
                }
            }
        }

        void countError(Running r, JsonNode reply) {
            if (reply.has("error")) r.failedRequests++;
        }

        /** A poll or a QMP event: done when the bytes are back, timeout at the deadline, else retry when due. */
        void reclaimStep(Running r, Action.Reclaim rc, long now, boolean poll) {
            long back = reclaimed(r, rc);
            if (poll && back != r.returned) {
                events.add(new RunResult.Event(now, r.action.id(), r.what, "returned " + Quantities.formatSize(Math.max(0, back))
                        + " of " + Quantities.formatSize(rc.take()), null));
            }
            r.returned = back;
            if (back >= rc.take()) {
                reclaimDone(r, now, "ok");
            } else if (now >= r.deadline) {
                reclaimDone(r, r.deadline, "timeout");
            } else if (poll && now >= r.nextRetry) {
                r.retries++;
                r.nextRetry = now + rc.retry();
                reclaimRequest(r, rc);
            }
        }

        void reclaimDone(Running r, long end, String result) {
            long migrated = target.snapshot().migrated() - r.migratedAtStart;
            metrics.reclaimed(r.action.id(), Math.max(0, r.returned), result.equals("ok") ? end - r.start : -1, r.retries,
                    r.failedRequests, migrated);
            r.nextRetry = Long.MAX_VALUE;
            finish(r, end, result, "returned " + Quantities.formatSize(Math.max(0, r.returned)) + " of "
                    + Quantities.formatSize(((Action.Reclaim) r.action.op()).take()) + ", " + r.retries + " retries, "
                    + r.failedRequests + " failed requests, " + migrated + " pages migrated");
        }

        // ---- blocks ----------------------------------------------------------------------------

        List<Long> resolve(BlockSet set) {
            if (set.dimm() != null) return dimmBlocks(set.dimm());
            if (set.zone() != null) {
                List<Long> ids = new ArrayList<>();
                for (var e : target.snapshot().blocks().entrySet()) {
                    if (e.getValue().state().equals("online") && set.zone().equals(e.getValue().zone())) ids.add(e.getKey());
                }
                return ids;
            }
            return set.ids();
        }

        /** The present blocks of a memory device: a DIMM (addr, size) or a virtio-mem device (memaddr, max-size). */
        List<Long> dimmBlocks(String dimm) {
            JsonNode reply = target.qmp("query-memory-devices", obj());
            List<Long> ids = new ArrayList<>();
            long bs = target.blockSize();
            Target.Snapshot snap = target.snapshot();
            for (JsonNode d : reply.path("return")) {
                JsonNode data = d.path("data");
                if (!dimm.equals(data.path("id").asText())) continue;
                long addr = data.has("addr") ? data.path("addr").asLong() : data.path("memaddr").asLong();
                long size = data.has("max-size") ? data.path("max-size").asLong() : data.path("size").asLong();
                for (long b = addr / bs; b < (addr + size) / bs; b++) if (snap.blocks().containsKey(b)) ids.add(b);
            }
            return ids;
        }

        // ---- samples and results ---------------------------------------------------------------

        void sample(long now) {
            Target.Snapshot snap = target.snapshot();
            samples.add(new RunResult.Sample(now, blocks.map(snap), new TreeMap<>(snap.freePages()), snap.migrated(),
                    snap.offlineRetries(), snap.pinnedPages()));
        }

        List<RunResult.ActionOutcome> outcomes() {
            List<RunResult.ActionOutcome> out = new ArrayList<>();
            for (Action a : s.timeline()) {
                Running r = byId.get(a.id());
                if (r == null) {
                    out.add(new RunResult.ActionOutcome(a.id(), a.op().kind(), describe(a), -1, -1, "skipped",
                            a.after() == null ? "the run ended first" : "\"" + a.after() + "\" never completed", a.line()));
                } else if (!r.finished()) {
                    out.add(new RunResult.ActionOutcome(a.id(), a.op().kind(), r.what, r.start, -1, "timeout",
                            "still running when the run ended", a.line()));
                } else {
                    out.add(new RunResult.ActionOutcome(a.id(), a.op().kind(), r.what, r.start, r.end, r.result,
                            r.detail, a.line()));
                }
            }
            return out;
        }

        // ---- helpers ---------------------------------------------------------------------------

        static ObjectNode obj() {
            return JsonNodeFactory.instance.objectNode();
        }

        static String qmpResult(JsonNode reply) {
            if (reply.has("error")) return reply.path("error").path("class").asText("GenericError");
            return "ok";
        }

        static String compact(JsonNode reply) {
            String s = reply.has("error") ? reply.path("error").path("desc").asText() : reply.path("return").toString();
            if (s.equals("{}")) return "";
            return s.length() > 160 ? s.substring(0, 157) + "..." : s;
        }

        /** ACPI _OST status codes (ACPI 6.x, table 6.x "_OST status codes") as errno names where Linux maps them. */
        static String ostResult(int status) {
            return switch (status) {
                case AcpiOst.DEVICE_BUSY -> "EBUSY";
                case AcpiOst.DEVICE_IN_USE -> "EPERM";
                default -> "EIO";
            };
        }

        static long eventTime(JsonNode e, long now) {
            JsonNode ts = e.path("timestamp");
            if (!ts.has("seconds")) return now;
            return ts.path("seconds").asLong() * Quantities.NS_PER_SEC + ts.path("microseconds").asLong() * 1000;
        }

        static Long blockOfPath(String path) {
            Matcher m = Pattern.compile("/memory(\\d+)/state$").matcher(path);
            return m.find() ? Long.parseLong(m.group(1)) : null;
        }

        static String taskName(Action a) {
            return "sh:" + a.id();
        }

        static String ranges(List<String> names) {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            while (i < names.size()) {
                int j = i;
                while (j + 1 < names.size() && num(names.get(j + 1)) == num(names.get(j)) + 1 && num(names.get(j)) >= 0) j++;
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(names.get(i));
                if (j > i) sb.append('-').append(num(names.get(j)));
                i = j + 1;
            }
            return sb.toString();
        }

        static long num(String name) {
            return name.startsWith("memory") ? Long.parseLong(name.substring(6)) : -1;
        }
    }

    /** The one-line description of an action used in the timeline. */
    static String describe(Action a) {
        return switch (a.op()) {
            case Action.Note n -> "# " + n.text();
            case Action.Measure m -> "measure unpluggable bytes";
            case Action.Qmp q -> "qmp " + q.execute() + (q.arguments().isEmpty() ? "" : " " + q.arguments());
            case Action.Plug p -> "plug " + p.dimm() + " " + Quantities.formatSize(p.size())
                    + (p.node() != 0 ? " node " + p.node() : "");
            case Action.Unplug u -> "unplug " + u.dimm();
            case Action.Resize z -> "resize " + z.device() + " to " + Quantities.formatSize(z.requested());
            case Action.Balloon b -> "balloon to " + Quantities.formatSize(b.target());
            case Action.Reclaim rc -> "reclaim " + Quantities.formatSize(rc.take()) + " by " + rc.by()
                    + (rc.devices().isEmpty() ? "" : " " + String.join(",", rc.devices()));
            case Action.Write w -> "echo " + w.value() + " > " + w.path();
            case Action.Online o -> o.onlineType() + " " + o.blocks();
            case Action.Offline o -> "offline " + o.blocks();
            case Action.Signal sg -> "kill -" + sg.name() + " " + sg.target();
            case Action.WorkloadControl w -> "workload " + w.workload() + " " + w.verb();
            case Action.Hibernate h -> "echo " + h.mode() + " > /sys/power/disk; echo disk > /sys/power/state";
            case Action.Restart rs -> rs.qemu().isEmpty() ? "restart the machine" : "restart with " + String.join(" ", rs.qemu());
            case Action.PowerOff po -> "power off";
        };
    }
}
