package org.hotmem.hotplug;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import org.hotmem.kernel.DeadlockReport;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.TaskFailedException;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Arch;
import org.hotmem.mm.BootE820;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MmBootOptions;
import org.hotmem.mm.PageState;

/**
 * One seeded property case of memory hotplug under concurrency. The seed chooses the machine
 * (RAM size, kernel version, memmap_on_memory, movable_node, online_policy, memhp_default_state)
 * and, round after round, a few concurrent tasks: adders (add_memory of 1..8 blocks at aligned
 * addresses above the boot RAM), shells writing a block's {@code state} or {@code online} file,
 * removers (remove_memory / offline_and_remove_memory of ranges that were added, as a driver
 * does), workloads allocating and freeing kernel, anon, page-cache and long-term pinned pages,
 * and a signaller interrupting the shells. The kernel's seeded random strategy (or a replayed
 * schedule) interleaves them. After every round (all its tasks finished) the properties are
 * checked; a violation throws an AssertionError that names the seed, the parameters and where
 * the schedule was written.
 *
 * <p>The shadow of the block states is the sequence of MEM_ONLINE / MEM_OFFLINE notifications
 * (a notifier records them with the task that made them; they happen under device_hotplug_lock,
 * so their order is the order of the transitions). Removal needs an offline block and a re-added
 * block starts offline, so a block's state is its last notification, or its initial state.
 */
final class HotplugPropertyCase {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;
    static final String MEM = "/sys/devices/system/memory/memory";
    /** Blocks of the hot-add window above the boot RAM. */
    static final int WINDOW_BLOCKS = 24;
    /** Virtual time a round may take before its stuck tasks get SIGKILL (as an impatient operator would). */
    static final long KILL_AFTER_NS = 20_000_000_000L;
    /** Virtual time a round may take at all. */
    static final long ROUND_LIMIT_NS = 120_000_000_000L;

    static final Set<Errno> SYSFS_ERRNOS = EnumSet.of(Errno.EINVAL, Errno.EBUSY, Errno.EINTR, Errno.ENOMEM, Errno.EAGAIN, Errno.ENODEV);
    static final Set<Errno> ADD_ERRNOS = EnumSet.of(Errno.EEXIST, Errno.ENOMEM, Errno.EINVAL);
    static final Set<Errno> REMOVE_ERRNOS = EnumSet.of(Errno.EBUSY, Errno.EINVAL, Errno.EINTR, Errno.ENOMEM, Errno.EAGAIN);
    static final String[] WORDS = {"online", "online_kernel", "online_movable", "offline", "0", "1"};

