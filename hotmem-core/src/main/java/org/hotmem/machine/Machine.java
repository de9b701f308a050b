package org.hotmem.machine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.hotmem.drivers.AcpiMemoryHotplugDriver;
import org.hotmem.drivers.LegacyPmem;
import org.hotmem.drivers.PseriesCmm;
import org.hotmem.drivers.PseriesHotplugMemory;
import org.hotmem.drivers.VirtioBalloonDriver;
import org.hotmem.drivers.VirtioMemDevices;
import org.hotmem.drivers.VirtioMemDriver;
import org.hotmem.hotplug.HotplugParams;
import org.hotmem.hotplug.Memremap;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hv.HostTimers;
import org.hotmem.hv.MachineType;
import org.hotmem.hv.QmpEvent;
import org.hotmem.hv.Qemu;
import org.hotmem.hv.VirtioMem;
import org.hotmem.kernel.BootParams;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelPanic;
import org.hotmem.kernel.LogLevel;
import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.Workqueue;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.Arch;
import org.hotmem.mm.KernelProfile;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MmBootOptions;
import org.hotmem.power.Hibernation;
import org.hotmem.power.CgroupFreezer;
import org.hotmem.power.SnapshotDevice;

/**
 * One booted guest and the QEMU process around it: the {@code pc} machine ({@link Qemu}), the
 * guest kernel runtime, its memory model and memory hotplug, the guest drivers of the memory
 * devices, and the sysfs/procfs tree. Host and guest share the kernel's virtual clock; QMP
 * commands run on the host side between scheduling steps, and the guest reacts on its own
 * kernel threads as virtual time passes ({@link #runFor}).
 *
 * <p>Boot: the kernel banner and command line, then mm's boot (e820, the SRAT lines from initmem_init, zones,
 * reservations, "Memory:"), memory block devices, and an init task that enumerates the ACPI
 * memory devices and, when the initramfs would load virtio modules, probes virtio-mem and
 * virtio-balloon. {@link #boot} returns once that has settled, about five seconds into
 * virtual uptime as on the recorded guests.
 *
 * <p>Not thread-safe: drive one machine from one thread. No static mutable state.
 */
public final class Machine {
    /** The kernel command line every recorded guest was booted with, before the scenario's part. */
    public static final String DEFAULT_CMDLINE = "console=ttyS0 panic=-1 nokaslr ignore_loglevel printk.time=1 "
            + "dyndbg=\"file mm/memory_hotplug.c +p; file mm/page_isolation.c +p; file drivers/base/memory.c +p; "
            + "file drivers/acpi/acpi_memhotplug.c +p\"";
    /** The kernel command line of every recorded pseries guest (../shared/linux-recorder-ppc), before the scenario's part. */
    public static final String PSERIES_CMDLINE = "console=hvc0 panic=-1 ignore_loglevel printk.time=1 "
            + "dyndbg=\"file mm/memory_hotplug.c +p; file mm/page_isolation.c +p; file drivers/base/memory.c +p; "
            + "file arch/powerpc/platforms/pseries/hotplug-memory.c +p; file arch/powerpc/platforms/pseries/dlpar.c +p; "
            + "file arch/powerpc/platforms/pseries/ras.c +p\"";
    /** Host wall-clock seconds at virtual time 0 (QMP event timestamps). */
    static final long EPOCH_BASE_SECONDS = 1_795_299_840L;
    /** Where debugfs is mounted; its files live in the machine's kernfs tree under it. */
    public static final String DEBUGFS = "/sys/kernel/debug";
    /** Virtual uptime at which acpi_init enumerates devices. */
    static final long ACPI_SCAN_NS = 2_000_000_000L;
    /** Virtual uptime at which the initramfs has loaded virtio_mem and virtio_balloon. */
    static final long VIRTIO_PROBE_NS = 5_300_000_000L;

