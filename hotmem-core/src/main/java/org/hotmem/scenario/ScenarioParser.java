package org.hotmem.scenario;

import org.hotmem.hv.QmpException;
import org.hotmem.kernel.Errno;
import org.hotmem.mm.KernelVersion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns scenario text into a validated {@link Scenario}: parameters are substituted first
 * ({@link Params}), then the YAML is read with locations ({@link YamlTree}) and every field is
 * checked; the first problem is thrown as a {@link ScenarioException} naming file, line, column
 * and what was expected. Cross-references (action ids, workload names, signal targets) are
 * checked too, so a run never starts on a file that cannot be played. See
 * {@code examples/README.md} for the format.
 */
public final class ScenarioParser {
    private static final Set<String> ONLINE_TYPES = Set.of("online", "online_kernel", "online_movable");
    private static final Set<String> ZONES = Set.of("DMA", "DMA32", "Normal", "Movable");
    private static final Set<String> WORKLOAD_VERBS = Set.of("start", "stop", "unpin");
    private static final Map<String, Integer> SIGNALS = Map.of(
            "SIGHUP", 1, "SIGINT", 2, "SIGKILL", 9, "SIGUSR1", 10, "SIGTERM", 15);
    private static final String[] OPS = {"qmp", "plug", "unplug", "resize", "balloon", "reclaim", "write", "online", "offline",
            "signal", "workload", "measure", "hibernate", "restart", "resume", "power-off", "note"};
    private static final Set<String> HIBERNATION_MODES = Set.of("platform", "shutdown", "reboot", "suspend", "test_resume");

    private ScenarioParser() {}

