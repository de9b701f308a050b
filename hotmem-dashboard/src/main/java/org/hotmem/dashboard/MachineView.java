package org.hotmem.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hotmem.hotplug.MemoryBlock;
import org.hotmem.hotplug.OfflineOperation;
import org.hotmem.kernel.Task;
import org.hotmem.machine.Machine;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.Node;
import org.hotmem.mm.PageState;
import org.hotmem.mm.Zone;

/**
 * What the page shows of a machine, as one JSON object: virtual time, the memory blocks (state,
 * zone, node and what their pages hold), zones per node, memory devices, balloon, offlines in
 * progress, the tasks that hold or wait for locks, and the dashboard's own workloads and writes.
 *
 * <p>Built on the live machine's owner thread (inside {@link org.hotmem.machine.LiveMachine#call}),
 * between kernel runs, so it reads a consistent machine without taking any model lock. What a
 * block holds is counted page run by page run ({@link MemoryModel#runEnd}): the cost follows the
 * pageblocks whose memmap holds per-page state, not the size of the guest.
 */
final class MachineView {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The page's columns for a block's contents, in this order. */
    static final String[] HOLDS = {"free", "user", "pinned", "kernel", "reserved", "memmap"};

    private MachineView() {
    }

    static long pageSize(Machine m) {
        return m.mm().arch().pageSize();
    }

    static ObjectNode of(Machine m, Workloads workloads, Writes writes, boolean paused, double speed) {
        ObjectNode o = JSON.objectNode();
        o.put("now_ns", m.kernel().now());
        o.put("paused", paused);
        o.put("speed", speed);
        o.put("kernel", m.kernel().release());
        o.put("powered_off", m.poweredOff());
        o.set("holds", holdsHeader());
        o.set("blocks", blocks(m));
        o.set("nodes", nodes(m));
        o.set("devices", reply(m, "query-memory-devices"));
        JsonNode balloon = reply(m, "query-balloon");
        if (balloon != null) {
            o.set("balloon", balloon);
        }
        o.set("offlines", offlines(m));
        o.set("tasks", tasks(m));
        o.set("workloads", workloads(workloads));
        o.set("writes", writes.toJson());
        return o;
    }

    private static ArrayNode holdsHeader() {
        ArrayNode a = JSON.arrayNode();
        for (String h : HOLDS) {
            a.add(h);
        }
        return a;
    }

    /** Per present block: [id, state, zone or "", nid, then the page counts of {@link #HOLDS}]. */
    private static ArrayNode blocks(Machine m) {
        ArrayNode arr = JSON.arrayNode();
        MemoryModel mm = m.mm();
        for (MemoryBlock b : m.hotplug().blocks().values()) {
            ArrayNode row = arr.addArray();
            row.add(b.id());
            row.add(b.state().text());
            row.add(b.state() != MemoryBlock.State.ONLINE ? "" : b.zone() != null ? b.zone().name() : "mixed");
            row.add(b.nid());
            long[] holds = new long[HOLDS.length];
            if (b.state() != MemoryBlock.State.OFFLINE) { // an offline block's memmap says nothing
                count(mm, b.startPfn(), b.startPfn() + b.nrPages(), holds);
            }
            for (long h : holds) {
                row.add(h);
            }
        }
        return arr;
    }

    /** Adds the pages of [start, end) to {@code holds} by what they hold. */
    static void count(MemoryModel mm, long start, long end, long[] holds) {
        for (long pfn = start; pfn < end; ) {
            long next = Math.min(end, Math.max(pfn + 1, mm.runEnd(pfn)));
            int info = mm.info(pfn);
            int col = switch (PageState.kind(info)) {
                case PageState.BUDDY, PageState.FREE_TAIL -> 0;
                case PageState.LRU -> (info & PageState.PINNED) != 0 ? 2 : 1;
                case PageState.KERNEL, PageState.KERNEL_TAIL -> 3;
                case PageState.VMEMMAP -> 5;
                default -> 4; // reserved, poisoned, offline (balloon) pages
            };
            holds[col] += next - pfn;
            pfn = next;
        }
    }

    private static ArrayNode nodes(Machine m) {
        ArrayNode arr = JSON.arrayNode();
        MemoryModel mm = m.mm();
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            Node n = mm.node(nid);
            if (n == null) {
                continue;
            }
            ObjectNode no = arr.addObject();
            no.put("nid", nid);
            no.put("online", n.isOnline());
            ArrayNode zones = no.putArray("zones");
            for (Zone z : n.zones()) {
                if (z == null || z.spannedPages() == 0 && z.presentPages() == 0) {
                    continue;
                }
                ObjectNode zo = zones.addObject();
                zo.put("name", z.name());
                zo.put("start_pfn", z.startPfn());
                zo.put("spanned", z.spannedPages());
                zo.put("present", z.presentPages());
                zo.put("managed", z.managedPages());
                zo.put("free", z.freePages());
            }
        }
        return arr;
    }

    /** The {@code return} of a QMP query, or null when QEMU answers with an error (no such device). */
    private static JsonNode reply(Machine m, String query) {
        ObjectNode r = m.qmp(query, JSON.objectNode());
        return r.has("return") ? r.get("return") : null;
    }

    private static ArrayNode offlines(Machine m) {
        ArrayNode arr = JSON.arrayNode();
        long now = m.kernel().now();
        long perBlock = m.hotplug().blocks().isEmpty() ? 1
                : m.hotplug().blocks().values().iterator().next().nrPages();
        for (OfflineOperation op : m.hotplug().activeOfflines()) {
            ObjectNode o = arr.addObject();
            o.put("block", op.startPfn() / perBlock);
            o.put("blocks", Math.max(1, op.nrPages() / perBlock));
            o.put("since_ns", op.startNs());
            o.put("retries", op.retries(now));
            o.put("migrated", op.migrated());
        }
        return arr;
    }

    /**
     * Live tasks that hold a lock, or wait for something other than their own work: user tasks
     * (a shell in a sysfs write) and kernel threads away from their idle wait.
     */
    private static ArrayNode tasks(Machine m) {
        ArrayNode arr = JSON.arrayNode();
        for (Task t : m.kernel().tasks()) {
            boolean idleKthread = t.isKthread() && t.heldLocks().isEmpty() && t.state() == Task.State.INTERRUPTIBLE;
            if (t.isDead() || idleKthread || t.heldLocks().isEmpty() && t.waitingFor() == null) {
                continue;
            }
            ObjectNode o = arr.addObject();
            o.put("pid", t.pid());
            o.put("name", t.name());
            o.put("state", String.valueOf(t.state().letter()));
            ArrayNode held = o.putArray("holds");
            t.heldLocks().forEach(held::add);
            if (t.waitingFor() != null) {
                o.put("waits", t.waitingFor());
            }
        }
        return arr;
    }

    private static ArrayNode workloads(Workloads w) {
        ArrayNode arr = JSON.arrayNode();
        for (Workloads.Workload x : w.running()) {
            ObjectNode o = arr.addObject();
            o.put("name", x.name());
            o.put("kind", x.kind().name().toLowerCase());
            o.put("bytes", x.bytes());
            o.put("pinned_pages", x.pinned());
        }
        return arr;
    }
}