    private final MachineConfig config;
    private final Kernel kernel;
    private final Kernfs fs;
    private final Qemu qemu;
    private final String cmdline;
    private MemoryModel mm;
    private MemoryHotplug hotplug;
    private AcpiMemoryHotplugDriver acpiDriver;
    /** pseries: the DLPAR memory code (null on pc). */
    private PseriesHotplugMemory dlpar;
    /** The board. */
    private final MachineType machineType;
    /** pseries: cmm.ko with the fixed OOM notifier. */
    private final boolean cmmFixedOom;
    /** pseries: the loaded CMM driver, or null. */
    private PseriesCmm cmm;
    private final List<VirtioMemDriver> virtioMemDrivers = new ArrayList<>();
    private VirtioBalloonDriver balloonDriver;
    private Hibernation power;
    private CgroupFreezer cgroups;
    /** The machine whose image kernel a user-space resume in this boot kernel found, or null. */
    private Machine userImage;
    private final HostState host;
    /** The guest's memory geometry. */
    private final Arch arch;
    private KernelModules modules;
    /** mm/memremap.c: ZONE_DEVICE mappings (memremap_pages()/memunmap_pages()). */
    private Memremap memremap;
    /** nd_e820 + nd_pmem for the memmap=nn!ss ranges (bound on request: the recorded guest has no nvdimm modules). */
    private LegacyPmem legacyPmem;
    private Workqueue systemFreezableWq;
    private long logMark;
    /** The console lines of the boot kernel that last restored this machine from its image. */
    private List<String> loaderLog = List.of();

    private Machine(Builder b) {
        this.config = b.config();
        this.host = b.host;
        this.machineType = b.machineType;
        this.cmmFixedOom = b.cmmFixedOom;
        this.arch = b.machineType == MachineType.PSERIES ? Arch.PPC64_PSERIES_64K : b.arch;
        this.kernel = new Kernel(b.strategy != null ? b.strategy : SchedulingStrategy.random(b.seed));
        this.fs = new Kernfs();
        HostTimers timers = new HostTimers() {
            @Override
            public long nowNs() {
                return kernel.now();
            }

            @Override
            public void schedule(long delayNs, Runnable action) {
                kernel.addTimer(delayNs, action);
            }
        };
        this.qemu = Qemu.start(machineType, config.memory(), config.qemuArgs(), timers, EPOCH_BASE_SECONDS);
        String base = machineType == MachineType.PSERIES ? PSERIES_CMDLINE : DEFAULT_CMDLINE;
        this.cmdline = config.cmdline().isBlank() ? base : base + " " + config.cmdline().trim();
    }

    /** A builder of a machine: the conformance defaults until set (see {@link MachineConfig}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What a machine is built from: the architecture, QEMU's options ({@code -m} and further
     * arguments), the kernel command line, the kernel imitated, the scheduling strategy and
     * seed, and the host (its disks and hibernated guests) it runs on. Unset values take the
     * conformance defaults ({@link MachineConfig}); the strategy defaults to
     * {@link SchedulingStrategy#random} with the seed, the host to a fresh one. One builder
     * builds one machine: a strategy is stateful.
     */
    public static final class Builder {
        private Arch arch = Arch.X86_64;
        private MachineType machineType = MachineType.PC;
        private boolean cmmFixedOom;
        private String memory;
        private String cmdline = "";
        private final List<String> qemuArgs = new ArrayList<>();
        private KernelVersion kernel;
        private long seed = 1;
        private SchedulingStrategy strategy;
        private HostState host;

        private Builder() {
        }

        /**
         * The guest architecture of a {@code pc} machine; only {@link Arch#X86_64} boots there. A
         * {@link MachineType#PSERIES} machine is always {@link Arch#PPC64_PSERIES_64K}.
         */
        public Builder arch(Arch a) {
            this.arch = a;
            return this;
        }

        /**
         * pseries: whether the guest's cmm.ko has the fixed OOM notifier, which frees at most
         * the pages it has loaned (Linux 6.1's frees {@code oom_kb} regardless and BUG()s in
         * balloon_page_dequeue() when fewer are loaned). Default false: the recorded driver.
         */
        public Builder cmmFixedOom(boolean fixed) {
            this.cmmFixedOom = fixed;
            return this;
        }

        /** The QEMU board ({@code -machine pc}, the default, or {@code pseries}). */
        public Builder machine(MachineType t) {
            this.machineType = t;
            return this;
        }

        /** QEMU's {@code -m} value, e.g. {@code 4G,slots=8,maxmem=16G}. */
        public Builder memory(String m) {
            this.memory = m;
            return this;
        }

        /** Further QEMU arguments ({@code -object ...}, {@code -device ...}; tokens or whole lines), appended. */
        public Builder qemu(String... args) {
            qemuArgs.addAll(List.of(args));
            return this;
        }

        /** As {@link #qemu(String...)}. */
        public Builder qemu(List<String> args) {
            qemuArgs.addAll(args);
            return this;
        }

        /** The kernel command line appended to {@link Machine#DEFAULT_CMDLINE}. */
        public Builder cmdline(String c) {
            this.cmdline = c;
            return this;
        }

