package org.hotmem.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A test double of a guest: boot blocks online in Normal, DIMMs placed from 4 GiB on, onlined per
 * {@code memhp_default_state}, allocations placed first-fit by zone, pinned memory making offline
 * fail with EBUSY. Just enough to test the runner's bookkeeping without the real model.
 */
final class FakeTarget implements Target {
    static final long BS = 128L << 20;
    final JsonNodeFactory nf = JsonNodeFactory.instance;
    final TreeMap<Long, BlockState> blocks = new TreeMap<>();
    final TreeMap<Long, long[]> used = new TreeMap<>(); // block -> {bytes, pinned bytes}
    final Map<String, long[]> dimms = new LinkedHashMap<>(); // id -> {addr, size}
    final Map<String, Long> backends = new LinkedHashMap<>();
    final List<JsonNode> events = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    final List<Object[]> timers = new ArrayList<>(); // {time, Runnable}
    final String onlineType;
    long now;
    long migrated;

    FakeTarget(MachineSpec spec, long seed) {
        long boot = Quantities.parseSize(spec.memory().split(",")[0]);
        for (long b = 0; b < boot / BS; b++) blocks.put(b, new BlockState("online", b < 8 ? "DMA32" : "Normal"));
        String t = "offline";
        for (String w : spec.cmdline().split(" ")) if (w.startsWith("memhp_default_state=")) t = w.substring(20);
        onlineType = t;
    }

    @Override public long now() { return now; }

    @Override public void advance(long untilNs) {
        while (true) {
            Object[] first = null;
            for (Object[] t : timers) if ((long) t[0] <= untilNs && (first == null || (long) t[0] < (long) first[0])) first = t;
            if (first == null) break;
            timers.remove(first);
            now = (long) first[0];
            ((Runnable) first[1]).run();
        }
        now = untilNs;
    }

    void later(long delay, Runnable r) { timers.add(new Object[] {now + delay, r}); }

    ObjectNode event(String name, ObjectNode data) {
        ObjectNode e = nf.objectNode();
        e.putObject("timestamp").put("seconds", now / 1_000_000_000L).put("microseconds", now % 1_000_000_000L / 1000);
        e.put("event", name);
        e.set("data", data);
        return e;
    }

    @Override public JsonNode qmp(String execute, ObjectNode args) {
        ObjectNode reply = nf.objectNode();
        switch (execute) {
            case "object-add" -> backends.put(args.path("id").asText(), args.path("size").asLong());
            case "device_add" -> {
                long size = backends.get(args.path("memdev").asText());
                long addr = 4L << 30;
                for (long[] d : dimms.values()) addr = Math.max(addr, d[0] + d[1]);
                String id = args.path("id").asText();
                dimms.put(id, new long[] {addr, size});
                final long a = addr;
                later(5_000_000, () -> {
                    for (long b = a / BS; b < (a + size) / BS; b++) {
                        blocks.put(b, switch (onlineType) {
                            case "online_movable" -> new BlockState("online", "Movable");
                            case "online", "online_kernel" -> new BlockState("online", "Normal");
                            default -> new BlockState("offline", null);
                        });
                    }
                    ObjectNode info = nf.objectNode();
                    info.putObject("info").put("device", id).put("source", 1).put("status", 0);
                    events.add(event("ACPI_DEVICE_OST", info));
                });
            }
            case "device_del" -> {
                String id = args.path("id").asText();
                long[] d = dimms.get(id);
                if (d == null) {
                    reply.putObject("error").put("class", "DeviceNotFound").put("desc", "Device '" + id + "' not found");
                    return reply;
                }
                later(20_000_000, () -> {
                    boolean busy = false;
                    for (long b = d[0] / BS; b < (d[0] + d[1]) / BS; b++) busy |= offline(b) != null;
                    ObjectNode info = nf.objectNode();
                    info.putObject("info").put("device", id).put("source", 3).put("status", busy ? 0x82 : 0x84);
                    events.add(event("ACPI_DEVICE_OST", info));
                    if (!busy) {
                        for (long b = d[0] / BS; b < (d[0] + d[1]) / BS; b++) blocks.remove(b);
                        dimms.remove(id);
                        events.add(event("DEVICE_DELETED", nf.objectNode().put("device", id)));
                    } else {
                        log.add(String.format("[%5d.%06d] memory memory%d: Offline failed.", now / 1_000_000_000L,
                                now % 1_000_000_000L / 1000, d[0] / BS));
                    }
                });
            }
            case "query-memory-devices" -> {
                var arr = reply.putArray("return");
                dimms.forEach((id, d) -> arr.addObject().put("type", "dimm").putObject("data").put("id", id)
                        .put("addr", d[0]).put("size", d[1]));
                return reply;
            }
            default -> {
                reply.putObject("error").put("class", "CommandNotFound").put("desc", "The command " + execute + " has not been found");
                return reply;
            }
        }
        reply.putObject("return");
        return reply;
    }

