package org.hotmem.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Drives a target through a scenario in virtual time and emits one transcript record per
 * step (step 0 = boot), as the recording harness did on real Linux:
 * <ul>
 * <li>{@code guest}: the command runs to completion in a task ({@link GuestShell});
 * <li>{@code wait N}: the command is retried every {@value #WAIT_RETRY_MS} ms of virtual time
 *     until it exits 0 or N seconds have passed; output and rc are the last try's;
 * <li>{@code qmp}: one command, its reply recorded;
 * <li>{@code event N}: virtual time passes in {@value #EVENT_POLL_MS} ms slices until an event of
 *     that name arrives, or N seconds pass (then {@code event} is null). Events that arrived in
 *     an earlier step belong to that step and do not count; events that arrive in the same
 *     slice after the awaited one are handed on to the next step;
 * <li>{@code sleep N}: N seconds of virtual time pass;
 * <li>{@code note}: nothing happens;
 * <li>{@code guest-async}: the command is sent and runs as time passes (e.g. the write of
 *     {@code disk} to /sys/power/state, which powers the machine off);
 * <li>{@code expect-exit N}: virtual time passes in {@value #EVENT_POLL_MS} ms slices until QEMU
 *     exits by itself ({@code qemu_status} 0) or N seconds pass ({@code qemu_status} null);
 * <li>{@code restart N} / {@code restart-with-qemu N: ARGS}: QEMU starts again on the same disks
 *     with the scenario's arguments (plus ARGS, kept for later restarts; an empty ARGS drops
 *     them); {@code how} is {@code resumed} when the boot kernel restored the image and the
 *     pending {@code guest-async} command returned within N seconds (its output, rc and times
 *     are in the record), else {@code ready} (a fresh boot).
 * </ul>
 * {@code prepare:} commands ({@link HostCommands}) run in a fresh run directory before the
 * boot; {@code {run}} in QEMU arguments names it. The directory is deleted after the run.
 * Every record holds the kernel log lines printed during its step and the QMP events that
 * arrived. A model failure (an exception out of the target) ends the run with an
 * {@code {"kind": "abort"}} record, which the comparer counts as a failure.
 */
public final class ConformanceRunner {
    /** Retry interval of {@code wait} steps (the harness's 0.5 s). */
    public static final long WAIT_RETRY_MS = 500;
    /** Polling slice of {@code event} steps. */
    public static final long EVENT_POLL_MS = 10;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final TargetFactory factory;

    public ConformanceRunner(TargetFactory factory) {
        this.factory = factory;
    }

    /** Runs {@code scenario} on a freshly booted target of {@code kernel} and returns the transcript as JSONL. */
    public String runToJsonl(ScnScript scenario, String kernel) {
        StringWriter sw = new StringWriter();
        TranscriptWriter w = new TranscriptWriter(sw);
        run(scenario, kernel, w::write);
        return sw.toString();
    }

    /** Runs {@code scenario} on a freshly booted target, handing each record to {@code sink} as it is made. */
    public void run(ScnScript scenario, String kernel, Consumer<ObjectNode> sink) {
        Path runDir;
        try {
            runDir = Files.createTempDirectory("hotmem-run");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory: " + e.getMessage(), e);
        }
        try {
            run(scenario, kernel, runDir, sink);
        } finally {
            deleteTree(runDir);
        }
    }

    private void run(ScnScript scenario, String kernel, Path runDir, Consumer<ObjectNode> sink) {
        try {
            for (String p : scenario.prepare()) {
                HostCommands.prepare(p, runDir);
            }
        } catch (RuntimeException e) {
            sink.accept(abort(0, e.getMessage())); // the recorder's "prepare failed: LINE ..."
            return;
        }
        ConformanceTarget target;
        try {
            target = factory.boot(scenario.inRunDirectory(runDir.toString()), kernel);
        } catch (RuntimeException e) {
            sink.accept(abort(0, "boot failed: " + describe(e)));
            return;
        }
        Session s = new Session(target, runDir.toString());
        try {
            ObjectNode boot = F.objectNode();
            boot.put("step", 0);
            boot.put("kind", StepKind.BOOT.json());
            boot.put("scenario", scenario.name());
            boot.put("kernel", kernel);
            s.finish(boot);
            sink.accept(boot);
            for (ScnStep step : scenario.steps()) {
                ObjectNode rec;
                try {
                    rec = s.run(step);
                    List<String> bad = s.target.invariantViolations();
                    if (!bad.isEmpty()) {
                        sink.accept(rec);
                        sink.accept(abort(step.number(), "step " + step.number() + " (line " + step.line()
                                + "): invariants violated: " + String.join("; ", bad)));
                        return;
                    }
                } catch (RuntimeException e) {
                    sink.accept(abort(step.number(), "step " + step.number() + " (line " + step.line() + "): " + describe(e)));
                    return;
                }
                sink.accept(rec);
            }
        } finally {
            s.target.close();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static ObjectNode abort(int step, String error) {
        ObjectNode r = F.objectNode();
        r.put("kind", "abort");
        r.put("at_step", step);
        r.put("error", error);
        return r;
    }

    /**
     * The state of one run: the target (a new one after each restart), the events handed on
     * from the previous step, the pending guest-async command and the restart arguments.
     */
    private static final class Session {
        private ConformanceTarget target;
        private final String runDir;
        /** Events that arrived in the polling slice of an event step after the awaited one. */
        private List<ObjectNode> carried = new ArrayList<>();
        /** What the previous machine printed and emitted after its last step (the console goes on). */
        private final List<String> oldLog = new ArrayList<>();
        private final List<ObjectNode> oldEvents = new ArrayList<>();
        /** The command of the last guest-async step, until a restart. */
        private GuestShell.Pending pending;
        /** restart-with-qemu's arguments, kept for later restarts. */
        private List<String> extraQemu = List.of();

        Session(ConformanceTarget target, String runDir) {
            this.target = target;
            this.runDir = runDir;
        }

        ObjectNode run(ScnStep step) {
            ObjectNode r = F.objectNode();
            r.put("step", step.number());
            r.put("kind", step.kind().json());
            r.put("arg", step.arg());
            r.put("line", step.line());
            switch (step.kind()) {
                case NOTE, BOOT -> { }
                case GUEST -> guest(step, r);
                case WAIT -> await(step, r);
                case QMP -> qmp(step, r);
                case EVENT -> event(step, r);
                case SLEEP -> target.runFor(step.timeoutNs());
                case GUEST_ASYNC -> pending = target.sendGuest(step.arg());
                case EXPECT_EXIT -> expectExit(step, r);
                case RESTART, RESTART_WITH_QEMU -> restart(step, r);
            }
            finish(r);
            return r;
        }

        private void guest(ScnStep step, ObjectNode r) {
            GuestShell.Outcome o = target.runGuest(step.arg(), step.timeoutNs());
            result(r, o);
        }

        private void await(ScnStep step, ObjectNode r) {
            long deadline = target.now() + step.timeoutNs();
            long first = target.now();
            int tries = 0;
            GuestShell.Outcome o;
            while (true) {
                o = target.runGuest(step.arg(), GuestShell.GUEST_TIMEOUT_NS);
                tries++;
                if (o.timedOut() || o.result().rc() == 0 || target.now() >= deadline) {
                    break;
                }
                target.runFor(WAIT_RETRY_MS * 1_000_000L);
            }
            result(r, new GuestShell.Outcome(o.result(), first, o.endNs()));
            r.put("tries", tries);
        }

        private void expectExit(ScnStep step, ObjectNode r) {
            long deadline = target.now() + step.timeoutNs();
            while (!target.exited() && target.now() < deadline) {
                target.runFor(Math.min(EVENT_POLL_MS * 1_000_000L, deadline - target.now()));
            }
            if (target.exited()) {
                r.put("qemu_status", 0);
            } else {
                r.putNull("qemu_status");
            }
        }

        private void restart(ScnStep step, ObjectNode r) {
            if (step.kind() == StepKind.RESTART_WITH_QEMU) {
                List<String> words = ScnParser.qemuWords(step.arg());
                ArrayNode extra = r.putArray("qemu_extra");
                words.forEach(extra::add);
                extraQemu = words.stream().map(w -> w.replace(ScnScript.RUN, runDir)).toList();
            }
            oldLog.addAll(target.drainKernelLog());
            oldEvents.addAll(target.drainEvents());
            target = target.restart(extraQemu);
            GuestShell.Pending p = pending;
            pending = null;
            if (p != null && target.resumed()) {
                long deadline = target.now() + step.timeoutNs();
                while (!p.done() && !target.exited() && target.now() < deadline) {
                    target.runFor(Math.min(EVENT_POLL_MS * 1_000_000L, deadline - target.now()));
                }
                if (p.done()) {
                    r.put("how", "resumed");
                    result(r, p.outcome());
                    return;
                }
            }
            r.put("how", "ready");
        }

        private void result(ObjectNode r, GuestShell.Outcome o) {
            if (o.timedOut()) {
                r.put("timeout", true); // as the recorders write it: no output, no rc
            } else {
                r.put("output", o.result().output());
                r.put("rc", o.result().rc());
            }
            r.set("guest_s", seconds(o.endNs() - o.startNs()));
            ArrayNode up = r.putArray("guest_uptime");
            up.add(seconds(o.startNs()));
            up.add(seconds(o.endNs()));
        }

        private void qmp(ScnStep step, ObjectNode r) {
            ObjectNode args = step.arguments() == null ? F.objectNode() : step.arguments().deepCopy();
            ObjectNode req = r.putObject("request");
            req.put("execute", step.execute());
            if (step.arguments() != null) {
                req.set("arguments", step.arguments().deepCopy());
            }
            r.set("response", target.qmp(step.execute(), args));
        }

        private void event(ScnStep step, ObjectNode r) {
            String name = step.arg().trim();
            long deadline = target.now() + step.timeoutNs();
            List<ObjectNode> seen = new ArrayList<>();
            ObjectNode match = null;
            List<ObjectNode> batch = carried; // handed on by the previous event step: they count
            carried = new ArrayList<>();
            while (true) {
                for (int i = 0; i < batch.size(); i++) {
                    ObjectNode ev = batch.get(i);
                    if (match == null && name.equals(ev.path("event").asText(null))) {
                        match = ev;
                        carried.addAll(batch.subList(i + 1, batch.size()));
                        break;
                    }
                    seen.add(ev);
                }
                if (match != null || target.now() >= deadline) {
                    break;
                }
                target.runFor(Math.min(EVENT_POLL_MS * 1_000_000L, deadline - target.now()));
                batch = target.drainEvents();
            }
            r.set("event", match == null ? F.nullNode() : match);
            ArrayNode events = r.putArray("events");
            seen.forEach(events::add);
        }

        /** Adds the events and kernel lines of the step that just ended. */
        void finish(ObjectNode r) {
            ArrayNode events = r.has("events") ? (ArrayNode) r.get("events") : r.putArray("events");
            List<ObjectNode> handOn = carried;
            carried = new ArrayList<>();
            if (!r.path("kind").asText().equals("event")) {
                handOn.forEach(events::add);
            } else {
                carried = handOn; // produced by this event step, for the next one
            }
            oldEvents.forEach(events::add);
            oldEvents.clear();
            target.drainEvents().forEach(events::add);
            ArrayNode log = r.putArray("kernel_log");
            oldLog.forEach(log::add);
            oldLog.clear();
            for (String l : target.drainKernelLog()) {
                log.add(l);
            }
        }

        private static JsonNode seconds(long ns) {
            return F.numberNode(new BigDecimal(ns).movePointLeft(9).setScale(2, RoundingMode.HALF_EVEN).doubleValue());
        }
    }
}