        /** The Linux version imitated. */
        public Builder kernel(KernelVersion v) {
            this.kernel = v;
            return this;
        }

        /** The scheduler seed (for the default random strategy, and recorded in the config). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** The scheduling strategy: random, PCT, round-robin or replay ({@link SchedulingStrategy}'s factories). */
        public Builder strategy(SchedulingStrategy s) {
            this.strategy = s;
            return this;
        }

        /** The host to run on (its disks may hold a hibernated guest, see {@link Machine#boot(MachineConfig, HostState)}). */
        public Builder host(HostState h) {
            this.host = h;
            return this;
        }

        /** Takes every value of {@code c}: memory, command line, QEMU arguments, kernel, seed. */
        public Builder config(MachineConfig c) {
            this.memory = c.memory();
            this.cmdline = c.cmdline();
            this.qemuArgs.clear();
            this.qemuArgs.addAll(c.qemuArgs());
            this.kernel = c.kernel();
            this.seed = c.seed();
            return this;
        }

        MachineConfig config() {
            return new MachineConfig(memory, cmdline, qemuArgs, kernel, seed);
        }

        /**
         * Builds and boots the machine (see {@link Machine#boot(MachineConfig, HostState)} for
         * what is thrown and for resuming from a disk).
         *
         * @throws IllegalArgumentException for an architecture whose machine is not modelled
         */
        public Machine boot() {
            if (machineType == MachineType.PC && arch.bootMap() != Arch.BootMap.E820) {
                throw new IllegalArgumentException("no machine type of architecture " + arch.name()
                        + " is modelled yet (its memory model boots on its own: MemoryModel.boot)");
            }
            if (host == null) {
                host = new HostState();
            }
            return Machine.start(this);
        }
    }

    /**
     * Builds the QEMU machine, boots the guest and returns with the boot log available from
     * {@link #drainKernelLog()}.
     *
     * @throws org.hotmem.hv.QemuConfigException (an IllegalArgumentException) with QEMU's
     *         message when QEMU would refuse the configuration (bad -m, unknown device, ...)
     * @throws KernelPanic if the guest kernel panics while booting (e.g. too little memory for its boot allocations)
     * @throws IllegalStateException if the guest does not settle after boot (a deadlock report)
     */
    public static Machine boot(MachineConfig config) {
        return builder().config(config).boot();
    }

    /**
     * As {@link #boot(MachineConfig)} on a host whose disks may hold a hibernation image: when
     * the kernel command line names a resume device ({@code resume=}) the initramfs writes it to
     * /sys/power/resume and software_resume() runs. If the image resumes, the machine returned
     * is the one that hibernated, running again; otherwise the fresh one, with Linux's messages
     * about the refusal in its log.
     */
    public static Machine boot(MachineConfig config, HostState host) {
        return builder().config(config).host(host).boot();
    }

    private static Machine start(Builder b) {
        Machine m = new Machine(b);
        try {
            m.bootKernel();
        } catch (KernelPanic p) {
            // panic(): the message and the end marker; panic=-1 reboots at once and QEMU (-no-reboot) exits
            m.kernel.dmesg().printk(LogLevel.EMERG, p.getMessage());
            m.kernel.dmesg().printk(LogLevel.EMERG, "---[ end " + p.getMessage() + " ]---");
            throw p;
        }
        Machine resumed = m.resumeFromDisk();
        return resumed != null ? resumed : m;
    }

    /** What the recorded initramfs does after loading virtio_blk: echo the resume device to /sys/power/resume. */
    private Machine resumeFromDisk() {
        boolean[] done = {false};
        kernel.spawn("init", 0, () -> {
            power.softwareResume();
            done[0] = true;
        });
        kernel.runUntil(() -> done[0] || kernel.halted());
        if (power.resumedInto() == null) {
            kernel.runUntilIdle();
            return null;
        }
        return handOver(host.suspendedOn(power.resumedBlockDevice()));
    }

    /**
     * After a user-space resume in this machine (SNAPSHOT_ATOMIC_RESTORE on /dev/snapshot, which
     * halted this boot kernel): the machine that hibernated, running again on this console; null
     * if this kernel handed over to no image.
     */
    public Machine userResumed() {
        if (power.resumedInto() == null || userImage == null || userImage.power != power.resumedInto()) return null;
        return handOver(userImage);
    }

