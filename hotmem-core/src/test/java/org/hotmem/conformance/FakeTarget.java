package org.hotmem.conformance;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.fs.Kernfs;

/**
 * A conformance target for tests: a real Kernel with a FakeSysfs. QMP device_add plugs
 * memory40 after 40 ms (ACPI_DEVICE_OST), device_del emits ACPI_DEVICE_OST and DEVICE_DELETED
 * at the same instant 30 ms later, "announce" emits an event synchronously.
 */
final class FakeTarget implements ConformanceTarget {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    final Kernel kernel = Kernel.withSeed(1);
    final FakeSysfs sys = new FakeSysfs(32, 33);
    private final List<ObjectNode> events = new ArrayList<>();
    private long logMark;

    /** What {@link #invariantViolations()} reports; a test sets it to simulate a broken model. */
    List<String> violations = List.of();

    FakeTarget() {
        kernel.dmesg().info("x86/mm: Memory block size: 128MB");
        kernel.dmesg().info("Built 1 zonelists, mobility grouping on.  Total pages: 1031904");
    }

    @Override
    public Kernel kernel() {
        return kernel;
    }

    @Override
    public Kernfs fs() {
        return sys.fs;
    }

    @Override
    public ObjectNode qmp(String execute, ObjectNode args) {
        ObjectNode ok = F.objectNode();
        ok.putObject("return");
        switch (execute) {
            case "device_add" -> {
                String id = args.path("id").asText();
                kernel.addTimer(40_000_000L, () -> {
                    sys.addBlock(40, null);
                    kernel.dmesg().info("acpi PNP0C80:00: Memory device configured by ACPI");
                    emit("ACPI_DEVICE_OST").putObject("data").putObject("info").put("device", id);
                });
                return ok;
            }
            case "device_del" -> {
                kernel.addTimer(30_000_000L, () -> {
                    emit("ACPI_DEVICE_OST");
                    emit("DEVICE_DELETED");
                });
                return ok;
            }
            case "announce" -> {
                emit("ANNOUNCE");
                return ok;
            }
            case "query-memory-size-summary" -> {
                ObjectNode r = F.objectNode();
                r.putObject("return").put("base-memory", 4294967296L).put("plugged-memory", 0);
                return r;
            }
            default -> {
                ObjectNode r = F.objectNode();
                r.putObject("error").put("class", "CommandNotFound").put("desc", "The command " + execute + " has not been found");
                return r;
            }
        }
    }

    private ObjectNode emit(String name) {
        ObjectNode ev = F.objectNode();
        ev.put("event", name);
        ev.putObject("timestamp").put("seconds", kernel.now() / 1_000_000_000L).put("microseconds", kernel.now() / 1000 % 1_000_000);
        events.add(ev);
        return ev;
    }

    @Override
    public List<ObjectNode> drainEvents() {
        List<ObjectNode> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    @Override
    public List<String> drainKernelLog() {
        List<String> out = kernel.dmesg().since(logMark);
        logMark = kernel.dmesg().mark();
        return out;
    }

    @Override
    public List<String> invariantViolations() {
        return violations;
    }

    @Override
    public void runFor(long ns) {
        kernel.runFor(ns);
    }
}
