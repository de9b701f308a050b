package org.hotmem.explore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hotmem.hotplug.MemoryInvariants;
import org.hotmem.kernel.DeadlockReport;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.LockdepReport;
import org.hotmem.kernel.ScheduleTrace;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.TaskFailedException;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.machine.HostState;
import org.hotmem.machine.Machine;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.DevPagemap;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneDevice;
import org.hotmem.mm.ZoneType;
import org.hotmem.mm.Gfp;
import org.hotmem.power.Hibernation;
import org.hotmem.power.SwapArea;

/**
 * One run of a race under one schedule: boots the race's machine (the boot and setup always
 * scheduled alike), turns the historical switch on if asked, starts the actors at their delays,
 * lets them finish (or the limit pass), and classifies what happened.
 *
 * <p>Checked: a task that failed (an exception in the model, a replay divergence), the
 * {@link SchedulingPointChecks} at every decision after the actors start (the run goes on, so the
 * outcome is complete; their violation is the earliest and wins), a lockdep report, a guest actor stuck past the
 * limit (with the deadlock report when nothing can run), the memory invariants
 * ({@link MemoryInvariants}: page accounting, buddy and span consistency) once the actors are
 * done and the machine has settled, and the outcome's grade. The first of these that fails is
 * the violation.
 *
 * <p>Actor results: a sysfs write, an allocation and a pmem bind or unbind are {@code ok} or the
 * errno's name; a span reader {@code spanned} or {@code torn}; a device page user {@code ok},
 * {@code none} or {@code use-after-free}; a journal thread {@code consistent}, {@code disk-ahead} or
 * {@code running} ({@link Journal}); an onliner {@code ok}, the errno or {@code skipped}, then
 * {@code in ZONE}; a QMP command is {@code ok}
 * or QEMU's error class; a hibernation is {@code image} (complete, powered off), {@code
 * image-incomplete} (powered off with saveable pages the copy missed: lost from the image),
 * {@code oops} (the atomic copy faulted), or the errno of the write to {@code /sys/power/state}.
 */
public final class RaceRun {
    /** How long the machine runs after the actors finished before the invariants are checked. */
    static final long SETTLE_NS = 5_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one schedule did. {@code violation} is null when nothing failed. */
    public record Result(String outcome, String violation, long[] delays, int[] schedule, Map<Integer, Integer> preemptions,
                  List<String> story, List<String> taskNames) {
        /** The name of the task with {@code pid} in this run. */
        public String taskName(int pid) { return pid >= 1 && pid <= taskNames.size() ? taskNames.get(pid - 1) : "?"; }
    }

    private RaceRun() {}