    private Machine handOver(Machine image) {
        host.forget(image);
        image.loaderLog = kernel.dmesg().since(0); // the same console: the boot kernel's lines come first
        image.qemu.startedAgain(); // before its devices' restore callbacks run
        image.runFor(0);
        return image;
    }

    private void bootKernel() {
        KernelVersion v = config.kernel();
        KernelProfile profile = KernelProfile.of(v, arch);
        kernel.setUname(profile.release(), profile.unameVersion());
        kernel.dmesg().info(profile.banner());
        kernel.dmesg().info("Command line: " + cmdline);
        HotplugParams hotplugParams = HotplugParams.defaults(v);
        BootParams bootParams = Hibernation.registerBootParams(hotplugParams.register(BootParams.x86Defaults(), v), v);
        mm = MemoryModel.boot(arch, qemu.bootMemoryMap(), MmBootOptions.fromCmdline(cmdline), v, kernel, fs, qemu.srat(),
                () -> {
                    kernel.dmesg().printk(LogLevel.NOTICE, "Kernel command line: " + cmdline);
                    bootParams.parse(cmdline, kernel.dmesg());
                });
        if (machineType == MachineType.PSERIES) {
            mm.setCosts(org.hotmem.mm.MmCosts.PSERIES_TCG);
        }
        hotplug = new MemoryHotplug(mm, fs, hotplugParams);
        memremap = new Memremap(hotplug);
        legacyPmem = new LegacyPmem(mm, memremap, hotplug.iomem(), kernel.dmesg());
        fs.addFile(fs.mkdirs("/proc"), "cmdline", 0444, () -> cmdline + "\n", null); // proc_cmdline_init(): saved_command_line
        power = new Hibernation(kernel, mm, hotplug, fs, v, cmdline, qemu.bootMemoryMap());
        for (int i = 0; i < qemu.drives().size(); i++) {
            power.addBlockDevice(new Hibernation.BlockDevice("vd" + (char) ('a' + i), 254, 16 * i, qemu.drives().get(i).file()));
        }
        power.setOnImageWritten((disk, h) -> {
            host.recordSuspended(disk, this);
            switch (h.mode()) { // power_down(): how the firmware is asked to go off
                case PLATFORM, SUSPEND -> qemu.acpiSleep(4); // model: suspend-to-both goes off like platform
                case REBOOT -> qemu.guestReset();
                default -> qemu.acpiSleep(5);
            }
        });
        cgroups = new CgroupFreezer(kernel, fs);
        power.setUserImageKeeper(key -> {
            host.recordSuspendedImage(key, this);
            qemu.acpiSleep(4);
        }, key -> {
            Machine m = host.suspendedWithImage(key);
            if (m == null) return null;
            userImage = m;
            return m.power;
        });
        power.setImageKernels(disk -> {
            Machine m = host.suspendedOn(disk);
            return m == null ? null : m.power;
        });
        fs.mkdirs(DEBUGFS); // debugfs_init(): its mount point (model: debugfs lives in the one kernfs tree)
        modules = new KernelModules(fs, hotplug, kernel.dmesg());
        if (machineType == MachineType.PSERIES) {
            modules.registerOutOfTree("cmm", this::newCmm);
        }
        systemFreezableWq = new Workqueue(kernel, "events_freezable", Workqueue.WQ_FREEZABLE);
        if (machineType == MachineType.PSERIES) {
            dlpar = new PseriesHotplugMemory(kernel, hotplug, qemu.spaprMemoryHotplug());
        } else {
            acpiDriver = new AcpiMemoryHotplugDriver(kernel, hotplug, qemu.acpiMemoryHotplug(), fs);
        }
        kernel.spawn("swapper/0", Task.PF_KTHREAD, this::initTask);
        kernel.runFor(VIRTIO_PROBE_NS + 100_000_000L);
        kernel.runUntilIdle().ifPresent(r -> {
            throw new IllegalStateException("guest did not settle after boot:\n" + r);
        });
    }

    /** The cmm.ko of the recorder's initramfs, as a module of this machine. */
    private KernelModules.Module newCmm() {
        PseriesCmm c = new PseriesCmm(kernel, hotplug, fs, cmmFixedOom);
        return new KernelModules.Module() {
            @Override
            public void init(String params) {
                c.init(params);
                c.registerParameters();
                cmm = c;
            }

            @Override
            public void exit() {
                c.exit();
                cmm = null;
            }
        };
    }

