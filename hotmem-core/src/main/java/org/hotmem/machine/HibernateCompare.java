package org.hotmem.machine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.power.CowSnapshot;
import org.hotmem.power.DesignResume;
import org.hotmem.power.DesignRun;
import org.hotmem.power.Hibernation;
import org.hotmem.power.SwapArea;
import org.hotmem.power.TwoPagesetHibernation;

/**
 * The three hibernation designs of seed 001 on one machine and workload (what
 * {@code hotmem hibernate --compare} prints): each run boots the same machine (a DIMM hot-added,
 * a swap disk), starts the same workload (one user process with {@code anonPages} anonymous
 * pages storing to random ones of them at {@code storesPerSec}, freezable), hibernates with one
 * design and resumes: (a) swsusp is the kernel's own path ({@code echo disk > /sys/power/state},
 * the image on the swap disk, resumed by a fresh machine's boot); (b) {@link TwoPagesetHibernation}
 * and (c) {@link CowSnapshot} (one row per COW reserve size) resume into the machine that wrote
 * the image after its memory was lost. Each design is also resumed in a fresh machine with the
 * DIMM unplugged and one with a second DIMM plugged. Every figure is virtual time or a count
 * taken from the run; nothing is computed from a formula.
 */
public final class HibernateCompare {
    private HibernateCompare() {}

    /** The machine and workload; {@code reserves} are the COW reserve sizes in pages, one (c) row each. */
    public record Workload(String memory, long dimmBytes, int anonPages, int storesPerSec, List<Integer> reserves,
                           KernelVersion kernel, long seed) {
        public static Workload documented() {
            return new Workload("2G", 1L << 30, 131_072, 20_000, List.of(32_768, 2_048), KernelVersion.V6_12, 1);
        }
    }

    /**
     * One design's row: its run, the resume's image read in virtual ns, and what the resume gave in
     * the same machine (the saved pages whose content did not come back, or why it did not resume),
     * with the DIMM unplugged and with a DIMM plugged.
     */
    public record Row(DesignRun run, long resumeNs, String resumed, String unplugged, String plugged) {}

    public static List<Row> run(Workload w, Path dir) {
        List<Row> rows = new ArrayList<>();
        rows.add(swsusp(w, dir));
        long unplugged;
        long plugged;
        try (HostState host = new HostState()) {
            unplugged = boot(w, newDisk(dir.resolve("unplugged.img")), host, 10, false).mm().totalPresentPages();
            plugged = boot(w, newDisk(dir.resolve("plugged.img")), host, 11, true, "-object memory-backend-ram,id=mem1,size=" + w.dimmBytes(),
                    "-device pc-dimm,id=dimm1,memdev=mem1").mm().totalPresentPages();
        }
        rows.add(own(w, dir, "b", h -> new TwoPagesetHibernation(h)::run, null, unplugged, plugged));
        for (int reserve : w.reserves()) {
            CowSnapshot[] cow = {null};
            rows.add(own(w, dir, "c" + reserve, h -> {
                cow[0] = new CowSnapshot(h, reserve);
                return cow[0]::run;
            }, pfn -> { if (cow[0] != null) cow[0].writeFault(pfn); }, unplugged, plugged));
        }
        return rows;
    }

    /** The workload process: stores to random pages of its anonymous memory; freezable; stops on request. */
    private static final class Worker {
        final AddressSpace as;
        LongConsumer writeFault = pfn -> { };
        boolean stop;

        Worker(Machine m, Workload w) {
            as = m.mm().newAddressSpace("workload", Gfp.MOVABLE_ANON);
            java.util.Random r = new java.util.Random(w.seed());
            for (int i = 0; i < w.anonPages(); i++) as.add(r.nextLong() | 1);
            int perMs = Math.max(1, w.storesPerSec() / 1000);
            m.kernel().spawnProcess("worker", () -> {
                while (!stop) {
                    m.kernel().tryToFreeze();
                    if (stop) break;
                    for (int i = 0; i < perMs; i++) {
                        int slot = r.nextInt(as.size());
                        writeFault.accept(as.pfn(slot));
                        as.write(slot, r.nextLong() | 1);
                    }
                    m.kernel().msleepInterruptible(1);
                }
            });
        }
    }

    /** A new empty 1 GiB disk file at {@code disk}. */
    private static Path newDisk(Path disk) {
        SwapArea.createImage(disk, 1L << 30);
        return disk;
    }

    /** Boots the workload's machine on the disk {@code disk} (resume=/dev/vda: it resumes an image there). */
    private static Machine boot(Workload w, Path disk, HostState host, long seedOffset, boolean withDimm, String... extraQemu) {
        List<String> q = new ArrayList<>(List.of("-drive file=" + disk + ",if=virtio,format=raw"));
        q.addAll(List.of(extraQemu));
        if (withDimm && extraQemu.length > 0) {
            q.addAll(List.of("-object memory-backend-ram,id=mem2,size=" + w.dimmBytes(), "-device pc-dimm,id=dimm2,memdev=mem2"));
        }
        return Machine.boot(new MachineConfig(w.memory() + ",slots=4,maxmem=16G", "memhp_default_state=online resume=/dev/vda", q,
                w.kernel(), w.seed() + seedOffset), host);
    }

    /** The machine of every run: booted, swap on /dev/vda, the DIMM hot-added (and onlined), the workload started. */
    private static Machine prepared(Workload w, Path disk, HostState host) {
        Machine m = boot(w, newDisk(disk), host, 0, false);
        m.power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        ObjectNode obj = JsonNodeFactory.instance.objectNode().put("qom-type", "memory-backend-ram").put("id", "mem1").put("size", w.dimmBytes());
        check(m.qmp("object-add", obj));
        check(m.qmp("device_add", JsonNodeFactory.instance.objectNode().put("driver", "pc-dimm").put("id", "dimm1").put("memdev", "mem1")));
        m.runFor(2_000_000_000L);
        return m;
    }