    /** The machine and workload a seed stands for. */
    record Params(long seed, long ramBytes, KernelVersion version, boolean memmapOnMemory, boolean movableNode,
                  HotplugParams.OnlinePolicy policy, String defaultState, int rounds) {
        static Params of(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            long[] sizes = {1 * GIB, 2 * GIB, 3 * GIB, 4 * GIB, 6 * GIB, 8 * GIB};
            String[] states = {null, "offline", "online", "online_kernel", "online_movable"};
            return new Params(seed, sizes[r.nextInt(sizes.length)], r.nextBoolean() ? KernelVersion.V6_12 : KernelVersion.V6_1,
                    r.nextBoolean(), r.nextInt(4) == 0,
                    r.nextBoolean() ? HotplugParams.OnlinePolicy.CONTIG_ZONES : HotplugParams.OnlinePolicy.AUTO_MOVABLE,
                    states[r.nextInt(states.length)], 2 + r.nextInt(3));
        }

        String cmdline() {
            StringBuilder sb = new StringBuilder();
            if (memmapOnMemory) {
                sb.append("memory_hotplug.memmap_on_memory=1 ");
            }
            if (movableNode) {
                sb.append("movable_node ");
            }
            sb.append("memory_hotplug.online_policy=").append(policy.text());
            if (defaultState != null) {
                sb.append(" memhp_default_state=").append(defaultState);
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return "seed=" + seed + " (rerun: -Dhotmem.prop.seed=" + seed + ") -m " + (ramBytes / GIB) + "G kernel "
                    + version.text() + " cmdline \"" + cmdline() + "\" rounds " + rounds;
        }
    }

    /** What a run produced: the trace, the schedule and every operation's result, for replay comparisons. */
    record Outcome(String trace, int[] schedule, List<String> results) {
    }

    /** One MEM_ONLINE / MEM_OFFLINE notification. */
    record Event(boolean online, int block, int pid) {
    }

    private final Params p;
    private final SplittableRandom rng;
    private final Kernel kernel;
    private final Kernfs fs = new Kernfs();
    private final MemoryModel mm;
    private final MemoryHotplug hp;
    private final long windowBase;
    private final List<Event> events = new ArrayList<>();
    private final Map<Integer, Boolean> initialOnline = new HashMap<>();
    /** Hot-added ranges that succeeded and are not removed yet: first block -> block count. */
    private final TreeMap<Integer, Integer> added = new TreeMap<>();
    /** First blocks of added ranges a remover is working on. */
    private final Set<Integer> claimed = new TreeSet<>();
    private final List<Owner> owners = new ArrayList<>();
    private final List<long[]> kernelPages = new ArrayList<>();
    private final List<String> results = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private long nextToken = 1;

    /** An owner of pages with the tokens it wrote (the shadow copy). */
    static final class Owner {
        final AddressSpace as;
        final List<Long> tokens = new ArrayList<>();
        final Set<Integer> mapped = new TreeSet<>();
        final Set<Integer> pinned = new TreeSet<>();

        Owner(AddressSpace as) {
            this.as = as;
        }
    }

    HotplugPropertyCase(Params p, SchedulingStrategy strategy) {
        this.p = p;
        this.rng = new SplittableRandom(p.seed ^ 0x9e3779b97f4a7c15L);
        this.kernel = new Kernel(strategy);
        mm = MemoryModel.boot(BootE820.pc(p.ramBytes), new MmBootOptions(MmBootOptions.fromCmdline(p.cmdline()).movableNode(), -1),
                p.version, kernel, fs);
        hp = new MemoryHotplug(mm, fs, HotplugParams.fromCmdline(p.cmdline(), p.version));
        long ramEnd = p.ramBytes <= 0xc0000000L ? p.ramBytes : 4 * GIB + p.ramBytes - 0xc0000000L;
        windowBase = Math.max(4 * GIB, (ramEnd + GIB - 1) & -GIB);
        for (MemoryBlock b : hp.blocks().values()) {
            initialOnline.put(b.id(), b.state() == MemoryBlock.State.ONLINE);
        }
        hp.registerMemoryNotifier((ev, pfn, nr) -> {
            if (ev == MemoryNotifier.Event.MEM_ONLINE || ev == MemoryNotifier.Event.MEM_OFFLINE) {
                events.add(new Event(ev == MemoryNotifier.Event.MEM_ONLINE, (int) (pfn / Arch.X86_64.pagesPerBlock()),
                        kernel.current().pid()));
            }
            return MemoryNotifier.NOTIFY_OK;
        }, 0);
        for (String name : new String[] {"anon", "cache"}) {
            owners.add(new Owner(mm.newAddressSpace(name, name.equals("anon") ? Gfp.MOVABLE_ANON : Gfp.PAGE_CACHE)));
        }
    }

    Kernel kernel() {
        return kernel;
    }

    /** Runs every round, checking the properties after each; throws AssertionError on a violation. */
    Outcome run() {
        try {
            for (int round = 0; round < p.rounds; round++) {
                runRound(round);
                check("after round " + round);
            }
        } catch (TaskFailedException e) {
            throw fail("a task threw: " + e.getMessage(), e);
        }
        return new Outcome(kernel.trace().text(), kernel.trace().schedule(), List.copyOf(results));
    }

    // ------------------------------------------------------------------ rounds

    private void runRound(int round) {
        int nTasks = 3 + rng.nextInt(4);
        List<Task> shells = new ArrayList<>();
        List<Task> all = new ArrayList<>();
        for (int i = 0; i < nTasks; i++) {
            SplittableRandom r = rng.split();
            String name = "r" + round + "t" + i;
            switch (rng.nextInt(5)) {
                case 0 -> all.add(kernel.spawn(name + "-add", 0, () -> adder(r)));
                case 1, 2 -> {
                    Task t = kernel.spawn(name + "-sh", 0, () -> shell(r));
                    shells.add(t);
                    all.add(t);
                }
                case 3 -> {
                    Task t = kernel.spawn(name + "-rm", 0, () -> remover(r));
                    shells.add(t);
                    all.add(t);
                }
                default -> all.add(kernel.spawn(name + "-work", 0, () -> workload(r)));
            }
        }
        if (!shells.isEmpty() && rng.nextInt(3) == 0) {
            SplittableRandom r = rng.split();
            all.add(kernel.spawn("r" + round + "-kill", 0, () -> {
                kernel.msleep(1 + r.nextInt(400));
                Task victim = shells.get(r.nextInt(shells.size()));
                kernel.sendSignal(victim, r.nextBoolean() ? Task.SIGINT : Task.SIGKILL);
                results.add("signal " + victim.name());
            }));
        }
        long start = kernel.now();
        boolean killed = false;
        while (true) {
            long deadline = start + (killed ? ROUND_LIMIT_NS : KILL_AFTER_NS);
            boolean reached = kernel.runUntil(() -> allDead(all) || kernel.now() >= deadline);
            if (!reached) {
                Optional<DeadlockReport> d = kernel.deadlockReport();
                throw fail("round " + round + " went idle with tasks unfinished" + d.map(r -> ":\n" + r.text()).orElse(""), null);
            }
            if (allDead(all)) {
                return;
            }
            if (killed) {
                throw fail("round " + round + " still running " + ROUND_LIMIT_NS / 1_000_000_000L + " s after it began (livelock?): "
                        + all.stream().filter(t -> !t.isDead()).map(t -> t + " " + t.waitingFor()).toList(), null);
            }
            // a shell stuck offlining (e.g. a long-term pin that stays): the operator presses Ctrl-C
            for (Task t : shells) {
                if (!t.isDead()) {
                    kernel.sendSignal(t, Task.SIGKILL);
                    results.add("ctrl-c " + t.name());
                }
            }
            killed = true;
        }
    }

    private static boolean allDead(List<Task> tasks) {
        for (Task t : tasks) {
            if (!t.isDead()) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ tasks

    /** add_memory() of 1..8 blocks at an aligned address of the window (may overlap: EEXIST). */
    private void adder(SplittableRandom r) {
        int n = 1 + r.nextInt(8);
        int first = (int) (windowBase / Arch.X86_64.blockSizeBytes()) + r.nextInt(WINDOW_BLOCKS - n + 1);
        int flags = r.nextBoolean() ? MemoryHotplug.MHP_MEMMAP_ON_MEMORY : MemoryHotplug.MHP_NONE;
        String what = "add memory" + first + "+" + n + (flags != 0 ? " memmap_on_memory" : "");
        try {
            hp.addMemory(0, first * Arch.X86_64.blockSizeBytes(), n * Arch.X86_64.blockSizeBytes(), flags);
            added.put(first, n);
            results.add(what + ": ok");
        } catch (KernelException e) {
            results.add(what + ": " + e.errno());
            if (!ADD_ERRNOS.contains(e.errno())) {
                problems.add(what + " failed with " + e.errno() + ", not an errno add_memory() gives here");
            }
        }
    }

    /** A shell writing 1..6 times to the state/online file of random blocks. */
    private void shell(SplittableRandom r) {
        int writes = 1 + r.nextInt(6);
        for (int w = 0; w < writes; w++) {
            List<Integer> ids = new ArrayList<>(hp.blocks().keySet());
            int id = r.nextInt(3) == 0 || added.isEmpty() ? ids.get(r.nextInt(ids.size())) : hotBlock(r);
            String file = r.nextBoolean() ? "state" : "online";
            String word = WORDS[r.nextInt(WORDS.length)];
            writeSysfs(id, file, word);
            if (kernel.signalPending()) {
                return; // the shell was interrupted: it dies
            }
        }
    }

    private int hotBlock(SplittableRandom r) {
        List<Integer> firsts = new ArrayList<>(added.keySet());
        int first = firsts.get(r.nextInt(firsts.size()));
        return first + r.nextInt(added.get(first));
    }

    /** echo word > /sys/devices/system/memory/memoryN/file, checking errno and notifications. */
    private void writeSysfs(int id, String file, String word) {
        String path = MEM + id + "/" + file;
        KFile f = fs.lookupFile(path);
        String what = "echo " + word + " > " + path;
        if (f == null) {
            results.add(what + ": No such file or directory");
            return;
        }
        int before = events.size();
        Errno err = null;
        try {
            f.write(word + "\n");
        } catch (KernelException e) {
            err = e.errno();
        }
        results.add(what + ": " + (err == null ? "ok" : err.name()));
        int pid = kernel.current().pid();
        List<Event> mine = events.subList(before, events.size()).stream().filter(e -> e.pid == pid).toList();
        boolean stateFile = file.equals("state");
        boolean wantOnline = stateFile ? !word.equals("offline") : !(word.equals("0") || word.equals("offline"));
        if (err != null) {
            if (!SYSFS_ERRNOS.contains(err)) {
                problems.add(what + " failed with " + err + ", which Linux does not give for this file");
            }
            if (stateFile && (word.equals("0") || word.equals("1")) && err != Errno.EINVAL) {
                problems.add(what + " gave " + err + " instead of EINVAL (state_store takes only the exact words)");
            }
            if (!mine.isEmpty()) {
                problems.add(what + " failed with " + err + " but made the transitions " + mine);
            }
            return;
        }
        if (stateFile && (word.equals("0") || word.equals("1"))) {
            problems.add(what + " succeeded; state_store must reject it with EINVAL");
        }
        boolean ok = mine.stream().allMatch(e -> e.block == id && e.online == wantOnline)
                && (stateFile ? mine.size() == 1 : mine.size() <= 1);
        if (!ok) {
            problems.add(what + " succeeded with the transitions " + mine);
        }
    }

    /** A driver removing (part of) a range it added: remove_memory or offline_and_remove_memory. */
    private void remover(SplittableRandom r) {
        List<Integer> free = new ArrayList<>();
        for (int first : added.keySet()) {
            if (!claimed.contains(first)) {
                free.add(first);
            }
        }
        if (free.isEmpty()) {
            return;
        }
        int first = free.get(r.nextInt(free.size()));
        int n = added.get(first);
        claimed.add(first);
        boolean whole = r.nextInt(3) != 0;
        int from = whole ? first : first + r.nextInt(n);
        int count = whole ? n : 1;
        boolean offline = r.nextBoolean();
        String what = (offline ? "offline_and_remove_memory" : "remove_memory") + " memory" + from + "+" + count;
        List<MemoryBlock> blocksBefore = new ArrayList<>();
        for (int b = from; b < from + count; b++) {
            blocksBefore.add(hp.block(b));
        }
        try {
            if (offline) {
                hp.offlineAndRemoveMemory(from * Arch.X86_64.blockSizeBytes(), count * Arch.X86_64.blockSizeBytes());
            } else {
                hp.removeMemory(from * Arch.X86_64.blockSizeBytes(), count * Arch.X86_64.blockSizeBytes());
            }
            results.add(what + ": ok");
            added.remove(first);
            if (from > first) {
                added.put(first, from - first);
            }
            if (from + count < first + n) {
                added.put(from + count, first + n - from - count);
            }
            for (MemoryBlock b : blocksBefore) {
                // (an adder may have added the range again since: a new device, not this one)
                if (b == null || hp.block(b.id()) == b) {
                    problems.add(what + " succeeded but " + (b == null ? "a block was missing before" : b.name() + " still exists"));
                }
            }
        } catch (KernelException e) {
            results.add(what + ": " + e.errno());
            if (!REMOVE_ERRNOS.contains(e.errno())) {
                problems.add(what + " failed with " + e.errno());
            }
        } finally {
            claimed.remove(first);
        }
    }

    /** Allocates and frees pages of every kind, pins and unpins, with preemption in between. */
    private void workload(SplittableRandom r) {
        int ops = 10 + r.nextInt(60);
        for (int i = 0; i < ops; i++) {
            Owner o = owners.get(r.nextInt(owners.size()));
            try {
                switch (r.nextInt(8)) {
                    case 0, 1 -> {
                        int n = 1 + r.nextInt(2000);
                        for (int k = 0; k < n && o.mapped.size() < 60000; k++) {
                            long token = nextToken++;
                            int slot = o.as.add(token);
                            while (o.tokens.size() <= slot) {
                                o.tokens.add(0L);
                            }
                            o.tokens.set(slot, token);
                            o.mapped.add(slot);
                        }
                    }
                    case 2 -> {
                        int n = 1 + r.nextInt(1500);
                        List<Integer> slots = new ArrayList<>(o.mapped);
                        for (int k = 0; k < n && !slots.isEmpty(); k++) {
                            int slot = slots.remove(r.nextInt(slots.size()));
                            if (o.pinned.contains(slot)) {
                                continue;
                            }
                            o.as.free(slot);
                            o.mapped.remove(slot);
                        }
                    }
                    case 3 -> {
                        if (!o.mapped.isEmpty() && pinnedTotal() < 4) {
                            List<Integer> slots = new ArrayList<>(o.mapped);
                            int slot = slots.get(r.nextInt(slots.size()));
                            if (!o.pinned.contains(slot)) {
                                o.as.pinLongterm(slot);
                                o.pinned.add(slot);
                            }
                        }
                    }
                    case 4 -> {
                        if (!o.pinned.isEmpty()) {
                            List<Integer> slots = new ArrayList<>(o.pinned);
                            int slot = slots.get(r.nextInt(slots.size()));
                            o.as.unpin(slot);
                            o.pinned.remove(slot);
                        }
                    }
                    case 5 -> {
                        int order = r.nextInt(3);
                        long pfn = mm.allocPages(Gfp.KERNEL, order, PageState.KERNEL_SLAB);
                        kernelPages.add(new long[] {pfn, mm.token(pfn)});
                    }
                    case 6 -> {
                        if (!kernelPages.isEmpty()) {
                            long[] k = kernelPages.remove(r.nextInt(kernelPages.size()));
                            mm.freePages(k[0]);
                        }
                    }
                    default -> kernel.msleep(1 + r.nextInt(20));
                }
            } catch (KernelException e) {
                results.add("workload: " + e.errno());
                if (e.errno() != Errno.ENOMEM) {
                    problems.add("workload operation failed with " + e.errno() + " (only ENOMEM is possible)");
                }
            }
            kernel.preemptionPoint();
        }
    }

    private int pinnedTotal() {
        int n = 0;
        for (Owner o : owners) {
            n += o.pinned.size();
        }
        return n;
    }

    // ------------------------------------------------------------------ properties

    private void check(String when) {
        List<String> bad = new ArrayList<>(problems);
        problems.clear();
        bad.addAll(MemoryInvariants.check(hp));
        if (!kernel.lockdep().reports().isEmpty()) {
            bad.add("lockdep: " + kernel.lockdep().reports());
        }
        kernel.deadlockReport().ifPresent(d -> bad.add("deadlock: " + d.text()));
        for (Owner o : owners) {
            for (int slot = 0; slot < o.as.size(); slot++) {
                boolean mapped = o.mapped.contains(slot);
                if (mapped != (o.as.pfn(slot) >= 0)) {
                    bad.add(o.as.name() + " slot " + slot + ": mapped " + mapped + " but pfn " + o.as.pfn(slot));
                } else if (mapped && o.as.read(slot) != o.tokens.get(slot)) {
                    bad.add(o.as.name() + " slot " + slot + " reads " + o.as.read(slot) + ", wrote " + o.tokens.get(slot));
                }
                if (mapped && o.pinned.contains(slot) != mm.isPinned(o.as.pfn(slot))) {
                    bad.add(o.as.name() + " slot " + slot + ": pinned " + o.pinned.contains(slot) + " but the page says otherwise");
                }
            }
        }
        for (long[] k : kernelPages) {
            if (mm.kind(k[0]) != PageState.KERNEL || mm.token(k[0]) != k[1]) {
                bad.add(String.format("kernel page 0x%x changed (kind %d)", k[0], mm.kind(k[0])));
            }
        }
        Map<Integer, Boolean> shadow = new TreeMap<>(initialOnline);
        for (Event e : events) {
            shadow.put(e.block, e.online);
        }
        for (MemoryBlock b : hp.blocks().values()) {
            boolean expectOnline = shadow.getOrDefault(b.id(), false);
            MemoryBlock.State want = expectOnline ? MemoryBlock.State.ONLINE : MemoryBlock.State.OFFLINE;
            if (b.state() != want) {
                bad.add(b.name() + " is " + b.state().text() + " but its last transition made it " + want.text());
            }
            if (b.devOffline() != (b.state() == MemoryBlock.State.OFFLINE)) {
                bad.add(b.name() + ": online file says " + (b.devOffline() ? 0 : 1) + " while state is " + b.state().text());
            }
        }
        for (Map.Entry<Integer, Boolean> e : shadow.entrySet()) {
            if (hp.block(e.getKey()) == null && e.getValue()) {
                bad.add("memory" + e.getKey() + " was removed while its last transition left it online");
            }
        }
        if (!bad.isEmpty()) {
            throw fail(when + ":\n  " + String.join("\n  ", bad.subList(0, Math.min(bad.size(), 30))), null);
        }
    }

    /** The failure: seed, parameters, the end of the trace and where the full schedule was written. */
    AssertionError fail(String what, Throwable cause) {
        String file = "";
        try {
            java.nio.file.Path dir = java.nio.file.Path.of("target", "hotmem-prop");
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path f = dir.resolve("seed-" + p.seed + ".schedule");
            kernel.trace().writeSchedule(f);
            file = "\nschedule (SchedulingStrategy.replay(Path)): " + f.toAbsolutePath();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            file = "\nschedule not written: " + e;
        }
        String trace = kernel.trace().text();
        String[] lines = trace.split("\n");
        String tail = String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 25), lines.length));
        List<String> lastResults = results.subList(Math.max(0, results.size() - 25), results.size());
        return new AssertionError(p + "\n" + what + "\nlast operations:\n  " + String.join("\n  ", lastResults)
                + "\nlast switches of " + kernel.trace().switches() + " (" + kernel.trace().decisions() + " decisions):\n" + tail + file,
                cause);
    }
}
