package org.hotmem.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hotmem.hotplug.MemoryBlock;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryNotifier;
import org.hotmem.hv.QmpEvent;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.KernelPanic;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.kernel.fs.KNode;
import org.hotmem.machine.HostState;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;
import org.hotmem.mm.Zone;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@link Target} over a booted {@link Machine}: QMP and events go to the machine's QEMU, guest
 * writes run as user tasks doing kernfs writes (as busybox's {@code echo V > P} would), workload
 * memory comes from the memory model with the GFP intent of its kind, and the snapshot reads the
 * hotplug and mm state directly (no task, so observing never perturbs the schedule).
 *
 * <p>Workload allocations are made by the driving thread between kernel runs, i.e. at a
 * scheduling point of the guest; the model takes zone locks only inside tasks, and no task is
 * inside a zone-locked section then.
 *
 * <p>Counters: pages migrated and migration failures are /proc/vmstat's pgmigrate_success and
 * pgmigrate_fail ({@code mm.vmCounters()}); offline retries are {@link MemoryHotplug#offlineRetries()},
 * the passes of offline_pages()'s loop that left a page unmigrated (pinned, or no target memory),
 * counted by the hotplug model (Linux keeps no such counter). Durations include the CPU time the
 * model charges for isolation, scanning and migration ({@link org.hotmem.mm.MmCosts}).
 * Confined to the driving thread.
 */
public final class MachineTarget implements Target {

    private Machine machine;
    private Kernel kernel;
    private MemoryModel mm;
    private MemoryHotplug hotplug;
    /** Virtual uptime of the current machine at scenario time 0 (shifted at each restart so scenario time runs on). */
    private long t0;
    /** The machine's configuration; a restart appends QEMU arguments. */
    private MachineConfig config;
    /** The host: the scenario's swap disks (temporary files, deleted at close) and hibernated guests. */
    private final HostState host;
    /** Scenario time while the machine is off. */
    private long offNow = -1;
    /** Virtual time the boot kernel of the last resume spent reading the image, or -1. */
    private long resumeRead = -1;
    /** per workload and allocation intent */
    private final Map<String, AddressSpace> spaces = new HashMap<>();
    private long nextToken = 1;
    private long pinnedPages;

    private MachineTarget(Machine machine, MachineConfig config, HostState host) {
        this.config = config;
        this.host = host;
        use(machine);
        this.t0 = kernel.now();
        machine.drainKernelLog();
        for (var d : machine.power().blockDevices()) {
            machine.power().mkswap("/dev/" + d.name());
            machine.power().swapon("/dev/" + d.name());
        }
    }

    private void use(Machine m) {
        this.machine = m;
        this.kernel = m.kernel();
        this.mm = m.mm();
        this.hotplug = m.hotplug();
    }

    /**
     * Boots the machine of a scenario with a seed. A QEMU argument {@code file={swap:BYTES}} (the
     * machine's {@code swap:}) becomes a new sparse disk file with a swap area, swapped on after
     * boot.
     */
    public static Target boot(MachineSpec spec, Long seed) {
        HostState host = new HostState();
        try {
            List<String> qemu = new ArrayList<>();
            for (String q : spec.qemu()) {
                java.util.regex.Matcher m = SWAP_DISK.matcher(q);
                if (m.find()) {
                    Path disk = host.createDisk(Long.parseLong(m.group(1)));
                    q = q.substring(0, m.start()) + disk + q.substring(m.end());
                }
                qemu.add(q);
            }
            MachineConfig config = new MachineConfig(spec.memory(), spec.cmdline(), qemu, KernelVersion.parse(spec.kernel()), seed);
            return new MachineTarget(Machine.boot(config, host), config, host);
        } catch (IllegalArgumentException | KernelPanic e) {
            host.close();
            throw new ScenarioException(null, 0, 0, "machine: " + e.getMessage(), true);
        } catch (java.io.UncheckedIOException e) {
            host.close();
            throw e;
        }
    }

    private static final java.util.regex.Pattern SWAP_DISK = java.util.regex.Pattern.compile("\\{swap:(\\d+)}");

    @Override public long now() {
        if (machine.poweredOff()) {
            if (offNow < 0) offNow = kernel.now() - t0;
            return offNow;
        }
        return kernel.now() - t0;
    }

    @Override public long uptimeOffset() { return t0; }

    @Override public void advance(long untilNs) {
        if (machine.poweredOff()) {
            offNow = Math.max(now(), untilNs);
            return;
        }
        long d = untilNs + t0 - kernel.now();
        if (d > 0) machine.runFor(d);
    }

    @Override public boolean poweredOff() { return machine.poweredOff(); }

    @Override public void powerOff() {
        long t = now();
        machine.kernel().halt();
        machine.mm().powerLoss();
        offNow = t;
    }

    @Override public String restart(List<String> extraQemu) {
        if (!machine.poweredOff()) powerOff();
        long off = now();
        List<String> q = new ArrayList<>(config.qemuArgs());
        q.addAll(extraQemu);
        config = new MachineConfig(config.memory(), config.cmdline(), q, config.kernel(), config.seed() + 1);
        Machine old = machine;
        Machine next = Machine.boot(config, host);
        boolean resumed = next == old;
        long bootNs = resumed ? next.power().lastLoaderUptimeNs() : next.kernel().now();
        use(next);
        t0 = kernel.now() - off - bootNs;
        offNow = -1;
        resumeRead = resumed ? next.power().lastResumeReadNs() : -1;
        if (!resumed) {
            spaces.clear();
            pinnedPages = 0;
        }
        return resumed ? "resumed" : "booted";
    }

    @Override public SortedMap<String, Double> hibernationMetrics() {
        SortedMap<String, Double> m = new TreeMap<>();
        org.hotmem.power.Hibernation.Report r = machine.power().lastReport();
        if (r == null) return m;
        m.put("hibernate_image_bytes", (double) r.bytesWritten());
        m.put("hibernate_image_pages", (double) r.imagePages());
        m.put("hibernate_pages_saved", (double) r.savedPages());
        m.put("hibernate_pages_copied", (double) r.copiedPages());
        m.put("hibernate_pages_zero", (double) r.zeroPages());
        m.put("hibernate_pages_skipped.free", (double) r.skippedFree());
        m.put("hibernate_pages_skipped.offline", (double) r.skippedOffline());
        m.put("hibernate_pages_skipped.page_offline", (double) r.skippedPageOffline());
        m.put("hibernate_pages_skipped.nosave", (double) r.skippedNosave());
        m.put("hibernate_freeze_ns", (double) r.freezeNs());
        m.put("hibernate_snapshot_ns", (double) r.snapshotNs());
        m.put("hibernate_write_ns", (double) r.writeNs());
        if (resumeRead >= 0) m.put("resume_read_ns", (double) resumeRead);
        return m;
    }

    @Override public JsonNode qmp(String execute, ObjectNode arguments) {
        return machine.qmp(execute, arguments);
    }

    @Override public List<JsonNode> drainEvents() {
        List<JsonNode> out = new ArrayList<>();
        for (QmpEvent e : machine.qemu().events().drain()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            long t = e.timestampNs() - t0;
            o.putObject("timestamp").put("seconds", Math.floorDiv(t, 1_000_000_000L))
                    .put("microseconds", Math.floorMod(t, 1_000_000_000L) / 1000);
            o.put("event", e.name());
            if (e.data() != null) o.set("data", e.data());
            out.add(o);
        }
        return out;
    }

    @Override public List<String> drainKernelLog() {
        return machine.drainKernelLog();
    }

    @Override public long blockSize() { return mm.arch().blockSizeBytes(); }

    @Override public GuestTask spawnWrites(String name, List<String[]> writes, boolean keepGoing) {
        List<WriteResult> results = new ArrayList<>();
        long[] end = {-1};
        int[] killedBy = {0};
        Task task = kernel.spawn(name, 0, () -> {
            for (String[] w : writes) {
                String errno = write(w[0], w[1]);
                results.add(new WriteResult(w[0], w[1], errno, kernel.now() - t0));
                Task self = kernel.current();
                if (self.pendingSignals() != 0) {
                    // back in user space with a signal pending: the default action ends the process
                    killedBy[0] = self.fatalSignalPending() ? Task.SIGKILL : Long.numberOfTrailingZeros(self.pendingSignals());
                    break;
                }
                if (errno != null && !keepGoing) break;
            }
            end[0] = kernel.now() - t0;
        });
        return new MachineTask(task, results, end, killedBy);
    }

    /** {@code echo VALUE > PATH} inside the current task: null, or the errno name of the failure. */
    private String write(String path, String value) {
        try {
            machine.fs().openForWrite(path).write(value + "\n");
            return null;
        } catch (KernelException e) {
            return e.errno().name();
        }
    }

    private record MachineTask(Task task, List<WriteResult> results, long[] end, int[] killed) implements GuestTask {
        public boolean done() { return end[0] >= 0 || task.isDead(); }
        public long endNs() { return end[0]; }
        public int killedBy() { return killed[0]; }
    }

    @Override public void signal(GuestTask task, int signal) {
        kernel.sendSignal(((MachineTask) task).task(), signal);
    }

    /** A workload's memory: pages of an address space, or kernel allocations. */
    private record Chunk(AddressSpace as, int[] slots, long[] kernelPfns, long bytes, boolean[] pin)
            implements Allocation {
        public boolean pinned() { return pin[0]; }
    }

    @Override public Allocation allocate(String workload, WorkloadSpec.Kind kind, long bytes, boolean pin, int node) {
        if (machine.poweredOff()) return null; // nothing runs on a machine that is off
        long page = mm.arch().pageSize();
        long pages = (bytes + page - 1) / page;
        if (kind == WorkloadSpec.Kind.KERNEL) {
            List<Long> pfns = new ArrayList<>();
            try {
                while (pages > 0) {
                    int order = Math.min(mm.arch().maxOrder(), 63 - Long.numberOfLeadingZeros(pages));
                    pfns.add(mm.allocPages(Gfp.KERNEL, order, PageState.KERNEL_SLAB));
                    pages -= 1L << order;
                }
            } catch (KernelException e) {
                for (long pfn : pfns) mm.freePages(pfn);
                return null;
            }
            return new Chunk(null, null, pfns.stream().mapToLong(Long::longValue).toArray(), bytes, new boolean[1]);
        }
        // Memory is faulted in with the kind's GFP; a FOLL_LONGTERM pin then migrates the pages
        // that landed in ZONE_MOVABLE to kernel zones (AddressSpace.pinLongterm), or fails ENOMEM.
        Gfp gfp = kind == WorkloadSpec.Kind.PAGECACHE ? Gfp.PAGE_CACHE : Gfp.MOVABLE_ANON;
        AddressSpace as = spaces.computeIfAbsent(workload + "/" + gfp, k -> mm.newAddressSpace(k, gfp));
        int[] slots = new int[(int) pages];
        int n = 0;
        try {
            for (; n < pages; n++) slots[n] = as.add(nextToken++);
        } catch (KernelException e) {
            for (int i = 0; i < n; i++) as.free(slots[i]);
            return null;
        }
        if (pin) {
            int p = 0;
            try {
                for (; p < pages; p++) as.pinLongterm(slots[p]);
            } catch (KernelException e) {
                for (int i = 0; i < p; i++) as.unpin(slots[i]);
                for (int s : slots) as.free(s);
                return null;
            }
            pinnedPages += pages;
        }
        return new Chunk(as, slots, null, bytes, new boolean[] {pin});
    }

    @Override public void free(Allocation a) {
        if (machine.poweredOff()) return; // the frozen process still holds it in the image
        Chunk c = (Chunk) a;
        if (c.kernelPfns() != null) {
            for (long pfn : c.kernelPfns()) mm.freePages(pfn);
            return;
        }
        unpin(c);
        for (int s : c.slots()) c.as().free(s);
    }

    @Override public void unpin(Allocation a) {
        if (machine.poweredOff()) return;
        Chunk c = (Chunk) a;
        if (!c.pin()[0]) return;
        for (int s : c.slots()) c.as().unpin(s);
        pinnedPages -= c.slots().length;
        c.pin()[0] = false;
    }

    @Override public Snapshot snapshot() {
        SortedMap<Long, BlockState> blocks = new TreeMap<>();
        for (MemoryBlock b : hotplug.blocks().values()) {
            String state = b.state().text();
            Zone z = b.zone();
            blocks.put((long) b.id(), new BlockState(state, state.equals("online") && z != null ? z.name() : null));
        }
        SortedMap<String, Long> free = new TreeMap<>();
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            for (Zone z : mm.node(nid).zones()) {
                if (z != null && z.populated()) free.merge(z.name(), z.freePages(), Long::sum);
            }
        }
        return new Snapshot(blocks, free, mm.vmCounters().pgmigrateSuccess(), mm.vmCounters().pgmigrateFail(),
                hotplug.offlineRetries(), pinnedPages);
    }

    @Override public SortedMap<String, Long> unpluggableBytes() {
        SortedMap<String, Long> out = new TreeMap<>();
        JsonNode devices = machine.qmp("query-memory-devices", JsonNodeFactory.instance.objectNode()).path("return");
        for (JsonNode d : devices) {
            JsonNode data = d.path("data");
            // a DIMM's range is addr+size; a virtio-mem device's is memaddr+max-size (plugged blocks exist)
            long addr = data.has("addr") ? data.path("addr").asLong() : data.path("memaddr").asLong();
            long size = data.has("max-size") ? data.path("max-size").asLong() : data.path("size").asLong();
            if (size <= 0) continue;
            for (long id = addr / mm.arch().blockSizeBytes(); id < (addr + size) / mm.arch().blockSizeBytes(); id++) {
                MemoryBlock b = hotplug.block((int) id);
                if (b == null) continue;
                if (!b.state().text().equals("online")) {
                    out.merge("offline", mm.arch().blockSizeBytes(), Long::sum);
                } else if (offlinable(b)) {
                    out.merge(b.zone().name(), mm.arch().blockSizeBytes(), Long::sum);
                }
            }
        }
        return out;
    }

    /** Whether offline_pages() would succeed now: isolation passes and no pinned page blocks migration. */
    private boolean offlinable(MemoryBlock b) {
        long start = b.startPfn() + b.nrVmemmap();
        long end = b.startPfn() + b.nrPages();
        for (long pb = start; pb < end; pb += mm.arch().pageblockPages()) {
            if (mm.isolation().hasUnmovablePages(pb) >= 0) return false;
        }
        for (long pfn = start; pfn < end; pfn++) {
            if (mm.kind(pfn) == PageState.LRU && mm.isPinned(pfn)) return false;
        }
        return true;
    }

    @Override public void close() { host.close(); }

    /**
     * The model's consistency violations now ({@link org.hotmem.hotplug.MemoryInvariants}); empty
     * when all hold, when the machine is off, or while a hotplug operation holds
     * device_hotplug_lock (a half-done state is not a violation).
     */
    public List<String> invariantViolations() {
        if (machine.poweredOff() || hotplug.deviceHotplugLock().isLocked()) {
            return List.of();
        }
        return org.hotmem.hotplug.MemoryInvariants.check(hotplug);
    }
}