    /**
     * The guest programs the built-in shell runs beyond busybox's applets: {@code insmod},
     * {@code rmmod} and the recorder's {@code memhog} ({@link GuestPrograms}).
     */
    public java.util.Map<String, org.hotmem.kernel.UserProgram> programs() {
        return GuestPrograms.of(kernel, mm, modules);
    }

    /** pseries: the loaded CMM driver, or null. */
    public PseriesCmm cmm() {
        return cmm;
    }

    /** What the init task does with the memory devices: acpi_init's scan, then the virtio modules. */
    private void initTask() {
        kernel.scheduleTimeoutUninterruptible(ACPI_SCAN_NS);
        if (acpiDriver != null) {
            acpiDriver.scanAtBoot();
        }
        kernel.scheduleTimeoutUninterruptible(Math.max(0, VIRTIO_PROBE_NS - kernel.now()));
        VirtioMemDevices virtioMemDevices = new VirtioMemDevices(hotplug);
        for (VirtioMem vm : qemu.virtioMems()) {
            VirtioMemDriver d = new VirtioMemDriver(kernel, hotplug, vm, systemFreezableWq, virtioMemDevices);
            d.registerPm(power);
            virtioMemDrivers.add(d);
        }
        if (qemu.balloon() != null) {
            balloonDriver = new VirtioBalloonDriver(kernel, hotplug, qemu.balloon(), systemFreezableWq);
            balloonDriver.registerPm(power);
        }
    }


    // ---------------------------------------------------------------- the contract

    public MachineConfig config() {
        return config;
    }

    /** The guest kernel runtime (tasks, virtual clock, dmesg). */
    public Kernel kernel() {
        return kernel;
    }

    /** The machine's sysfs/procfs tree. */
    public Kernfs fs() {
        return fs;
    }

    /** The full kernel command line. */
    public String cmdline() {
        return cmdline;
    }

    /**
     * Executes one QMP command on the host side and returns QEMU's reply
     * ({@code {"return": ...}} or {@code {"error": {"class", "desc"}}}). Call it from outside
     * any task; the guest sees the effect as time passes.
     */
    public ObjectNode qmp(String execute, ObjectNode args) {
        return qemu.qmp(execute, args == null ? JsonNodeFactory.instance.objectNode() : args);
    }

    /** QMP events delivered since the last drain, oldest first, each with its virtual timestamp. */
    public List<ObjectNode> drainEvents() {
        return qemu.events().drain().stream().map(QmpEvent::toJson).toList();
    }

    /** Kernel log lines printed since the last drain (the boot log on the first call). */
    public List<String> drainKernelLog() {
        List<String> out = kernel.dmesg().since(logMark);
        logMark = kernel.dmesg().mark();
        return out;
    }

    /**
     * What the console showed of the boot kernel that last restored this machine from its image
     * (its whole log up to the jump; the lines printed after it are this kernel's), or nothing.
     */
    public List<String> resumeLoaderLog() {
        return loaderLog;
    }

    /** Lets {@code ns} of virtual time pass; host timers and guest threads run. */
    public void runFor(long ns) {
        kernel.runFor(ns);
    }

    // ---------------------------------------------------------------- parts, for tests and tools

    /** The board. */
    public MachineType machineType() {
        return machineType;
    }

    public Qemu qemu() {
        return qemu;
    }

    public MemoryModel mm() {
        return mm;
    }

    public MemoryHotplug hotplug() {
        return hotplug;
    }

    public List<VirtioMemDriver> virtioMemDrivers() {
        return List.copyOf(virtioMemDrivers);
    }

    /** Hibernation, the freezer and /sys/power of this guest. */
    /** The cgroup v2 freezer at /sys/fs/cgroup. */
    public CgroupFreezer cgroups() {
        return cgroups;
    }

    /** /dev/snapshot (kernel/power/user.c). */
    public SnapshotDevice snapshotDevice() {
        return power.snapshotDevice();
    }

    public Hibernation power() {
        return power;
    }

    /** The host this machine runs on (its disks and hibernated guests). */
    public HostState host() {
        return host;
    }

    /** Whether the guest powered itself off (after writing a hibernation image). */
    public boolean poweredOff() {
        return kernel.halted();
    }

    /** The loadable modules (memory-notifier-error-inject); load and unload inside a task. */
    public Memremap memremap() {
        return memremap;
    }

    public LegacyPmem legacyPmem() {
        return legacyPmem;
    }

    public KernelModules modules() {
        return modules;
    }

    /** The balloon driver, or null without a balloon device. */
    public VirtioBalloonDriver balloonDriver() {
        return balloonDriver;
    }
}
