package org.hotmem.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hotmem.hv.QemuSize;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.Machine;

/**
 * The page's controls, each through the path a user of a real machine would take: memory devices
 * through QMP ({@code object-add}, {@code device_add}, {@code device_del}, {@code balloon},
 * {@code qom-set requested-size}), block states through a sysfs write in a user task
 * ({@link Writes}), signals to a blocked writer through kill(2), workloads as processes
 * ({@link Workloads}), and virtual time through the live machine's pause, step and speed. A
 * failure is answered as the interface gives it: QEMU's error class and description, or the errno
 * of the write.
 *
 * <p>Actions ({@code {"action": NAME, ...}}): {@code plug {size, node?}}, {@code unplug {id}},
 * {@code state {block, value}}, {@code signal {write, sig}}, {@code workload {kind, size, node?}},
 * {@code stop-workload {name}}, {@code balloon {size}}, {@code virtio-mem {id, size}},
 * {@code pause}, {@code resume}, {@code step {ms}}, {@code speed {x}}.
 *
 * <p>Thread-safe: called from HTTP threads; everything that touches the machine runs on its owner
 * thread; {@code workloads} is confined there; {@code writes}, {@code log} and {@code events} are
 * monitors; {@code nextDimm} (the number of the next DIMM; a refused one does not use it up) is guarded by {@code this}.
 */
final class Controls {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** QMP events the page keeps. */
    static final int EVENTS = 50;

    private final LiveMachine live;
    private final Workloads workloads = new Workloads();
    private final Writes writes;
    private final Runnable changed;
    private final LogTail log;
    private final Deque<JsonNode> events = new ArrayDeque<>();
    private int nextDimm = 1;

    /** {@code changed} is told whenever an action has changed the machine (the page should look again). */
    Controls(LiveMachine live, LogTail log, Runnable changed) {
        this.live = live;
        this.log = log;
        this.changed = changed;
        this.writes = new Writes(changed);
        live.onEvent(e -> {
            synchronized (events) {
                events.addLast(e);
                if (events.size() > EVENTS) {
                    events.removeFirst();
                }
            }
        });
    }

    /** The page's view of {@code m} (owner thread). */
    ObjectNode view(Machine m) {
        ObjectNode o = MachineView.of(m, workloads, writes, live.paused(), live.speed());
        var l = o.putArray("log");
        log.lines().forEach(l::add);
        var e = o.putArray("events");
        synchronized (events) {
            events.forEach(e::add);
        }
        return o;
    }

    /** Runs one action; the answer has {@code ok} and, on failure, {@code error} (and errno or QMP class). */
    ObjectNode run(JsonNode req) {
        try {
            return dispatch(req);
        } finally {
            changed.run();
        }
    }

    private ObjectNode dispatch(JsonNode req) {
        String action = req.path("action").asText("");
        try {
            return switch (action) {
                case "plug" -> plug(size(req, "size"), req.has("node") ? req.get("node").asInt() : -1);
                case "unplug" -> qmp("device_del", obj().put("id", text(req, "id")));
                case "state" -> {
                    long block = req.path("block").asLong(-1);
                    if (block < 0) {
                        throw new BadRequest("state needs a block number");
                    }
                    int id = writes.start(live, "/sys/devices/system/memory/memory" + block + "/state", text(req, "value"));
                    yield ok().put("write", id);
                }
                case "signal" -> {
                    int sig = req.path("sig").asInt(Task.SIGINT);
                    yield writes.signal(req.path("write").asInt(-1), sig) ? ok()
                            : fail("no such running write");
                }
                case "workload" -> {
                    Workloads.Kind kind = kind(text(req, "kind"));
                    long bytes = size(req, "size");
                    int nid = req.path("node").asInt(0);
                    String name = await(live.call(m -> workloads.start(m, kind, bytes, nid)));
                    yield ok().put("name", name);
                }
                case "stop-workload" -> {
                    String name = text(req, "name");
                    yield await(live.call(m -> workloads.stop(m, name))) ? ok() : fail("no workload " + name);
                }
                case "balloon" -> qmp("balloon", obj().put("value", size(req, "size")));
                case "virtio-mem" -> qmp("qom-set", obj().put("path", "/machine/peripheral/" + text(req, "id"))
                        .put("property", "requested-size").put("value", size(req, "size")));
                case "pause" -> {
                    live.pause();
                    yield ok();
                }
                case "resume" -> {
                    live.resume();
                    yield ok();
                }
                case "step" -> ok().put("now_ns", await(live.step(req.path("ms").asLong(100) * 1_000_000L)));
                case "speed" -> {
                    live.setSpeed(req.path("x").asDouble(1));
                    yield ok();
                }
                default -> throw new BadRequest("unknown action '" + action + "'");
            };
        } catch (BadRequest e) {
            return fail(e.getMessage()).put("bad_request", true);
        } catch (KernelException e) {
            return fail(e.errno().strerror()).put("errno", e.errno().name());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return fail(e.getMessage());
        }
    }

    /** object-add of a RAM backend and device_add of a pc-dimm on it; the backend goes again if the DIMM is refused. */
    private ObjectNode plug(long size, int node) {
        String dimm;
        synchronized (this) {
            dimm = "dimm" + nextDimm;
        }
        String mem = "mem-" + dimm;
        ObjectNode r = qmp("object-add", obj().put("qom-type", "memory-backend-ram").put("id", mem).put("size", size));
        if (!r.path("ok").asBoolean()) {
            return r;
        }
        ObjectNode dev = obj().put("driver", "pc-dimm").put("id", dimm).put("memdev", mem);
        if (node >= 0) {
            dev.put("node", node);
        }
        ObjectNode d = qmp("device_add", dev);
        if (!d.path("ok").asBoolean()) {
            qmp("object-del", obj().put("id", mem));
            return d;
        }
        synchronized (this) {
            nextDimm++;
        }
        return d.put("id", dimm);
    }

    /** One QMP command; QEMU's error class and description when it fails. */
    private ObjectNode qmp(String execute, ObjectNode args) {
        ObjectNode reply = await(live.qmp(execute, args));
        if (reply.has("error")) {
            return fail(reply.path("error").path("desc").asText()).put("class", reply.path("error").path("class").asText());
        }
        return ok();
    }

    private static Workloads.Kind kind(String k) {
        for (Workloads.Kind x : Workloads.Kind.values()) {
            if (x.name().equalsIgnoreCase(k)) {
                return x;
            }
        }
        throw new BadRequest("workload kind must be anon, pinned or kernel, not '" + k + "'");
    }

    /** A size as QEMU reads one ({@code 1G}, {@code 512M}, bytes). */
    private static long size(JsonNode req, String field) {
        String s = text(req, field);
        try {
            return QemuSize.parse(s, 'B');
        } catch (QemuSize.SizeFormatException e) {
            throw new BadRequest(field + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode req, String field) {
        JsonNode v = req.get(field);
        if (v == null || v.isNull() || v.asText().isEmpty()) {
            throw new BadRequest("missing '" + field + "'");
        }
        return v.asText();
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the machine did not answer within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static ObjectNode obj() {
        return JSON.objectNode();
    }

    private static ObjectNode ok() {
        return obj().put("ok", true);
    }

    private static ObjectNode fail(String error) {
        return obj().put("ok", false).put("error", error);
    }

    /** A request the page should not have sent (missing or malformed field). */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
