package org.hotmem.explore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.hotmem.mm.KernelVersion;
import org.hotmem.scenario.Node;
import org.hotmem.scenario.Quantities;
import org.hotmem.scenario.YamlTree;

/**
 * A race file: a machine, the steps that set it up, the actors started together once it is set
 * up, and the grades of the outcomes they can produce.
 *
 * <pre>
 * race: NAME
 * machine: {memory: 1G,slots=4,maxmem=4G, cmdline: ..., qemu: [...], kernel: 6.12, swap: 256M}
 * historical: hibernation-without-hotplug-lock   # the switch --historical turns on
 * setup: [{qmp: device_add, arguments: {...}}, {run: 5s}, {write: PATH, value: V}, {pmem: bind}]
 * actors:                                        # each starts at a delay chosen per schedule
 *   - {name: hib, hibernate: disk, at: 0ms}
 *   - {name: plug, qmp: device_add, arguments: {...}, at: 0ms..80ms}
 *   - {name: on, write: /sys/devices/system/memory/memory40/state, value: online, at: 0ms}
 *   - {name: user, alloc: 4M, at: 20ms..80ms}
 *   - {name: bind, pmem: bind}                   # nd_pmem bind/unbind of the memmap=nn!ss namespace
 *   - {name: reader, span: Device, lock: mem_hotplug_lock}   # a span reader (lock optional)
 *   - {name: gup, devpage: 4G, hold: 5ms}        # get_dev_pagemap() of an address, held, put
 *   - {name: jbd2, journal: 1ms}                 # a journal kthread committing every 1 ms
 *   - {name: udev, online: memory32, value: online, rule: offline, at: 0ms..2ms}   # an onliner woken by the add uevent
 * limit: 30s                                     # virtual time an actor may take
 * outcomes: [{outcome: "hib=image, plug=ok", grade: ACCEPTABLE, desc: ...}]
 * unlisted: FORBIDDEN                            # the grade of an outcome not listed
 * </pre>
 *
 * Immutable; {@link #parse} checks everything and names file, line and what was expected.
 */
