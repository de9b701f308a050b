package org.hotmem.machine;

import java.util.List;

import org.hotmem.drivers.SclpMemory;
import org.hotmem.hotplug.HotplugParams;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryInvariants;
import org.hotmem.hv.SclpStorage;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.Arch;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MmBootOptions;
import org.hotmem.mm.Srat;

/**
 * An {@code s390-ccw-virtio} style guest with standby memory: the SCLP's storage increments
 * ({@link SclpStorage}), an s390x kernel ({@link Arch#s390x}) booted on the assigned increments,
 * memory hotplug, and sclp_cmd.c's standby-memory driver ({@link SclpMemory}) run as its initcall.
 * It has no QMP, devices or scenario files (the pc and pseries boards' {@link Machine} has those):
 * the guest is driven through sysfs ({@link #read}, {@link #write}).
 *
 * <p>The memory hotplug default is offline unless the command line says otherwise: model, as
 * s390 distribution kernels are taken to be built without MEMORY_HOTPLUG_DEFAULT_ONLINE
 * [uncertain], so standby blocks stay offline at boot as on an LPAR. No s390 guest could be
 * recorded (QEMU dropped s390x standby memory in 5.0); see {@link SclpMemory} for the sources.
 * Model: the kernel image and early reservations are the x86-64 build's ({@code KernelProfile.of}),
 * since no s390x boot was recorded; only the block and zone layout is s390's.
 */
public final class S390Machine {
    private final Kernel kernel;
    private final Kernfs fs = new Kernfs();
    private final SclpStorage sclp;
    private final MemoryModel mm;
    private final MemoryHotplug hotplug;
    private final SclpMemory sclpMemory;

    private S390Machine(String memoryOption, KernelVersion v, String cmdline, SclpMemory.Protocol protocol,
                        boolean memmapOnStandby, long seed) {
        this.kernel = Kernel.withSeed(seed);
        this.sclp = SclpStorage.parse(memoryOption);
        this.mm = MemoryModel.boot(Arch.s390x(sclp.rzm()), sclp.memoryMap(), MmBootOptions.fromCmdline(cmdline), v, kernel, fs,
                Srat.NONE, () -> { });
        this.hotplug = new MemoryHotplug(mm, fs, HotplugParams.fromCmdline("memhp_default_state=offline " + cmdline, v));
        hotplug.setPhysicalMemory((pfn, nr) -> sclp.accessible(pfn << mm.arch().pageShift(), nr << mm.arch().pageShift()));
        this.sclpMemory = new SclpMemory(kernel, hotplug, sclp, protocol, memmapOnStandby);
        run(sclpMemory::detectStandbyMemory);
    }

    /**
     * Boots a guest of {@code -m memoryOption} (e.g. {@code 2G,maxmem=4G}: 2 GiB assigned, 2 GiB
     * standby) on kernel {@code v} with the kernel's own protocol and, on the two-stage one, the
     * memmap on the standby memory (EDAT1).
     */
    public static S390Machine boot(String memoryOption, KernelVersion v, String cmdline, long seed) {
        SclpMemory.Protocol p = SclpMemory.Protocol.of(v);
        return new S390Machine(memoryOption, v, cmdline, p, p == SclpMemory.Protocol.TWO_STAGE, seed);
    }

    /** As {@link #boot}, with the protocol and memmap placement chosen (the switch seed 002 asks for). */
    public static S390Machine boot(String memoryOption, KernelVersion v, String cmdline, SclpMemory.Protocol protocol,
                                   boolean memmapOnStandby, long seed) {
        return new S390Machine(memoryOption, v, cmdline, protocol, memmapOnStandby, seed);
    }

    /** Runs {@code body} in a kernel task to completion; its exception is rethrown. */
    public void run(Runnable body) {
        RuntimeException[] err = new RuntimeException[1];
        boolean[] done = new boolean[1];
        kernel.spawn("init", 0, () -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                err[0] = e;
            } finally {
                done[0] = true;
            }
        });
        kernel.runUntil(() -> done[0]);
        if (err[0] != null) {
            throw err[0];
        }
    }

    /** cat path. */
    public String read(String path) {
        String[] out = new String[1];
        run(() -> out[0] = fs.lookupFile(path).read());
        return out[0];
    }

    /** echo text > path: null on success, else the errno. */
    public Errno write(String path, String text) {
        Errno[] out = new Errno[1];
        run(() -> {
            try {
                fs.openForWrite(path).write(text + "\n");
            } catch (KernelException e) {
                out[0] = e.errno();
            }
        });
        return out[0];
    }

    public SclpStorage sclp() {
        return sclp;
    }

    public SclpMemory sclpMemory() {
        return sclpMemory;
    }

    public MemoryModel mm() {
        return mm;
    }

    public MemoryHotplug hotplug() {
        return hotplug;
    }

    /** The kernel log since boot, without timestamps. */
    public List<String> dmesg() {
        return kernel.dmesg().since(0).stream().map(l -> l.replaceFirst("^\\[[^]]*\\] ", "")).toList();
    }

    /** The model's invariants (empty when they hold). */
    public List<String> invariants() {
        return MemoryInvariants.check(hotplug);
    }
}