    /** Runs {@code race} with the actors' delays and the explored strategy; {@code story} asks for the trace of the steps. */
    static Result run(Race race, boolean historical, long[] delays, ExploreStrategy strategy, boolean story) {
        Path swap = null;
        try {
            Machine.Builder b = Machine.builder().memory(race.machine().memory()).kernel(race.machine().kernel())
                    .qemu(race.machine().qemu()).strategy(strategy).host(new HostState()).seed(1);
            String cmdline = race.machine().cmdline();
            if (race.machine().swapBytes() > 0) {
                swap = Files.createTempFile("hotmem-race", ".img");
                SwapArea.createImage(swap, race.machine().swapBytes());
                b.qemu("-drive file=" + swap + ",if=virtio,format=raw,id=swap0");
                cmdline = (cmdline + " resume=/dev/vda").strip();
            }
            Machine m = b.cmdline(cmdline).boot();
            if (swap != null) {
                m.power().mkswap("/dev/vda");
                m.power().swapon("/dev/vda");
            }
            for (Race.Step s : race.setup()) setup(m, s);
            boolean freezableJournal = !(historical && "journal-thread-not-freezable".equals(race.historical()));
            if (historical && freezableJournal) historical(m, race.historical());
            m.drainKernelLog();
            return actors(race, m, delays, strategy, story, freezableJournal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (swap != null) swap.toFile().delete();
        }
    }

    /** Turns a switch of {@link Race#SWITCHES} on: the code as it was before its fix. */
    private static void historical(Machine m, String name) {
        switch (name) {
            case "hibernation-without-hotplug-lock" -> m.power().setHotplugExclusion(false);
            case "span-init-outside-span-lock" -> m.mm().zoneDevice().setSpanInit(ZoneDevice.SpanInit.OUTSIDE_SPAN_LOCK);
            case "memunmap-without-waiting" -> m.memremap().setWaitForReferences(false);
            case "auto-online-offline" -> setup(m, new Race.Step(null, null, "/sys/devices/system/memory/auto_online_blocks", "offline", null, 0));
            default -> throw new IllegalArgumentException("no historical switch " + name); // Race.parse checked it
        }
    }

    private static void setup(Machine m, Race.Step s) {
        if (s.runNs() > 0) {
            m.runFor(s.runNs());
        } else if (s.qmp() != null) {
            ObjectNode reply = m.qmp(s.qmp(), args(s.arguments()));
            if (reply.has("error")) throw new IllegalStateException("setup: " + s.qmp() + " failed: " + reply);
        } else {
            String[] err = {null};
            boolean[] done = {false};
            m.kernel().spawn("setup", 0, () -> {
                try {
                    if (s.pmem() == null) m.fs().lookupFile(s.path()).write(s.value() + "\n");
                    else if (s.pmem().equals("bind")) m.legacyPmem().bind(0);
                    else m.legacyPmem().unbind(0);
                } catch (KernelException e) {
                    err[0] = e.errno().name();
                }
                done[0] = true;
            });
            m.kernel().runUntil(() -> done[0]);
            if (err[0] != null) {
                throw new IllegalStateException("setup: " + (s.pmem() != null ? "pmem " + s.pmem() : "write " + s.value() + " to " + s.path()) + ": " + err[0]);
            }
        }
    }

    private static Result actors(Race race, Machine m, long[] delays, ExploreStrategy strategy, boolean story, boolean freezableJournal) {
        Kernel k = m.kernel();
        List<Race.Actor> actors = race.actors();
        String[] results = new String[actors.size()];
        Journal[] journals = new Journal[actors.size()];
        long start = k.now();
        int firstSwitch = k.trace().switches();
        SchedulingPointChecks checks = new SchedulingPointChecks(k, m.mm(), actors.size());
        strategy.arm(checks);
        for (int i = 0; i < actors.size(); i++) {
            Race.Actor a = actors.get(i);
            int ai = i;
            if (a.hostSide()) {
                k.addTimer(delays[i], () -> {
                    ObjectNode reply = m.qmp(a.qmp(), args(a.arguments()));
                    results[ai] = reply.has("error") ? reply.get("error").get("class").asText() : "ok";
                });
            } else if (a.kind().equals("pmem")) {
                k.kthreadRun(a.name(), () -> {
                    if (delays[ai] > 0) k.nanosleep(delays[ai]);
                    try {
                        if (a.value().equals("bind")) m.legacyPmem().bind(0);
                        else m.legacyPmem().unbind(0);
                        results[ai] = "ok";
                    } catch (KernelException e) {
                        results[ai] = e.errno().name();
                    }
                });
            } else if (a.kind().equals("span")) {
                k.kthreadRun(a.name(), () -> {
                    if (delays[ai] > 0) k.nanosleep(delays[ai]);
                    results[ai] = spanReader(m, a);
                });
            } else if (a.kind().equals("devpage")) {
                k.kthreadRun(a.name(), () -> {
                    if (delays[ai] > 0) k.nanosleep(delays[ai]);
                    results[ai] = devpageUser(m, checks, ai, a);
                });
            } else if (a.kind().equals("online")) {
                k.spawn(a.name(), 0, () -> results[ai] = onliner(m, a, delays[ai]));
            } else if (a.kind().equals("journal")) {
                journals[i] = new Journal(m, a, delays[i], freezableJournal);
            } else if (a.kind().equals("alloc")) {
                k.kthreadRun(a.name(), () -> {
                    if (delays[ai] > 0) k.nanosleep(delays[ai]);
                    AddressSpace as = m.mm().newAddressSpace(a.name(), Gfp.MOVABLE_ANON);
                    try {
                        for (long p = 0; p < a.bytes() / m.mm().arch().pageSize(); p++) as.add(0x5eed_0000_0000_0000L | p);
                        results[ai] = "ok";
                    } catch (KernelException e) {
                        results[ai] = e.errno().name();
                    }
                });
            } else {
                k.spawn(a.name(), 0, () -> {
                    if (delays[ai] > 0) k.nanosleep(delays[ai]);
                    KFile f = m.fs().lookupFile(a.path());
                    if (f == null) {
                        results[ai] = "ENOENT"; // open(2) of a file removed with its device
                        return;
                    }
                    try {
                        f.write(a.value() + "\n");
                        results[ai] = "ok";
                    } catch (KernelException e) {
                        results[ai] = e.errno().name();
                    }
                });
            }
        }
        String violation = null;
        boolean[] late = {false};
        k.addTimer(race.limitNs(), () -> late[0] = true);
        try {
            k.runUntil(() -> late[0] || m.poweredOff() || allDone(results, journals));
            if (!m.poweredOff() && allDone(results, journals)) m.runFor(SETTLE_NS);
        } catch (TaskFailedException e) {
            violation = "task failed: " + e.getMessage();
        }
        if (checks.violation() != null) violation = checks.violation(); // the first thing that went wrong
        boolean oops = m.kernel().dmesg().lines().stream().anyMatch(l -> l.contains("BUG: unable to handle page fault"));
        Hibernation.Report report = m.power().lastReport();
        for (int i = 0; i < actors.size(); i++) {
            if (!actors.get(i).kind().equals("hibernate")) continue;
            if (oops) results[i] = "oops";
            else if (m.poweredOff() && report != null) results[i] = report.missedHotAdded() > 0 ? "image-incomplete" : "image";
        }
        for (int i = 0; i < actors.size(); i++) if (journals[i] != null) results[i] = journals[i].outcome(m);
        if (violation == null) violation = lockdep(k);
        if (violation == null) {
            for (int i = 0; i < actors.size(); i++) {
                if (results[i] != null || m.poweredOff()) continue;
                Optional<DeadlockReport> d = k.deadlockReport();
                violation = "stuck: actor " + actors.get(i).name() + " did not finish within " + race.limitNs() / 1_000_000 + " ms"
                        + d.map(r -> "\n" + r.text()).orElse("");
                break;
            }
        }
        if (violation == null && !oops) {
            List<String> bad = MemoryInvariants.check(m.hotplug());
            if (!bad.isEmpty()) violation = "invariant: " + String.join("; ", bad.subList(0, Math.min(3, bad.size())));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < actors.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(actors.get(i).name()).append('=').append(results[i] == null ? "pending" : results[i]);
        }
        String outcome = out.toString();
        if (violation == null && race.grade(outcome) == Grade.FORBIDDEN) violation = "FORBIDDEN outcome: " + outcome;
        List<String> names = new ArrayList<>();
        if (story) for (Task t : k.tasks()) names.add(t.name());
        return new Result(outcome, violation, delays, strategy.schedule(), strategy.preemptions(),
                story ? story(race, m, delays, start, firstSwitch, strategy) : List.of(), names);
    }

    /** How often a span reader looks at the span. */
    static final long SPAN_POLL_NS = 10_000;

    /**
     * A span reader (page_outside_zone_boundaries()'s zone_span_seqbegin()/retry pair, under
     * get_online_mems() when the actor names mem_hotplug_lock) polling node 0's zone until it
     * spans pages: {@code spanned}, or {@code torn} when a read gave a start pfn with no pages
     * (the zone was empty at pfn 0 before).
     */
    private static String spanReader(Machine m, Race.Actor a) {
        Zone z = m.mm().node(0).zone(java.util.Arrays.stream(ZoneType.values()).filter(t -> t.zoneName().equals(a.value())).findFirst().orElseThrow());
        long emptyStart = z.spannedPages() == 0 ? z.startPfn() : -1;
        while (true) {
            boolean locked = a.lock() != null;
            if (locked) m.hotplug().getOnlineMems();
            long[] span = m.mm().zoneDevice().readSpan(z);
            if (locked) m.hotplug().putOnlineMems();
            if (span[1] > 0) return "spanned";
            if (span[0] != emptyStart) return "torn";
            m.kernel().nanosleep(SPAN_POLL_NS);
        }
    }

    /**
     * A user of a device page (get_user_pages() of a DAX mapping: get_dev_pagemap() on the pfn):
     * {@code none} when no live pgmap maps it, else it holds the reference for the actor's hold
     * time, reads the page again and puts the reference: {@code ok}, or {@code use-after-free}
     * when the page's memmap is gone by then.
     */
    private static String devpageUser(Machine m, SchedulingPointChecks checks, int actor, Race.Actor a) {
        long pfn = a.bytes() >>> m.mm().arch().pageShift();
        ZoneDevice zd = m.mm().zoneDevice();
        DevPagemap p = zd.getDevPagemap(pfn);
        if (p == null) return "none";
        checks.holding(actor, pfn);
        zd.pageRefcount(pfn);
        if (a.holdNs() > 0) m.kernel().nanosleep(a.holdNs());
        boolean valid = m.mm().pfnValid(pfn);
        zd.putDevPagemap(p);
        checks.holding(actor, -1);
        return valid ? "ok" : "use-after-free";
    }

    /** Whether every actor is done; a journal thread runs until the machine goes off. */
    /** How often an onliner waiting for its block's add uevent looks for the block. */
    static final long UEVENT_POLL_NS = 100_000;

    /**
     * A user-space onliner (a udev rule, a guest agent) woken by a memory block's add uevent:
     * after its delay it writes its value to the block's state (with the rule: only if the state
     * reads offline); the result is {@code ok}, the errno, or {@code skipped} (the rule did not
     * match), followed by {@code in ZONE}: the block's valid_zones once it wrote.
     */
    private static String onliner(Machine m, Race.Actor a, long delayNs) {
        Kernel k = m.kernel();
        while (m.fs().lookupFile(a.path() + "/state") == null) k.nanosleep(UEVENT_POLL_NS);
        if (delayNs > 0) k.nanosleep(delayNs);
        KFile state = m.fs().lookupFile(a.path() + "/state");
        if (state == null) return "ENOENT";
        String result;
        boolean match = a.lock() == null || state.read().strip().equals(a.lock());
        k.yield(); // between the read(2) and the write(2): the return to user space is a preemption point
        if (!match) {
            result = "skipped";
        } else {
            try {
                state.write(a.value() + "\n");
                result = "ok";
            } catch (KernelException e) {
                result = e.errno().name();
            }
        }
        KFile zones = m.fs().lookupFile(a.path() + "/valid_zones");
        return zones == null ? result : result + " in " + zones.read().strip();
    }

    private static boolean allDone(String[] results, Journal[] journals) {
        for (int i = 0; i < results.length; i++) if (results[i] == null && journals[i] == null) return false;
        return true;
    }

    private static String lockdep(Kernel k) {
        List<LockdepReport> r = k.lockdep().reports();
        return r.isEmpty() ? null : "lockdep: " + r.get(0).title();
    }

    /**
     * The steps that matter: when each actor started, each preemption (a switch the default
     * schedule would not have made), and the kernel log of the actors' window.
     */
    private static List<String> story(Race race, Machine m, long[] delays, long start, int firstSwitch, ExploreStrategy s) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < delays.length; i++) {
            lines.add(Dmesg.timestamp(start + delays[i]) + " actor " + race.actors().get(i).name() + " starts (delay "
                    + delays[i] / 1000 + " us)");
        }
        Map<Integer, Integer> pre = s.preemptions();
        ScheduleTrace t = m.kernel().trace();
        for (var e : pre.entrySet()) {
            Task task = m.kernel().task(e.getValue());
            lines.add("decision " + e.getKey() + ": preempted in favour of pid " + e.getValue() + " " + (task == null ? "?" : task.name()));
        }
        if (pre.isEmpty()) lines.add("no preemption: the default schedule with these delays is enough");
        lines.add("context switches after the actors started: " + (t.switches() - firstSwitch));
        for (String l : m.drainKernelLog()) lines.add("dmesg " + l);
        return lines;
    }

    private static ObjectNode args(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