    /** Reads and parses a file with the given parameter values. */
    public static Scenario parseFile(Path path, Map<String, String> params) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ScenarioException(path.toString(), 0, 0, "cannot read the file: " + e.getMessage());
        }
        return parse(path.toString(), text, params);
    }

    /** Parses scenario text; {@code file} names it in errors. */
    public static Scenario parse(String file, String text, Map<String, String> params) {
        String substituted = Params.substitute(file, text, params);
        Node root = YamlTree.parse(file, substituted);
        return build(file, root);
    }

    private static Scenario build(String file, Node root) {
        Fields f = Fields.of(root, "a scenario");
        String name = f.requireString("name", "the scenario's name");
        String description = f.string("description", "").strip();
        long seed = f.integer("seed", 1);
        MachineSpec machine = machine(f.require("machine", "the machine: {memory: 8G,slots=4,maxmem=64G, ...}"));
        List<WorkloadSpec> workloads = new ArrayList<>();
        Node wn = f.get("workloads");
        Set<String> workloadNames = new HashSet<>();
        if (wn != null) {
            for (Node w : list(wn, "a list of workloads")) {
                WorkloadSpec spec = workload(w);
                if (!workloadNames.add(spec.name())) throw w.error("a second workload named \"" + spec.name() + "\"");
                workloads.add(spec);
            }
        }
        List<Action> timeline = new ArrayList<>();
        Map<String, Node> ids = new HashMap<>();
        Node tn = f.require("timeline", "a list of actions");
        int index = 0;
        for (Node a : list(tn, "a list of actions")) {
            Action action = action(a, ++index);
            if (ids.put(action.id(), a) != null) throw a.error("a second action with id \"" + action.id() + "\"");
            timeline.add(action);
        }
        // cross-references
        for (int i = 0; i < timeline.size(); i++) {
            Action a = timeline.get(i);
            Node an = tn.items().get(i);
            if (a.after() != null && !ids.containsKey(a.after())) {
                throw an.entries().get("after").error("no action with id \"" + a.after() + "\" (ids: "
                        + String.join(", ", ids.keySet().stream().sorted().toList()) + ")");
            }
            if (a.after() != null && a.after().equals(a.id())) throw an.error("an action cannot wait for itself");
            if (a.op() instanceof Action.Signal s && !ids.containsKey(s.target())) {
                throw an.error("signal: no action with id \"" + s.target() + "\"");
            }
            if (a.op() instanceof Action.WorkloadControl w && !workloadNames.contains(w.workload())) {
                throw an.error("workload: no workload named \"" + w.workload() + "\"");
            }
        }
        checkAfterCycles(timeline, tn);
        List<Expectation> expectations = new ArrayList<>();
        Node en = f.get("expect");
        if (en != null) {
            for (Node e : list(en, "a list of expectations")) {
                Expectation x = expectation(e);
                if (x instanceof Expectation.ActionResult r && !ids.containsKey(r.action())) {
                    throw e.entries().get("action").error("no action with id \"" + r.action() + "\"");
                }
                expectations.add(x);
            }
        }
        long lastAt = 0;
        for (Action a : timeline) if (a.after() == null) lastAt = Math.max(lastAt, a.at().upper());
        long duration = f.duration("duration", -1);
        if (duration < 0) duration = lastAt + 10 * 60 * Quantities.NS_PER_SEC;
        long firstAt = Long.MAX_VALUE;
        for (Action a : timeline) if (a.after() == null) firstAt = Math.min(firstAt, a.at().mean());
        if (duration <= 0 || firstAt != Long.MAX_VALUE && duration < firstAt) {
            throw f.get("duration").error("the run must last past the first action at " + Quantities.formatDuration(firstAt));
        }
        long sample = f.duration("sample", 0);
        if (sample == 0) sample = Math.max(Quantities.NS_PER_SEC / 10, duration / 200);
        f.done();
        return new Scenario(file, name, description, machine, seed, duration, sample, workloads, timeline,
                expectations);
    }

    private static List<Node> list(Node n, String expected) {
        if (!n.isList()) throw n.error("expected " + expected + ", got " + n.describe());
        return n.items();
    }

    private static MachineSpec machine(Node n) {
        Fields f = Fields.of(n, "the machine");
        String memory = f.requireString("memory", "QEMU's -m value, like 8G,slots=4,maxmem=64G");
        if (Quantities.parseSize(memory.split(",")[0]) <= 0) {
            throw f.get("memory").error("expected QEMU's -m value, like 8G,slots=4,maxmem=64G, got \"" + memory + "\"");
        }
        String cmdline = f.string("cmdline", "");
        List<String> qemu = new ArrayList<>(f.strings("qemu"));
        if (f.has("swap")) {
            // a virtio disk with a swap area for hibernation: the initramfs resumes from it (resume=/dev/vda)
            long swap = Quantities.size(f.get("swap"));
            if (swap < (1L << 20)) throw f.get("swap").error("expected a swap disk of at least 1M, got " + Quantities.formatSize(swap));
            qemu.add(0, "-drive file={swap:" + swap + "},if=virtio,format=raw,id=swap0");
            cmdline = (cmdline + " resume=/dev/vda").strip();
        }
        for (var e : n.entries().entrySet()) {
            if (e.getKey().contains("=")) {
                throw e.getValue().error("\"" + e.getKey() + "\" looks like part of the -m value, split off by a comma of a "
                        + "{...} mapping: quote it, memory: \"" + memory + "," + e.getKey() + ",...\"");
            }
        }
        String kernel = f.string("kernel", "6.12");
        List<String> kernels = java.util.Arrays.stream(KernelVersion.values()).map(KernelVersion::text).toList();
        if (!kernels.contains(kernel)) {
            throw f.get("kernel").error("expected \"" + String.join("\" or \"", kernels) + "\", got \"" + kernel + "\"");
        }
        f.done();
        return new MachineSpec(memory, cmdline, qemu, kernel, n.line());
    }

    private static WorkloadSpec workload(Node n) {
        Fields f = Fields.of(n, "a workload");
        String name = f.requireString("name", "the workload's name");
        String kindText = f.requireString("kind", "anon, pagecache, kernel or pinned");
        WorkloadSpec.Kind kind = WorkloadSpec.Kind.of(kindText);
        if (kind == null) throw f.get("kind").error("expected anon, pagecache, kernel or pinned, got \"" + kindText + "\"");
        long start = f.duration("start", 0);
        long stop = f.has("stop") ? f.duration("stop", 0) : WorkloadSpec.NEVER;
        if (stop <= start) throw f.get("stop").error("the workload stops before it starts");
        long size = Quantities.size(f.require("size", "the resident size, like 4G"));
        Node cn = f.get("chunk");
        Distribution chunk = cn == null ? new Distribution.Fixed(2L << 20) : Distribution.parse(cn, false);
        if (chunk.mean() < 4096) throw cn.error("chunks are at least one page (4K)");
        Node rn = f.get("rate");
        long rate = rn == null ? 1L << 30 : Quantities.rate(rn);
        Node ln = f.get("lifetime");
        Distribution lifetime = null;
        if (ln != null && !(ln.isScalar() && ln.text().equals("forever"))) lifetime = Distribution.parse(ln, true);
        Node pn = f.get("pinned");
        double pinned = pn == null ? (kind == WorkloadSpec.Kind.PINNED ? 1.0 : 0.0) : Quantities.fraction(pn);
        int node = (int) f.integer("node", 0);
        f.done();
        return new WorkloadSpec(name, kind, start, stop, size, chunk, rate, lifetime, pinned, node, n.line());
    }

    private static Action action(Node n, int index) {
        Fields f = Fields.of(n, "an action: {at: TIME, <one of " + String.join("|", OPS) + ">: ...}");
        String id = f.string("id", "#" + index);
        String after = f.string("after", null);
        Distribution at;
        if (after != null) {
            if (f.has("at")) throw f.get("at").error("give either at or after (with an optional delay), not both");
            Node d = f.get("delay");
            at = d == null ? new Distribution.Fixed(0) : Distribution.parse(d, true);
        } else {
            at = Distribution.parse(f.require("at", "the virtual time, like 10s or 1h (or after: ID)"), true);
            if (f.has("delay")) throw f.get("delay").error("delay goes with after");
        }
        Node opNode = null;
        String opName = null;
        for (String op : OPS) {
            Node v = f.get(op);
            if (v == null) continue;
            if (opName != null) throw v.error("one operation per action: already has \"" + opName + "\"");
            opNode = v;
            opName = op;
        }
        if (opName == null) {
            // unknown keys are reported first, as they are likely a misspelt operation
            f.done();
            throw n.error("expected one operation: " + String.join(", ", OPS));
        }
        Action.Op op = op(opName, opNode);
        f.done();
        return new Action(id, at, after, op, n.line());
    }

    private static Action.Op op(String name, Node n) {
        switch (name) {
            case "qmp": {
                Fields f = Fields.of(n, "a QMP command {execute: NAME, arguments: {...}}");
                String execute = f.requireString("execute", "the QMP command name");
                Node args = f.get("arguments");
                f.done();
                return new Action.Qmp(execute, args == null ? JsonNodeFactory.instance.objectNode() : toObject(args));
            }
            case "plug": {
                Fields f = Fields.of(n, "a DIMM {id: NAME, size: SIZE}");
                String id = f.requireString("id", "the DIMM's id");
                long size = Quantities.size(f.require("size", "the DIMM's size"));
                if (size <= 0 || size % (128L << 20) != 0) {
                    throw f.get("size").error("a DIMM is a multiple of the 128M memory block, got "
                            + Quantities.formatSize(size));
                }
                int node = (int) f.integer("node", 0);
                f.done();
                return new Action.Plug(id, size, node);
            }
            case "unplug": {
                if (n.isScalar()) return new Action.Unplug(n.text(), 10 * 60 * Quantities.NS_PER_SEC);
                Fields f = Fields.of(n, "a DIMM {id: NAME, timeout: 10m}");
                String id = f.requireString("id", "the DIMM's id");
                long timeout = f.duration("timeout", 10 * 60 * Quantities.NS_PER_SEC);
                f.done();
                return new Action.Unplug(id, timeout);
            }
            case "resize": {
                Fields f = Fields.of(n, "a virtio-mem resize {device: ID, requested: SIZE}");
                String dev = f.requireString("device", "the virtio-mem device's id");
                long req = Quantities.size(f.require("requested", "the requested size"));
                long timeout = f.duration("timeout", 10 * 60 * Quantities.NS_PER_SEC);
                f.done();
                return new Action.Resize(dev, req, timeout);
            }
            case "balloon": {
                Fields f = Fields.of(n, "a balloon target {target: SIZE}");
                long target = Quantities.size(f.require("target", "the guest size the balloon leaves"));
                long timeout = f.duration("timeout", 10 * 60 * Quantities.NS_PER_SEC);
                f.done();
                return new Action.Balloon(target, timeout);
            }
            case "reclaim": {
                Fields f = Fields.of(n, "a reclaim {take: SIZE, by: balloon|virtio-mem|dimm, devices: [ID...], deadline: 2m, retry: 10s}");
                long take = Quantities.size(f.require("take", "the bytes the host takes back"));
                String by = f.requireString("by", "balloon, virtio-mem or dimm");
                if (!Set.of("balloon", "virtio-mem", "dimm").contains(by)) {
                    throw f.get("by").error("expected balloon, virtio-mem or dimm, got \"" + by + "\"");
                }
                List<String> devices = f.strings("devices");
                if (!by.equals("balloon") && devices.isEmpty()) {
                    throw n.error("reclaim by " + by + " needs devices: [ID...]");
                }
                if (by.equals("virtio-mem") && devices.size() != 1) {
                    throw f.get("devices").error("reclaim by virtio-mem takes one device");
                }
                long deadline = f.duration("deadline", 10 * 60 * Quantities.NS_PER_SEC);
                long retry = f.duration("retry", 10 * Quantities.NS_PER_SEC);
                f.done();
                if (take <= 0 || retry <= 0) throw n.error("reclaim needs a positive take and retry");
                return new Action.Reclaim(take, by, devices, deadline, retry);
            }
            case "write": {
                Fields f = Fields.of(n, "a sysfs write {path: /sys/..., value: TEXT}");
                String path = f.requireString("path", "an absolute path");
                if (!path.startsWith("/")) throw f.get("path").error("expected an absolute path, got \"" + path + "\"");
                String value = f.requireString("value", "the text to write");
                f.done();
                return new Action.Write(path, value);
            }
            case "online": {
                Fields f = Fields.of(n, "{blocks: 40-47, as: online_movable}");
                BlockSet blocks = BlockSet.parse(f.require("blocks", "the blocks"));
                String type = f.string("as", "online");
                if (!ONLINE_TYPES.contains(type)) {
                    throw f.get("as").error("expected online, online_kernel or online_movable, got \"" + type + "\"");
                }
                f.done();
                return new Action.Online(blocks, type);
            }
            case "offline": {
                if (n.isScalar()) return new Action.Offline(BlockSet.parse(n));
                Fields f = Fields.of(n, "{blocks: 40-47}");
                BlockSet blocks = BlockSet.parse(f.require("blocks", "the blocks"));
                f.done();
                return new Action.Offline(blocks);
            }
            case "signal": {
                Fields f = Fields.of(n, "{to: ACTION_ID, sig: SIGINT}");
                String to = f.requireString("to", "the id of the action whose task gets the signal");
                String sig = f.string("sig", "SIGINT");
                Integer number = SIGNALS.get(sig.toUpperCase(Locale.ROOT));
                if (number == null) throw f.get("sig").error("expected one of SIGHUP, SIGINT, SIGKILL, SIGTERM, SIGUSR1, got \"" + sig + "\"");
                f.done();
                return new Action.Signal(to, number, sig.toUpperCase(Locale.ROOT));
            }
            case "workload": {
                Fields f = Fields.of(n, "{name: WORKLOAD, do: start|stop|unpin}");
                String w = f.requireString("name", "the workload's name");
                String verb = f.requireString("do", "start, stop or unpin");
                if (!WORKLOAD_VERBS.contains(verb)) throw f.get("do").error("expected start, stop or unpin, got \"" + verb + "\"");
                f.done();
                return new Action.WorkloadControl(w, verb);
            }
            case "measure": {
                String what = Fields.scalar(n, "unpluggable");
                if (!what.equals("unpluggable")) throw n.error("expected \"unpluggable\", got " + n.describe());
                return new Action.Measure();
            }
            case "hibernate": {
                String mode = n.isScalar() ? n.text() : null;
                if (!n.isScalar()) {
                    Fields f = Fields.of(n, "{mode: platform|shutdown|reboot|suspend|test_resume}");
                    mode = f.string("mode", "platform");
                    f.done();
                }
                if (!HIBERNATION_MODES.contains(mode)) {
                    throw n.error("expected a mode of /sys/power/disk: platform, shutdown, reboot, suspend or test_resume, got \""
                            + mode + "\"");
                }
                return new Action.Hibernate(mode);
            }
            case "restart": {
                if (n.isScalar()) return new Action.Restart(List.of());
                Fields f = Fields.of(n, "{qemu: [extra QEMU arguments]}");
                List<String> q = f.strings("qemu");
                f.done();
                return new Action.Restart(q);
            }
            case "resume":
                return new Action.Restart(List.of());
            case "power-off":
                return new Action.PowerOff();
            default: // note
                return new Action.Note(Fields.scalar(n, "text"));
        }
    }

    /** The outcomes an action can end with besides an errno name (ScenarioRunner's finish() results). */
    private static final Set<String> RESULTS = Set.of("ok", "killed", "timeout", QmpException.GENERIC_ERROR,
            QmpException.COMMAND_NOT_FOUND, QmpException.DEVICE_NOT_ACTIVE, QmpException.DEVICE_NOT_FOUND);

    /** The name a scenario gives signal {@code number} ("SIGKILL"). */
    static String signalName(int number) {
        return SIGNALS.entrySet().stream().filter(e -> e.getValue() == number).map(Map.Entry::getKey).sorted()
                .findFirst().orElse("signal " + number);
    }

    private static boolean isErrnoName(String s) {
        for (Errno e : Errno.values()) {
            if (e.name().equals(s)) return true;
        }
        return false;
    }

    private static Expectation expectation(Node n) {
        Fields f = Fields.of(n, "an expectation: {action: ID, result: ok|ERRNO, within: TIME} or "
                + "{metric: NAME, atLeast|atMost|equals: VALUE} or {blocks: RANGE, state: online, zone: Movable}");
        if (f.has("action")) {
            String action = f.requireString("action", "an action id");
            String result = f.string("result", "ok");
            if (!RESULTS.contains(result) && !isErrnoName(result)) {
                throw f.get("result").error("expected ok, killed, timeout, an errno name like EBUSY or a QMP error class like "
                        + "GenericError, got \"" + result + "\"");
            }
            long within = f.duration("within", -1);
            f.done();
            return new Expectation.ActionResult(action, result, within, n.line());
        }
        if (f.has("metric")) {
            String metric = f.requireString("metric", "a metric name");
            boolean duration = metric.startsWith("duration_ns");
            Double lo = number(f.get("atLeast"), duration);
            Double hi = number(f.get("atMost"), duration);
            Double eq = number(f.get("equals"), duration);
            f.done();
            if (lo == null && hi == null && eq == null) throw n.error("expected a bound: atLeast, atMost or equals");
            return new Expectation.Metric(metric, lo, hi, eq, n.line());
        }
        if (f.has("blocks")) {
            BlockSet blocks = BlockSet.parse(f.get("blocks"));
            if (blocks.dimm() != null || blocks.zone() != null) {
                throw f.get("blocks").error("expected explicit block numbers like 64-255 in an expectation");
            }
            String state = f.string("state", null);
            String zone = f.string("zone", null);
            f.done();
            if (state != null && !Set.of("online", "offline", "absent").contains(state)) {
                throw n.entries().get("state").error("expected online, offline or absent, got \"" + state + "\"");
            }
            if (zone != null && !ZONES.contains(zone)) {
                throw n.entries().get("zone").error("expected one of DMA, DMA32, Normal, Movable, got \"" + zone + "\"");
            }
            if (state == null && zone == null) throw n.error("expected state or zone");
            return new Expectation.Blocks(blocks, state, zone, n.line());
        }
        f.done();
        throw n.error("expected one of the keys action, metric or blocks");
    }

    /**
     * A bound: a plain number, or a size with a unit (20G), or a duration (90s, in ns). For
     * duration metrics a unit means a duration ({@code 2m} is two minutes, not 2 MiB).
     */
    private static Double number(Node n, boolean duration) {
        if (n == null) return null;
        String t = Fields.scalar(n, "a number or a size");
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            if (duration) {
                long d = Quantities.parseDuration(t);
                if (d >= 0) return (double) d;
                throw n.error("expected a duration like 90s or 2m, got " + n.describe());
            }
            long size = Quantities.parseSize(t);
            if (size >= 0) return (double) size;
            long d = Quantities.parseDuration(t);
            if (d >= 0) return (double) d;
            throw n.error("expected a number, a size (20G) or a duration (90s), got " + n.describe());
        }
    }

    private static ObjectNode toObject(Node n) {
        JsonNode j = toJson(n);
        if (!(j instanceof ObjectNode o)) throw n.error("expected QMP arguments as a mapping, got " + n.describe());
        return o;
    }

    private static JsonNode toJson(Node n) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        return switch (n.kind()) {
            case NULL -> nf.nullNode();
            case LIST -> {
                var a = nf.arrayNode();
                for (Node i : n.items()) a.add(toJson(i));
                yield a;
            }
            case MAP -> {
                ObjectNode o = nf.objectNode();
                for (var e : n.entries().entrySet()) o.set(e.getKey(), toJson(e.getValue()));
                yield o;
            }
            case SCALAR -> {
                if (!n.plainScalar()) yield nf.textNode(n.text());
                String t = n.text();
                if (t.equals("true") || t.equals("false")) yield nf.booleanNode(Boolean.parseBoolean(t));
                try {
                    yield nf.numberNode(Long.parseLong(t));
                } catch (NumberFormatException e) {
                    try {
                        yield new ObjectMapper().readTree(t);
                    } catch (IOException ex) {
                        yield nf.textNode(t);
                    }
                }
            }
        };
    }

    private static void checkAfterCycles(List<Action> timeline, Node tn) {
        Map<String, String> after = new HashMap<>();
        for (Action a : timeline) if (a.after() != null) after.put(a.id(), a.after());
        for (int i = 0; i < timeline.size(); i++) {
            String cur = timeline.get(i).id();
            Set<String> seen = new HashSet<>();
            while (cur != null) {
                if (!seen.add(cur)) throw tn.items().get(i).error("the after: chain loops back to \"" + cur + "\"");
                cur = after.get(cur);
            }
        }
    }
}