public record Race(String file, String text, String name, String description, MachineSpec machine, String historical,
                   List<Step> setup, List<Actor> actors, long limitNs, Map<String, Outcome> outcomes, Grade unlisted) {

    /** The machine: QEMU's -m value, the command line appended to the default, further QEMU arguments, a swap disk. */
    public record MachineSpec(String memory, String cmdline, List<String> qemu, KernelVersion kernel, long swapBytes) {}

    /** A setup step: a QMP command, a sysfs write, the legacy pmem namespace's bind or unbind ({@code pmem}), or letting virtual time pass. */
    public record Step(String qmp, String arguments, String path, String value, String pmem, long runNs) {}

    /**
     * An actor: a hibernation (writes {@code /sys/power/state}), a QMP command on the host, a
     * sysfs write, a kernel-side user allocating {@code bytes} of movable pages (a driver
     * the freezer does not stop), the legacy pmem namespace's bind or unbind ({@code value}), a
     * reader of node 0's zone {@code value} span (lockless, or under {@code lock}), or a user of
     * the device page at address {@code bytes} holding its pgmap reference {@code holdNs}, or a
     * filesystem's journal kernel thread committing every {@code holdNs} ({@code journal}), or a
     * user-space onliner of memory block {@code path} ({@code online}: woken by the block's add
     * uevent, it writes {@code value} to its state, only if the state reads offline when
     * {@code lock} is {@code "offline"}, udev's ATTR{state}=="offline" match; its delay counts
     * from the uevent); started at a delay in [atLo, atHi].
     */
    public record Actor(String name, String kind, String qmp, String arguments, String path, String value, long bytes,
                        String lock, long holdNs, long atLo, long atHi) {
        public boolean hostSide() { return kind.equals("qmp"); }
    }

    /** A graded outcome. */
    public record Outcome(String id, Grade grade, String description) {}

    /** The switches {@code --historical} can turn on (each restores a fixed bug; see {@link RaceRun}). */
    public static final Set<String> SWITCHES = Set.of("hibernation-without-hotplug-lock", "span-init-outside-span-lock",
            "memunmap-without-waiting", "journal-thread-not-freezable", "auto-online-offline");

    /** The grade of an observed outcome. */
    public Grade grade(String outcome) {
        Outcome o = outcomes.get(outcome);
        return o != null ? o.grade() : unlisted;
    }

    public static Race parse(String file, String text) {
        Node root = YamlTree.parse(file, text);
        if (!root.isMap()) throw root.error("expected a race: a mapping with race, machine, actors and outcomes");
        Map<String, Node> e = root.entries();
        known(root, "race", "description", "machine", "historical", "setup", "actors", "limit", "outcomes", "unlisted");
        String name = scalar(require(root, "race", "the race's name"), "the race's name");
        String description = e.containsKey("description") ? scalar(e.get("description"), "a description") : "";
        MachineSpec machine = machine(require(root, "machine", "the machine"));
        String historical = null;
        if (e.containsKey("historical")) {
            historical = scalar(e.get("historical"), "a historical switch");
            if (!SWITCHES.contains(historical)) {
                throw e.get("historical").error("expected a historical switch (" + String.join(", ", SWITCHES) + "), got \"" + historical + "\"");
            }
        }
        List<Step> setup = new ArrayList<>();
        if (e.containsKey("setup")) for (Node s : list(e.get("setup"), "a list of setup steps")) setup.add(step(s));
        List<Actor> actors = new ArrayList<>();
        Node an = require(root, "actors", "a list of actors");
        for (Node a : list(an, "a list of actors")) {
            Actor actor = actor(a);
            for (Actor b : actors) if (b.name().equals(actor.name())) throw a.error("expected a new actor name, \"" + actor.name() + "\" is taken");
            actors.add(actor);
        }
        if (actors.size() < 2) throw an.error("expected at least two actors (a race), got " + actors.size());
        long limit = e.containsKey("limit") ? duration(e.get("limit")) : 30_000_000_000L;
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (Node o : list(require(root, "outcomes", "a list of graded outcomes"), "a list of graded outcomes")) {
            if (!o.isMap()) throw o.error("expected {outcome: \"ACTOR=RESULT, ...\", grade: ACCEPTABLE|INTERESTING|FORBIDDEN, desc: ...}, got " + o.describe());
            known(o, "outcome", "grade", "desc");
            String id = scalar(require(o, "outcome", "the outcome, \"ACTOR=RESULT, ...\""), "the outcome");
            for (String part : id.split(", ")) {
                String actor = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
                if (actors.stream().noneMatch(a -> a.name().equals(actor))) {
                    throw o.entries().get("outcome").error("expected ACTOR=RESULT for the actors in order, \"" + actor + "\" is not an actor");
                }
            }
            Grade g = grade(require(o, "grade", "ACCEPTABLE, INTERESTING or FORBIDDEN"));
            String desc = o.entries().containsKey("desc") ? scalar(o.entries().get("desc"), "a description") : "";
            if (outcomes.put(id, new Outcome(id, g, desc)) != null) throw o.error("expected each outcome once, \"" + id + "\" is graded twice");
        }
        Grade unlisted = e.containsKey("unlisted") ? grade(e.get("unlisted")) : Grade.FORBIDDEN;
        return new Race(file, text, name, description, machine, historical, List.copyOf(setup), List.copyOf(actors), limit,
                outcomes, unlisted);
    }

    private static MachineSpec machine(Node n) {
        if (!n.isMap()) throw n.error("expected the machine: {memory: 1G,slots=4,maxmem=4G, cmdline: ..., qemu: [...], swap: 256M}, got " + n.describe());
        known(n, "memory", "cmdline", "qemu", "kernel", "swap");
        Map<String, Node> e = n.entries();
        String memory = scalar(require(n, "memory", "QEMU's -m value, like 1G,slots=4,maxmem=4G"), "QEMU's -m value");
        String cmdline = e.containsKey("cmdline") ? scalar(e.get("cmdline"), "a kernel command line") : "";
        List<String> qemu = new ArrayList<>();
        if (e.containsKey("qemu")) for (Node q : list(e.get("qemu"), "a list of QEMU arguments")) qemu.add(scalar(q, "a QEMU argument"));
        KernelVersion kernel = KernelVersion.V6_12;
        if (e.containsKey("kernel")) {
            String k = scalar(e.get("kernel"), "a kernel version");
            try {
                kernel = KernelVersion.parse(k);
            } catch (IllegalArgumentException x) {
                throw e.get("kernel").error("expected a kernel version like 6.12, got \"" + k + "\"");
            }
        }
        long swap = 0;
        if (e.containsKey("swap")) {
            swap = size(e.get("swap"));
            if (swap < (1L << 20)) throw e.get("swap").error("expected a swap disk of at least 1M");
        }
        return new MachineSpec(memory, cmdline, List.copyOf(qemu), kernel, swap);
    }

    private static Step step(Node n) {
        String expected = "a setup step: {qmp: CMD, arguments: {...}}, {write: PATH, value: V}, {pmem: bind|unbind} or {run: 5s}";
        if (!n.isMap()) throw n.error("expected " + expected + ", got " + n.describe());
        Map<String, Node> e = n.entries();
        if (e.containsKey("run")) {
            known(n, "run");
            return new Step(null, null, null, null, null, duration(e.get("run")));
        }
        if (e.containsKey("qmp")) {
            known(n, "qmp", "arguments");
            return new Step(scalar(e.get("qmp"), "a QMP command"), json(e.get("arguments")), null, null, null, 0);
        }
        if (e.containsKey("write")) {
            known(n, "write", "value");
            return new Step(null, null, scalar(e.get("write"), "a sysfs path"), scalar(require(n, "value", "the value written"), "a value"), null, 0);
        }
        if (e.containsKey("pmem")) {
            known(n, "pmem");
            return new Step(null, null, null, null, pmemOp(e.get("pmem")), 0);
        }
        throw n.error("expected " + expected);
    }

    private static Actor actor(Node n) {
        String expected = "an actor: {name: N, hibernate: disk | qmp: CMD, arguments: {...} | write: PATH, value: V | alloc: 4M"
                + " | pmem: bind|unbind | span: ZONE, lock: mem_hotplug_lock | devpage: ADDRESS, hold: 5ms | journal: 1ms"
                + " | online: memoryN, value: online|online_movable|..., rule: offline, at: 0ms..50ms}";
        if (!n.isMap()) throw n.error("expected " + expected + ", got " + n.describe());
        known(n, "name", "hibernate", "qmp", "arguments", "write", "value", "alloc", "pmem", "span", "lock", "devpage", "hold", "journal", "online", "rule", "at");
        Map<String, Node> e = n.entries();
        String name = scalar(require(n, "name", "the actor's name"), "the actor's name");
        if (!name.matches("[a-z][a-z0-9-]*")) throw e.get("name").error("expected a name of lower-case letters, digits and '-', got \"" + name + "\"");
        long lo = 0, hi = 0;
        if (e.containsKey("at")) {
            String at = scalar(e.get("at"), "a delay or a range of delays, like 0ms..80ms");
            String[] r = at.split("\\.\\.", -1);
            if (r.length > 2) throw e.get("at").error("expected a delay or a range of delays, like 0ms..80ms, got \"" + at + "\"");
            lo = parseDuration(e.get("at"), r[0]);
            hi = r.length == 2 ? parseDuration(e.get("at"), r[1]) : lo;
            if (hi < lo) throw e.get("at").error("expected a range from low to high, got \"" + at + "\"");
        }
        if (e.containsKey("hibernate")) {
            String mode = scalar(e.get("hibernate"), "disk");
            if (!mode.equals("disk")) throw e.get("hibernate").error("expected disk, got \"" + mode + "\"");
            return new Actor(name, "hibernate", null, null, "/sys/power/state", "disk", 0, null, 0, lo, hi);
        }
        if (e.containsKey("qmp")) return new Actor(name, "qmp", scalar(e.get("qmp"), "a QMP command"), json(e.get("arguments")), null, null, 0, null, 0, lo, hi);
        if (e.containsKey("write")) {
            return new Actor(name, "write", null, null, scalar(e.get("write"), "a sysfs path"),
                    scalar(require(n, "value", "the value written"), "a value"), 0, null, 0, lo, hi);
        }
        if (e.containsKey("alloc")) return new Actor(name, "alloc", null, null, null, null, size(e.get("alloc")), null, 0, lo, hi);
        if (e.containsKey("pmem")) return new Actor(name, "pmem", null, null, null, pmemOp(e.get("pmem")), 0, null, 0, lo, hi);
        if (e.containsKey("span")) {
            String zone = scalar(e.get("span"), "a zone name, like Device");
            if (java.util.Arrays.stream(org.hotmem.mm.ZoneType.values()).noneMatch(z -> z.zoneName().equals(zone))) {
                throw e.get("span").error("expected a zone name (DMA, DMA32, Normal, Movable, Device), got \"" + zone + "\"");
            }
            String lock = null;
            if (e.containsKey("lock")) {
                lock = scalar(e.get("lock"), "mem_hotplug_lock");
                if (!lock.equals("mem_hotplug_lock")) throw e.get("lock").error("expected mem_hotplug_lock, got \"" + lock + "\"");
            }
            return new Actor(name, "span", null, null, null, zone, 0, lock, 0, lo, hi);
        }
        if (e.containsKey("devpage")) {
            long hold = e.containsKey("hold") ? duration(e.get("hold")) : 0;
            return new Actor(name, "devpage", null, null, null, null, size(e.get("devpage")), null, hold, lo, hi);
        }
        if (e.containsKey("journal")) {
            long period = duration(e.get("journal"));
            if (period == 0) throw e.get("journal").error("expected a commit period above 0, like 1ms");
            return new Actor(name, "journal", null, null, null, null, 0, null, period, lo, hi);
        }
        if (e.containsKey("online")) {
            String block = scalar(e.get("online"), "a memory block, like memory32");
            if (!block.matches("memory\\d+")) throw e.get("online").error("expected a memory block, like memory32, got \"" + block + "\"");
            String rule = null;
            if (e.containsKey("rule")) {
                rule = scalar(e.get("rule"), "offline");
                if (!rule.equals("offline")) throw e.get("rule").error("expected offline (write only to an offline block), got \"" + rule + "\"");
            }
            return new Actor(name, "online", null, null, "/sys/devices/system/memory/" + block,
                    scalar(require(n, "value", "the value written to the block's state"), "a value"), 0, rule, 0, lo, hi);
        }
        throw n.error("expected " + expected);
    }

    private static String pmemOp(Node n) {
        String op = scalar(n, "bind or unbind");
        if (!op.equals("bind") && !op.equals("unbind")) throw n.error("expected bind or unbind, got \"" + op + "\"");
        return op;
    }

    // ---------------------------------------------------------------- node helpers

    private static Node require(Node map, String key, String expected) {
        Node v = map.entries().get(key);
        if (v == null || v.isNull()) throw map.error("expected " + key + ": " + expected);
        return v;
    }

    private static void known(Node map, String... keys) {
        Set<String> k = Set.of(keys);
        for (var en : map.entries().entrySet()) {
            if (!k.contains(en.getKey())) {
                throw en.getValue().error("expected one of " + String.join(", ", keys) + ", got \"" + en.getKey() + "\"");
            }
        }
    }

    private static List<Node> list(Node n, String expected) {
        if (!n.isList()) throw n.error("expected " + expected + ", got " + n.describe());
        return n.items();
    }

    private static String scalar(Node n, String expected) {
        if (!n.isScalar()) throw n.error("expected " + expected + ", got " + n.describe());
        return n.text();
    }

    private static Grade grade(Node n) {
        String g = scalar(n, "ACCEPTABLE, INTERESTING or FORBIDDEN");
        try {
            return Grade.valueOf(g.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException x) {
            throw n.error("expected ACCEPTABLE, INTERESTING or FORBIDDEN, got \"" + g + "\"");
        }
    }

    private static long duration(Node n) { return parseDuration(n, scalar(n, "a duration like 5s or 80ms")); }

    private static long parseDuration(Node n, String text) {
        long ns = Quantities.parseDuration(text.strip());
        if (ns < 0) throw n.error("expected a duration like 5s or 80ms, got \"" + text + "\"");
        return ns;
    }

    private static long size(Node n) {
        String s = scalar(n, "a size like 256M");
        long bytes = Quantities.parseSize(s);
        if (bytes < 0) throw n.error("expected a size like 256M, got \"" + s + "\"");
        return bytes;
    }

    /** A QMP arguments mapping as JSON text ("{}" when absent). */
    private static String json(Node n) {
        if (n == null || n.isNull()) return "{}";
        if (!n.isMap()) throw n.error("expected the command's arguments, a mapping, got " + n.describe());
        StringBuilder sb = new StringBuilder("{");
        for (var en : n.entries().entrySet()) {
            if (sb.length() > 1) sb.append(',');
            sb.append(quote(en.getKey())).append(':');
            Node v = en.getValue();
            if (v.isMap()) sb.append(json(v));
            else if (!v.isScalar()) throw v.error("expected a scalar or a mapping, got " + v.describe());
            else if (v.plainScalar() && v.text().matches("-?\\d+|true|false")) sb.append(v.text());
            else sb.append(quote(v.text()));
        }
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