    /** Offlines a block: EBUSY with pinned pages there, else migrates its pages away. */
    String offline(long b) {
        BlockState st = blocks.get(b);
        if (st == null) return "EINVAL";
        if (!st.state().equals("online")) return null;
        long[] u = used.getOrDefault(b, new long[2]);
        if (u[1] > 0) return "EBUSY";
        migrated += u[0] / 4096;
        used.remove(b);
        blocks.put(b, new BlockState("offline", null));
        log.add(String.format("[%5d.%06d] Offlined Pages %d", now / 1_000_000_000L, now % 1_000_000_000L / 1000, BS / 4096));
        return null;
    }

    @Override public List<JsonNode> drainEvents() {
        List<JsonNode> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    @Override public List<String> drainKernelLog() {
        List<String> out = new ArrayList<>(log);
        log.clear();
        return out;
    }

    @Override public long blockSize() { return BS; }

    @Override public GuestTask spawnWrites(String name, List<String[]> writes, boolean keepGoing) {
        List<WriteResult> results = new ArrayList<>();
        long[] end = {-1};
        later(1_000_000L * writes.size(), () -> {
            for (String[] w : writes) {
                String errno;
                long b = Long.parseLong(w[0].replaceAll(".*memory(\\d+)/state", "$1"));
                if (w[1].equals("offline")) errno = offline(b);
                else if (!blocks.containsKey(b)) errno = "EINVAL";
                else {
                    blocks.put(b, new BlockState("online", w[1].equals("online_movable") ? "Movable" : "Normal"));
                    errno = null;
                }
                results.add(new WriteResult(w[0], w[1], errno, now));
                if (errno != null && !keepGoing) break;
            }
            end[0] = now;
        });
        return new GuestTask() {
            public boolean done() { return end[0] >= 0; }
            public long endNs() { return end[0]; }
            public List<WriteResult> results() { return results; }
        };
    }

    @Override public void signal(GuestTask task, int signal) { }

    record Alloc(long block, long bytes, boolean[] pin) implements Allocation {
        public boolean pinned() { return pin[0]; }
    }

    @Override public Allocation allocate(String workload, WorkloadSpec.Kind kind, long bytes, boolean pin, int node) {
        String zone = kind == WorkloadSpec.Kind.ANON || kind == WorkloadSpec.Kind.PAGECACHE ? "Movable" : "Normal";
        if (pin) zone = "Normal";
        for (String z : zone.equals("Movable") ? List.of("Movable", "Normal") : List.of("Normal")) {
            for (var e : blocks.descendingMap().entrySet()) {
                if (!e.getValue().state().equals("online") || !z.equals(e.getValue().zone())) continue;
                long[] u = used.computeIfAbsent(e.getKey(), k -> new long[2]);
                if (u[0] + bytes > BS) continue;
                u[0] += bytes;
                if (pin) u[1] += bytes;
                return new Alloc(e.getKey(), bytes, new boolean[] {pin});
            }
        }
        return null;
    }

    @Override public void free(Allocation a) {
        Alloc x = (Alloc) a;
        long[] u = used.get(x.block());
        if (u == null) return;
        u[0] -= x.bytes();
        if (x.pinned()) u[1] -= x.bytes();
    }

    @Override public void unpin(Allocation a) {
        Alloc x = (Alloc) a;
        if (!x.pin[0]) return;
        x.pin[0] = false;
        used.get(x.block())[1] -= x.bytes();
    }

    @Override public Snapshot snapshot() {
        SortedMap<String, Long> free = new TreeMap<>();
        SortedMap<String, Long> unplug = new TreeMap<>();
        long pinned = 0;
        for (var e : blocks.entrySet()) {
            long[] u = used.getOrDefault(e.getKey(), new long[2]);
            pinned += u[1] / 4096;
            if (e.getValue().state().equals("online")) free.merge(e.getValue().zone(), (BS - u[0]) / 4096, Long::sum);
            boolean hot = e.getKey() >= (4L << 30) / BS;
            if (!hot) continue;
            if (!e.getValue().state().equals("online")) unplug.merge("offline", BS, Long::sum);
            else if (u[1] == 0) unplug.merge(e.getValue().zone(), BS, Long::sum);
        }
        return new Snapshot(new TreeMap<>(blocks), free, migrated, 0, 0, pinned);
    }

    @Override public SortedMap<String, Long> unpluggableBytes() {
        SortedMap<String, Long> unplug = new TreeMap<>();
        for (var e : blocks.entrySet()) {
            long[] u = used.getOrDefault(e.getKey(), new long[2]);
            if (e.getKey() < (4L << 30) / BS) continue;
            if (!e.getValue().state().equals("online")) unplug.merge("offline", BS, Long::sum);
            else if (u[1] == 0) unplug.merge(e.getValue().zone(), BS, Long::sum);
        }
        return unplug;
    }

    @Override public long uptimeOffset() { return 0; }

    @Override public void close() { }
}