    private static void check(ObjectNode reply) {
        if (reply.has("error")) throw new IllegalStateException("QMP: " + reply);
    }

    /** Runs {@code body} in a PF_NOFREEZE task of {@code m} until it returns or the machine powers off. */
    private static void inTask(Machine m, Runnable body) {
        boolean[] done = {false};
        m.kernel().spawn("hibernate", Task.PF_NOFREEZE, () -> {
            try {
                body.run();
            } finally {
                done[0] = true;
            }
        });
        m.kernel().runUntil(() -> done[0] || m.poweredOff());
    }

    /** (a): the kernel's hibernate(), once per resume target (a resume attempt consumes the image). */
    private static Row swsusp(Workload w, Path dir) {
        DesignRun first = null;
        String[] outcome = new String[3];
        long resumeNs = 0;
        for (int target = 0; target < 3; target++) {
            try (HostState host = new HostState()) {
                Path disk = dir.resolve("swsusp" + target + ".img");
                Machine m = prepared(w, disk, host);
                Worker worker = new Worker(m, w);
                m.runFor(100_000_000L);
                Map<Long, Long>[] point = new Map[1];
                m.power().setBeforeCopy(() -> {
                    point[0] = DesignResume.snapshotPoint(m.power());
                    worker.stop = true;
                });
                String[] err = {null};
                inTask(m, () -> {
                    try {
                        m.fs().lookupFile("/sys/power/state").write("disk\n");
                    } catch (KernelException e) {
                        err[0] = e.errno().name();
                    }
                });
                Hibernation.Report r = m.power().lastReport();
                if (!m.poweredOff()) {
                    return new Row(new DesignRun("swsusp", 0, 0, 0, 0, 0, "hibernate: " + err[0], 0, Map.of(), Map.of(), 0, 0),
                            0, "no image", "no image", "no image");
                }
                if (first == null) {
                    first = new DesignRun("swsusp", r.savedPages(), r.copiedPages(), m.power().lastDiskWrites(),
                            r.powerOffNs() - r.startNs(), r.powerOffNs() - r.startNs(), null, 0, Map.of(), point[0],
                            m.mm().totalPresentPages(), 0);
                }
                String[] qemu = target == 1 ? new String[0] : new String[] {"-object memory-backend-ram,id=mem1,size=" + w.dimmBytes(),
                        "-device pc-dimm,id=dimm1,memdev=mem1"};
                Machine back = boot(w, disk, host, 20 + target, target == 2, qemu);
                if (back == m) {
                    if (target == 0) resumeNs = m.power().lastResumeReadNs();
                    long lost = DesignResume.lostPages(back.power(), point[0]);
                    outcome[target] = lost == 0 ? "resumed, intact" : "resumed, " + lost + " pages lost";
                } else {
                    List<String> log = back.drainKernelLog();
                    outcome[target] = log.stream().anyMatch(l -> l.contains("Image mismatch: memory size"))
                            ? "refused: Image mismatch: memory size" : "fresh boot";
                }
            }
        }
        return new Row(first, resumeNs, outcome[0], outcome[1], outcome[2]);
    }

    /** (b) and (c): the design's run in a task of the prepared machine, then the resumes. */
    private static Row own(Workload w, Path dir, String name, Function<Hibernation, java.util.function.Supplier<DesignRun>> design,
                           LongConsumer writeFault, long unplugged, long plugged) {
        try (HostState host = new HostState()) {
            Machine m = prepared(w, dir.resolve(name + ".img"), host);
            Worker worker = new Worker(m, w);
            if (writeFault != null) worker.writeFault = writeFault;
            m.runFor(100_000_000L);
            java.util.function.Supplier<DesignRun> d = design.apply(m.power());
            DesignRun[] run = {null};
            String[] resumed = {"no image"};
            long[] resumeNs = {0};
            inTask(m, () -> {
                run[0] = d.get();
                worker.stop = true;
                if (run[0].completed()) {
                    long t0 = m.kernel().now();
                    long lost = DesignResume.restore(m.power(), run[0]);
                    resumeNs[0] = m.kernel().now() - t0;
                    resumed[0] = lost == 0 ? "resumed, intact" : "resumed, " + lost + " pages lost";
                }
            });
            return new Row(run[0], resumeNs[0], resumed[0], outcome(run[0], unplugged), outcome(run[0], plugged));
        }
    }

    private static String outcome(DesignRun run, long presentPages) {
        String why = run.refusal(presentPages);
        return why == null ? "resumes" : why.equals("no image") ? why : "refused: " + why;
    }

    /** The comparison table, one line per row, MiB of 4 KiB pages and milliseconds of virtual time. */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder(String.format("%-26s %9s %9s %9s %9s %11s %9s %8s  %-17s %-36s %-36s %s%n",
                "design", "extra MiB", "written", "image MiB", "frozen ms", "to off ms", "resume ms", "lost",
                "same machine", "DIMM unplugged", "DIMM plugged", "failure"));
        for (Row r : rows) {
            DesignRun d = r.run();
            b.append(String.format("%-26s %9.1f %9d %9.1f %9.1f %11.1f %9.1f %8d  %-17s %-36s %-36s %s%n", d.design(),
                    d.extraPages() / 256.0, d.pagesWritten(), d.devicePages() / 256.0, d.downtimeNs() / 1e6, d.powerOffNs() / 1e6,
                    r.resumeNs() / 1e6, d.lostWrites(), r.resumed(), r.unplugged(), r.plugged(), d.failure() == null ? "-" : d.failure()));
        }
        return b.toString();
    }
}
