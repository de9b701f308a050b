package org.hotmem.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import org.hotmem.hotplug.HotplugParams;
import org.hotmem.hotplug.MemoryBlock;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.kernel.Kernel;
import org.hotmem.mm.Arch;
import org.hotmem.mm.E820Entry;
import org.hotmem.mm.E820Type;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemSection;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MmBootOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory hotplug at scale: a guest booted with 4 GiB and {@code hotAddGib} GiB hot-added as
 * 128 MiB blocks (default 1020: a 1 TiB guest). {@link #onlineThenOfflineAll} onlines every
 * hot-added block (plain online: the default zone) and offlines it again;
 * {@link #sequentialMetadataPass} reads the info word of every present page once, as the floor
 * any per-page operation has to pay; {@link #footprint} reports, with every block online, the
 * heap in use and the bytes hotmem holds for the memmap per 4 KiB page.
 *
 * <p>Run: {@code ./bench HotplugScale} (the fork gets a 4 GiB heap and runs the simulated tasks
 * as continuations of the benchmark thread, as {@code ./hotmem} does); a 4 TiB guest:
 * {@code ./bench HotplugScale -p hotAddGib=4092 -jvmArgsAppend "-Xmx12g -Xms12g --add-exports
 * java.base/jdk.internal.vm=ALL-UNNAMED"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Xms4g", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class HotplugScaleBenchmark {
    @Param({"1020"})
    public int hotAddGib;

    private Kernel kernel;
    private MemoryModel mm;
    private MemoryHotplug hp;
    private int firstBlock;
    private int lastBlock;

    @Setup(Level.Trial)
    public void boot() {
        kernel = Kernel.withSeed(1);
        java.util.List<E820Entry> e820 = java.util.List.of(
                new E820Entry(0, 0x9fc00, E820Type.USABLE),
                new E820Entry(0x9fc00, 0x400, E820Type.RESERVED),
                new E820Entry(0xf0000, 0x10000, E820Type.RESERVED),
                new E820Entry(0x100000, 0xbffe0000L - 0x100000, E820Type.USABLE),
                new E820Entry(0xbffe0000L, 0x20000, E820Type.RESERVED),
                new E820Entry(0xfffc0000L, 0x40000, E820Type.RESERVED),
                new E820Entry(0x100000000L, 0x40000000L, E820Type.USABLE));
        mm = MemoryModel.boot(e820, MmBootOptions.defaults(), KernelVersion.V6_12, kernel, null);
        // 1020 GiB of hot-added memory needs ~16 GiB of struct pages: more than the 4 GiB boot
        // memory has, so (as on real Linux) the memmap goes onto the hot-added memory itself.
        HotplugParams params = HotplugParams.fromCmdline(
                "memhp_default_state=offline memory_hotplug.memmap_on_memory=1", KernelVersion.V6_12);
        hp = new MemoryHotplug(mm, null, params);
        long start = 5L << 30;
        long size = (long) hotAddGib << 30;
        run(() -> hp.addMemory(0, start, size, MemoryHotplug.MHP_MEMMAP_ON_MEMORY));
        firstBlock = (int) (start / Arch.X86_64.blockSizeBytes());
        lastBlock = (int) ((start + size) / Arch.X86_64.blockSizeBytes()) - 1;
    }

    private void run(Runnable body) {
        boolean[] done = new boolean[1];
        kernel.spawn("bench", 0, () -> {
            body.run();
            done[0] = true;
        });
        if (!kernel.runUntil(() -> done[0])) {
            throw new IllegalStateException("the benchmark's kernel task did not complete: " + kernel.deadlockReport());
        }
    }

    /** Online (the default zone) and then offline every hot-added block. */
    @Benchmark
    public long onlineThenOfflineAll() {
        long cpu0 = threadCpuNs();
        onlineAll();
        offlineAll();
        printCpu(cpu0);
        return mm.totalManagedPages();
    }

    private static long threadCpuNs() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /**
     * Prints the CPU time this thread (which runs every simulated task: the fork exports
     * jdk.internal.vm) spent since cpu0: a figure that other processes on the machine inflate
     * far less than the wall time JMH reports.
     */
    private static void printCpu(long cpu0) {
        System.out.printf("(thread cpu %d ms) ", (threadCpuNs() - cpu0) / 1_000_000);
    }

    private void onlineAll() {
        run(() -> {
            for (int id = firstBlock; id <= lastBlock; id++) {
                hp.lockDeviceHotplug();
                try {
                    hp.deviceOnline(id);
                } finally {
                    hp.unlockDeviceHotplug();
                }
                if (hp.block(id).state() != MemoryBlock.State.ONLINE) {
                    throw new IllegalStateException("memory" + id + " did not come online");
                }
            }
        });
    }

    private void offlineAll() {
        run(() -> {
            for (int id = firstBlock; id <= lastBlock; id++) {
                hp.lockDeviceHotplug();
                try {
                    hp.deviceOffline(id);
                } finally {
                    hp.unlockDeviceHotplug();
                }
                if (hp.block(id).state() != MemoryBlock.State.OFFLINE) {
                    throw new IllegalStateException("memory" + id + " did not go offline");
                }
            }
        });
    }

    /** One sequential pass over the info words of every present page. */
    @Benchmark
    public long sequentialMetadataPass() {
        long cpu0 = threadCpuNs();
        long sum = 0;
        for (MemSection s : mm.presentSections()) {
            sum += sectionPass(s.startPfn());
        }
        printCpu(cpu0);
        return sum;
    }

    /** One section of the pass: a method of its own, so that it is compiled like any hot method, not only on stack replacement. */
    private long sectionPass(long base) {
        long sum = 0;
        for (int i = 0; i < Arch.X86_64.pagesPerSection(); i++) {
            sum += mm.info(base + i);
        }
        return sum;
    }

    /**
     * With every hot-added block online: the heap in use after a full GC (MiB, the result) and
     * the bytes hotmem holds for the memmap per 4 KiB page, printed; the time is irrelevant.
     */
    @Benchmark
    public long footprint() {
        onlineAll();
        long bytes = 0;
        long pages = 0;
        int materialised = 0;
        for (MemSection s : mm.presentSections()) {
            bytes += s.memmapBytes();
            pages += Arch.X86_64.pagesPerSection();
            materialised += s.materialisedPageblocks();
        }
        long heapMib = heapUsedMib();
        System.out.printf("online: heap used %d MiB, memmap %.3f bytes per 4 KiB page, %d pageblocks with per-page words%n",
                heapMib, (double) bytes / pages, materialised);
        offlineAll();
        System.out.printf("offline again: heap used %d MiB%n", heapUsedMib());
        return heapMib;
    }

    private static long heapUsedMib() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    }
}
