package org.hotmem.power;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.kernel.KernelStrings;
import org.hotmem.kernel.BootParams;
import org.hotmem.kernel.Completion;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.E820Entry;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;

/**
 * Kernel-driven hibernation of one machine (kernel/power/hibernate.c) and its sysfs files
 * (/sys/power/{state,disk,image_size,reserved_size,resume,resume_offset,pm_freeze_timeout,mem_sleep,pm_async}):
 * {@link #hibernate()} is what {@code echo disk > /sys/power/state} runs, {@link #softwareResume()}
 * what the boot kernel runs for {@code resume=} or a write to /sys/power/resume.
 *
 * <p>The sequence is Linux's: lock_system_sleep, the one-at-a-time token, the PM notifiers
 * (robust chain), filesystem sync, freeze_processes, lock_device_hotplug (memory hotplug is
 * excluded until the end; switchable for the pre-2013 bug), the basic bitmaps, preallocation,
 * freeze_kernel_threads, the devices' freeze callbacks, the atomic copy, thaw callbacks, the
 * image write, power-down; every failure unwinds what was done in reverse order.
 *
 * <p>After power-down the kernel is halted. A resume from the image (in a fresh machine, by its
 * boot kernel) reaches the image kernel through {@link #restore}: every saved page gets the
 * content decoded from the image bytes, and the hibernating task continues where the restored
 * kernel does, in the "came back from the image" branch.
 * // model: the image kernel's own data structures are this object graph, which the host keeps
 * // with the disk (see the machine's host state); its page contents come from the image bytes.
 *
 * <p>User space drives the same steps through {@link #snapshotDevice()} (/dev/snapshot,
 * kernel/power/user.c): the package-private methods under "for /dev/snapshot" are the pieces
 * user.c calls (the token, the notifiers, the bitmaps, hibernation_snapshot(),
 * hibernation_platform_enter(), hibernation_restore()).
 *
 * <p>Guarded by system_transition_mutex (every transition) and the hibernating task.
 */
public final class Hibernation {
    /** The hibernation modes of /sys/power/disk, in Linux's order. */
    public enum Mode {
        PLATFORM("platform"), SHUTDOWN("shutdown"), REBOOT("reboot"), SUSPEND("suspend"), TEST_RESUME("test_resume");

        public final String text;
        Mode(String text) { this.text = text; }
    }

    /** A block device the guest sees (virtio-blk): its /dev name, major:minor and backing file. */
    public record BlockDevice(String name, int major, int minor, Path file) {
        String majMin() { return major + ":" + minor; }
    }

    /** What one hibernation did, for metrics and reports. */
    public record Report(long savedPages, long copiedPages, long zeroPages, long metaPages, long imagePages,
                         long skippedFree, long skippedOffline, long skippedPageOffline, long skippedNosave, long missedHotAdded,
                         long bytesWritten, long freezeNs, long snapshotNs, long writeNs, long startNs, long powerOffNs) {}

    private final Kernel kernel;
    private final MemoryModel mm;
    private final MemoryHotplug hotplug;
    private final KernelVersion version;
    private final List<E820Entry> e820;
    private final ProcessFreezer freezer;
    private final Mutex systemTransitionMutex;
    private final List<PmNotifier> notifiers = new ArrayList<>();
    private final List<DevicePm> devices = new ArrayList<>();
    private final Map<String, BlockDevice> blockDevices = new LinkedHashMap<>();
    private HibernateCosts costs = HibernateCosts.DEFAULT;
    private final SnapshotDevice snapshotDevice;

    private final boolean available;
    private final boolean platformOps;
    private final boolean nocompress;
    private final HibernateCompressor.Algorithm compressor;
    private final boolean compressorKnown;
    private Mode mode;
    private long imageSize;
    private long reservedSize = 1L << 20;
    private String resumeDevice;
    private long resumeOffset;
    private boolean noresume;
    /** mem_sleep_current: deep (S3, the default where the platform offers it) or s2idle. // model: suspend itself is not modelled */
    private boolean memSleepDeep = true;
    /** pm_async_enabled. */
    private boolean pmAsync = true;
    /** hibernate_atomic: 1 when free. */
    private boolean acquired;
    /** The active swap area (swapon) hibernation writes to, and its device. */
    private SwapArea swap;
    private BlockDevice swapDevice;
    /** Pre-2013 behaviour: hibernation does not take device_hotplug_lock (seed 000's bug). */
    private boolean hotplugExclusion = true;
    /** Pages the next image write may put on the disk before the power fails (tests), or Long.MAX_VALUE. */
    private long powerLossAfter = Long.MAX_VALUE;
    /** Runs with the machine at the point of the atomic copy (tests: a hot-add racing the copy loop). */
    private Runnable beforeCopy;
    /** Runs between the copy loop's marking and copying passes (tests: a hot-remove inside the copy loop). */
    private Runnable duringCopy;

    /** Where the boot kernel finds the image kernel an image belongs to (the host's record). */
    private Function<Path, Hibernation> imageKernels = p -> null;
    /** Called when the machine powers off after writing an image: the host keeps this kernel with the disk. */
    private java.util.function.BiConsumer<Path, Hibernation> onImageWritten = (p, h) -> { };

    // the image kernel's state between power-off and restore
    private Snapshot snapshot;
    private final Completion restored;
    private boolean inRestore;
    private Report lastReport;
    private long lastResumeReadNs;
    private long lastLoaderUptimeNs;
    private long lastDiskWrites;
    private Hibernation resumedInto;
    private Path resumedFrom;

    /**
     * @param cmdline the kernel command line (nohibernate, hibernate=, hibernate.compressor=,
     *                resume=, resume_offset=, noresume)
     * @param e820    the firmware memory map (its CRC goes into the image header)
     */
    public Hibernation(Kernel kernel, MemoryModel mm, MemoryHotplug hotplug, Kernfs fs, KernelVersion version,
                       String cmdline, List<E820Entry> e820) {
        this.kernel = kernel;
        this.mm = mm;
        this.hotplug = hotplug;
        this.version = version;
        this.e820 = List.copyOf(e820);
        this.freezer = new ProcessFreezer(kernel, version);
        this.systemTransitionMutex = new Mutex(kernel, "system_transition_mutex");
        this.restored = new Completion(kernel, "hibernation restore");
        boolean noHib = false;
        boolean nocomp = false;
        String comp = "lzo";
        for (String w : cmdline.trim().split("\\s+")) {
            if (w.equals("nohibernate") || w.equals("hibernate=no")) noHib = true;
            else if (w.equals("hibernate=nocompress")) nocomp = true;
            else if (w.equals("noresume") || w.equals("hibernate=noresume")) noresume = true;
            else if (w.startsWith("resume=")) resumeDevice = w.substring(7);
            else if (w.startsWith("resume_offset=")) resumeOffset = Long.parseLong(w.substring(14));
            else if (w.startsWith("hibernate.compressor=") && version.has(KernelFeature.HIBERNATE_COMPRESSOR_CHOICE)) comp = w.substring(21);
        }
        this.available = !noHib;
        this.nocompress = nocomp;
        HibernateCompressor.Algorithm a = HibernateCompressor.Algorithm.byName(comp);
        this.compressorKnown = a != null;
        this.compressor = a == null ? HibernateCompressor.Algorithm.LZO : a;
        this.platformOps = true; // QEMU's pc machine offers ACPI S4
        this.mode = platformOps ? Mode.PLATFORM : Mode.SHUTDOWN;
        // hibernate_image_size_init(), from pm_init() (core_initcall): 2/5 of totalram_pages() then
        this.imageSize = mm.totalramAtCoreInitcall() * 2 / 5 * mm.arch().pageSize();
        if (fs != null) registerSysfs(fs);
        this.snapshotDevice = new SnapshotDevice(this, fs);
    }

    /**
     * Registers hibernation's boot parameters (kernel/power/hibernate.c: resume_offset=,
     * resumewait, resumedelay=, nohibernate; 6.9+ the module parameter hibernate.compressor,
     * whose set function accepts only a built-in algorithm). resume=, noresume and hibernate=
     * are in the x86 defaults.
     */
    public static BootParams registerBootParams(BootParams p, KernelVersion version) {
        p.setup("resume_offset=", "resumewait", "resumedelay=", "nohibernate");
        if (version.has(KernelFeature.HIBERNATE_COMPRESSOR_CHOICE)) {
            p.param("hibernate.compressor", false, v -> {
                if (v == null || HibernateCompressor.Algorithm.byName(v) == null) throw new KernelException(Errno.EINVAL);
            });
        }
        return p;
    }

    // ---------------------------------------------------------------- configuration

    public ProcessFreezer freezer() { return freezer; }
    public Mode mode() { return mode; }
    public void setCosts(HibernateCosts c) { costs = c; }
    /** Switches the hotplug exclusion (lock_device_hotplug() around the snapshot) off: the pre-2013 behaviour. */
    public void setHotplugExclusion(boolean on) { hotplugExclusion = on; }
    /** Tests: the power fails after {@code pages} more pages reached the disk during the next image write. */
    public void setPowerLossAfter(long pages) { powerLossAfter = pages; }
    /** Tests: {@code r} runs in the hibernating task right before the atomic copy. */
    public void setBeforeCopy(Runnable r) { beforeCopy = r; }
    /** Tests: {@code r} runs in the hibernating task between copy_data_pages()'s marking and copying passes. */
    public void setDuringCopy(Runnable r) { duringCopy = r; }
    public void setImageKernels(Function<Path, Hibernation> f) { imageKernels = f; }
    public void setOnImageWritten(java.util.function.BiConsumer<Path, Hibernation> f) { onImageWritten = f; }
    /** The report of the last hibernation that wrote an image, or null. */
    public Report lastReport() { return lastReport; }

    /**
     * While the machine is off with an image written: the content the image holds for pfn (its
     * token), or -1 when the image does not hold pfn (or there is no image).
     */
    public long imageToken(long pfn) { return snapshot == null ? -1 : snapshot.savedToken(pfn); }
    /** The virtual time the last successful resume spent reading the image (in the boot kernel). */
    public long lastResumeReadNs() { return lastResumeReadNs; }
    /** The boot kernel's uptime when the last resume jumped into this kernel. */
    public long lastLoaderUptimeNs() { return lastLoaderUptimeNs; }
    /** Pages the last image write put on the disk (header, map, image pages). */
    public long lastDiskWrites() { return lastDiskWrites; }

    /** Models register_pm_notifier(). */
    public void registerPmNotifier(PmNotifier n) {
        notifiers.add(n);
        notifiers.sort(Comparator.comparingInt(PmNotifier::priority).reversed());
    }

    /** Registers a device's hibernation callbacks (device_add() into the dpm list, in probe order). */
    public void registerDevice(DevicePm d) { devices.add(d); }

    /** A virtio-blk disk of the machine: /dev/NAME backed by {@code file}. */
    public void addBlockDevice(BlockDevice d) { blockDevices.put("/dev/" + d.name(), d); }

    public List<BlockDevice> blockDevices() { return List.copyOf(blockDevices.values()); }

    /** Whether {@code dev} ("/dev/vda") is one of the machine's disks. */
    public boolean hasBlockDevice(String dev) { return blockDevices.containsKey(dev); }

    /** Models mkswap on a block device; returns the area's size in bytes (the header page not counted). */
    public long mkswap(String dev) {
        BlockDevice d = device(dev);
        return SwapArea.mkswap(d.file(), 0, uuid(d)) * SwapArea.PAGE_SIZE;
    }

    /** The UUID mkswap gives {@code dev}, as mkswap prints it (8-4-4-4-12 hex digits). */
    public String swapUuid(String dev) {
        byte[] u = uuid(device(dev));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) b.append('-');
            b.append(String.format("%02x", u[i] & 0xff));
        }
        return b.toString();
    }

    /**
     * Models sys_swapon() on a whole disk: the device becomes the active swap area hibernation
     * writes to (-EBUSY if it already is, -EINVAL without a swap signature), with the line
     * "Adding Nk swap on DEV.  Priority:-2 extents:1 across:Nk" (6.1 adds "FS": its frontswap map).
     */
    public void swapon(String dev) {
        BlockDevice d = device(dev);
        if (d == swapDevice) throw new KernelException(Errno.EBUSY);
        if (!new SwsuspHeader(readHeader(d)).isSwapSignature()) throw new KernelException(Errno.EINVAL);
        swap = SwapArea.open(d.file(), 0);
        swapDevice = d;
        long kb = swap.lastPage() * (SwapArea.PAGE_SIZE / 1024);
        kernel.dmesg().info("Adding " + kb + "k swap on " + dev + ".  Priority:-2 extents:1 across:" + kb + "k "
                + (version == KernelVersion.V6_1 ? "FS" : ""));
    }

    private static byte[] readHeader(BlockDevice d) {
        try (SwapArea a = SwapArea.open(d.file(), 0)) {
            return a.readPage(0);
        }
    }

    private BlockDevice device(String dev) {
        BlockDevice d = blockDevices.get(dev);
        if (d == null) throw new KernelException(Errno.ENOENT);
        return d;
    }

    private static byte[] uuid(BlockDevice d) {
        byte[] u = new byte[16];
        long h = d.file().toString().hashCode() * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < 16; i++) u[i] = (byte) (h >>> ((i & 7) * 8) ^ i);
        return u;
    }

    // ---------------------------------------------------------------- sysfs

    private void registerSysfs(Kernfs fs) {
        KDir power = fs.mkdirs("/sys/power");
        fs.addFile(power, "state", 0644, () -> "freeze mem disk\n", buf -> {
            String s = KernelStrings.stripOneNewline(buf);
            if (!s.equals("disk")) throw new KernelException(Errno.EINVAL); // model: suspend-to-RAM is not modelled
            hibernate();
        });
        fs.addFile(power, "disk", 0644, this::diskShow, this::diskStore);
        fs.addFile(power, "image_size", 0644, () -> Long.toUnsignedString(imageSize) + "\n",
                buf -> imageSize = scanUnsigned(buf));
        fs.addFile(power, "reserved_size", 0644, () -> Long.toUnsignedString(reservedSize) + "\n",
                buf -> reservedSize = scanUnsigned(buf));
        fs.addFile(power, "resume", 0644, () -> {
            BlockDevice d = resumeDevice == null ? null : lookupResume(resumeDevice);
            return d == null ? "0:0\n" : d.majMin() + "\n";
        }, this::resumeStore);
        fs.addFile(power, "resume_offset", 0644, () -> Long.toUnsignedString(resumeOffset) + "\n",
                buf -> resumeOffset = scanUnsigned(buf));
        fs.addFile(power, "pm_freeze_timeout", 0644, () -> freezer.freezeTimeoutMs() + "\n",
                buf -> freezer.setFreezeTimeoutMs(Integer.toUnsignedLong(KernelStrings.kstrtouint(buf, 10))));
        // kernel/power/main.c's neighbours of state (recorded on both kernels): the suspend-to-RAM
        // variants QEMU's pc offers, and asynchronous device suspend
        fs.addFile(power, "mem_sleep", 0644, () -> memSleepDeep ? "s2idle [deep]\n" : "[s2idle] deep\n", this::memSleepStore);
        fs.addFile(power, "pm_async", 0644, () -> (pmAsync ? 1 : 0) + "\n", buf -> {
            long v; // pm_async_store(): kstrtoul(), then only 0 or 1
            try {
                v = KernelStrings.kstrtoull(buf, 10);
            } catch (KernelException e) {
                throw new KernelException(Errno.EINVAL);
            }
            if (Long.compareUnsigned(v, 1) > 0) throw new KernelException(Errno.EINVAL);
            pmAsync = v == 1;
        });
    }

    /** mem_sleep_store() / decode_suspend_state(): the text up to the first newline must name an available state. */
    private void memSleepStore(String buf) {
        int nl = buf.indexOf('\n');
        String s = nl < 0 ? buf : buf.substring(0, nl);
        switch (s) {
            case "s2idle" -> memSleepDeep = false;
            case "deep" -> memSleepDeep = true;
            default -> throw new KernelException(Errno.EINVAL);
        }
    }

    /** sscanf(buf, "%lu"): leading decimal digits, else EINVAL. */
    private static long scanUnsigned(String buf) {
        String s = buf.strip();
        int n = 0;
        while (n < s.length() && Character.isDigit(s.charAt(n))) n++;
        if (n == 0) throw new KernelException(Errno.EINVAL);
        try {
            return Long.parseUnsignedLong(s.substring(0, n));
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private String diskShow() {
        if (!available) return "[disabled]\n";
        StringBuilder b = new StringBuilder();
        for (Mode m : Mode.values()) {
            if (m == Mode.PLATFORM && !platformOps) continue;
            b.append(m == mode ? "[" + m.text + "] " : m.text + " ");
        }
        // 6.12's disk_show() turns the last space into the newline; 6.1 keeps it (recorded)
        if (version.has(KernelFeature.POWER_DISK_TRIMMED)) b.setCharAt(b.length() - 1, '\n');
        else b.append('\n');
        return b.toString();
    }

    private void diskStore(String buf) {
        if (!available) throw new KernelException(Errno.EPERM);
        String s = KernelStrings.stripOneNewline(buf);
        for (Mode m : Mode.values()) {
            if (m.text.equals(s) && (m != Mode.PLATFORM || platformOps)) {
                mode = m;
                return;
            }
        }
        throw new KernelException(Errno.EINVAL);
    }

    private BlockDevice lookupResume(String spec) {
        BlockDevice d = blockDevices.get(spec);
        if (d != null) return d;
        for (BlockDevice b : blockDevices.values()) if (b.majMin().equals(spec)) return b;
        return null;
    }

    /** Models resume_store(): sets the resume device and tries a resume; returns normally even if it fails. */
    private void resumeStore(String buf) {
        String s = KernelStrings.stripOneNewline(buf);
        if (s.isEmpty()) throw new KernelException(Errno.EINVAL);
        if (lookupResume(s) == null && !s.matches("\\d+:\\d+(:\\d+)?")) throw new KernelException(Errno.EINVAL);
        resumeDevice = s;
        noresume = false;
        try {
            softwareResume();
        } catch (KernelException ignored) {
            // resume_store() returns n whatever software_resume() did
        }
    }

    // ---------------------------------------------------------------- hibernate()

    /** swsusp_show_speed(). */
    static void showSpeed(Kernel kernel, long startNs, long stopNs, long pages, String msg) {
        long centisecs = Math.max(1, (stopNs - startNs) / 10_000_000L);
        long k = pages * 4;
        long kps = k * 100 / centisecs;
        kernel.dmesg().info(String.format("PM: hibernation: %s %d kbytes in %d.%02d seconds (%d.%02d MB/s)",
                msg, k, centisecs / 100, centisecs % 100, kps / 1000, (kps % 1000) / 10));
    }

    /** Models hibernate(): inside the task that wrote "disk" to /sys/power/state. */
    public void hibernate() {
        if (!available) throw new KernelException(Errno.EPERM);
        if (!nocompress && !compressorKnown) {
            kernel.dmesg().err("PM: hibernation: " + compressor.name + " compression is not available");
            throw new KernelException(Errno.EOPNOTSUPP);
        }
        Task self = kernel.current();
        boolean hadNofreeze = lockSystemSleep(self);
        try {
            if (!hibernateAcquire()) throw new KernelException(Errno.EBUSY);
            try {
                kernel.dmesg().info("PM: hibernation: hibernation entry");
                callChainRobust(PmNotifier.PM_HIBERNATION_PREPARE, PmNotifier.PM_POST_HIBERNATION);
                try {
                    syncFilesystems();
                    long freezeStart = kernel.now();
                    freezer.freezeProcesses();
                    try {
                        hibernateFrozen(freezeStart);
                    } finally {
                        freezer.thawProcesses();
                    }
                } finally {
                    callChain(PmNotifier.PM_POST_HIBERNATION, notifiers.size());
                }
            } finally {
                acquired = false;
                kernel.dmesg().info("PM: hibernation: hibernation exit");
            }
        } finally {
            unlockSystemSleep(self, hadNofreeze);
        }
    }

    /** Models ksys_sync_helper(): the filesystems' sync and its line. */
    void syncFilesystems() {
        long syncStart = kernel.now();
        kernel.consume(2_000_000L);
        long ms = (kernel.now() - syncStart) / 1_000_000L;
        kernel.dmesg().info(String.format("Filesystems sync: %d.%03d seconds", ms / 1000, ms % 1000));
    }

    boolean lockSystemSleep(Task self) {
        boolean had = self.hasFlag(Task.PF_NOFREEZE);
        self.setFlag(Task.PF_NOFREEZE);
        systemTransitionMutex.lock();
        return had;
    }

    void unlockSystemSleep(Task self, boolean hadNofreeze) {
        systemTransitionMutex.unlock();
        if (!hadNofreeze) self.clearFlag(Task.PF_NOFREEZE);
    }

    /** From lock_device_hotplug() to unlock_device_hotplug(), with user space frozen. */
    private void hibernateFrozen(long freezeStart) {
        if (hotplugExclusion) hotplug.lockDeviceHotplug();
        boolean testResume = false;
        try {
            snapshot = createBasicMemoryBitmaps();
            long freezeNs = kernel.now() - freezeStart;
            boolean inSuspend = hibernationSnapshot(mode == Mode.PLATFORM);
            if (inSuspend) {
                long writeStart = kernel.now();
                int flags = (mode == Mode.PLATFORM ? SwsuspHeader.SF_PLATFORM_MODE : 0)
                        | (nocompress ? SwsuspHeader.SF_NOCOMPRESS_MODE
                        : SwsuspHeader.SF_CRC32_MODE | (compressor == HibernateCompressor.Algorithm.LZ4
                                ? SwsuspHeader.SF_COMPRESSION_ALG_LZ4 : 0));
                long written = writeImage(flags);
                long writeNs = kernel.now() - writeStart;
                lastReport = new Report(snapshot.pfns.length, snapshot.nrCopyPages, snapshot.nrZeroPages,
                        snapshot.nrMetaPages(), snapshot.imagePages(), snapshot.skippedFree, snapshot.skippedOffline,
                        snapshot.skippedPageOffline, snapshot.skippedNosave, snapshot.missedHotAdded, written, freezeNs, writeStart - freezeStart - freezeNs,
                        writeNs, freezeStart, kernel.now());
                snapshot.free(); // swsusp_free()
                if (mode == Mode.TEST_RESUME) {
                    testResume = true;
                } else {
                    powerDown();
                }
            }
            if (inRestore) restoredKernelResumes();
        } finally {
            snapshot = null;
            kernel.dmesg().info("PM: hibernation: Basic memory bitmaps freed");
            if (hotplugExclusion) hotplug.unlockDeviceHotplug();
        }
        if (testResume) testResume();
    }

    /** The image kernel after the jump: create_image()'s tail with in_suspend == 0, then the RESTORE callbacks. */
    private void restoredKernelResumes() {
        inRestore = false;
        if (mode == Mode.PLATFORM) {
            kernel.dmesg().info("ACPI: PM: Restoring platform NVS memory");
            kernel.dmesg().info("ACPI: PM: Waking up from system sleep state S4");
        }
        for (DevicePm d : devices) d.restore();
    }

    /** Models create_basic_memory_bitmaps() with mark_nosave_pages(). */
    Snapshot createBasicMemoryBitmaps() {
        Snapshot s = new Snapshot(mm);
        for (long[] r : nosaveRegions()) {
            kernel.dmesg().info(String.format("PM: hibernation: Marking nosave pages: [mem %#010x-%#010x]", r[0], r[1] - 1));
        }
        kernel.dmesg().info("PM: hibernation: Basic memory bitmaps created");
        return s;
    }

    /**
     * e820__register_nosave_regions(): the holes below and between the RAM entries of the e820
     * table (whose first page the kernel made reserved), in bytes [start, end).
     */
    private List<long[]> nosaveRegions() {
        List<long[]> out = new ArrayList<>();
        long last = 0;
        for (E820Entry e : e820) {
            if (e.type() != org.hotmem.mm.E820Type.USABLE) continue;
            long start = Math.max(e.addr(), mm.arch().pageSize());
            start = (start + mm.arch().pageSize() - 1) & -mm.arch().pageSize();
            long end = (e.addr() + e.size()) & -mm.arch().pageSize();
            if (last < start) out.add(new long[] {last, start});
            last = end;
        }
        return out;
    }

    /**
     * Models hibernation_snapshot() and create_image(): returns true in the image kernel right
     * after the copy (in_suspend), false when it returns in the restored kernel.
     */
    private boolean hibernationSnapshot(boolean platformMode) {
        kernel.dmesg().info("PM: hibernation: Preallocating image memory");
        long t0 = kernel.now();
        long n;
        try {
            n = snapshot.preallocate(imageSize, reservedSize);
        } catch (KernelException e) {
            snapshot.free();
            throw e;
        }
        kernel.consume(costs.preallocNs(n * mm.arch().pageSize()));
        kernel.dmesg().info("PM: hibernation: Allocated " + n + " pages for snapshot");
        showSpeed(kernel, t0, kernel.now(), n, "Allocated");
        try {
            freezer.freezeKernelThreads();
        } catch (KernelException e) {
            snapshot.free();
            throw e;
        }
        try {
            List<DevicePm> frozen = new ArrayList<>();
            try {
                for (DevicePm d : devices) {
                    try {
                        d.freeze();
                    } catch (KernelException e) {
                        // pci_pm_freeze() -> the driver's callback, dpm_run_callback(), the async freeze's report
                        kernel.dmesg().err(d.name() + ": PM: pci_pm_freeze(): " + d.freezeCallback() + " returns " + e.ret());
                        kernel.dmesg().err(d.name() + ": PM: dpm_run_callback(): pci_pm_freeze+0x0/0xe0 returns " + e.ret());
                        kernel.dmesg().err(d.name() + ": PM: failed to freeze async: error " + e.ret());
                        throw e;
                    }
                    frozen.add(d);
                }
            } catch (KernelException e) {
                for (int i = frozen.size() - 1; i >= 0; i--) frozen.get(i).thaw(); // dpm_resume(PMSG_RECOVER)
                throw e;
            }
            if (platformMode) {
                kernel.dmesg().info("ACPI: PM: Preparing to enter system sleep state S4");
                kernel.dmesg().info("ACPI: PM: Saving platform NVS memory");
            }
            kernel.dmesg().info("Disabling non-boot CPUs ...");
            createImage();
            if (platformMode) {
                kernel.dmesg().info("ACPI: PM: Restoring platform NVS memory");
                kernel.dmesg().info("ACPI: PM: Waking up from system sleep state S4");
            }
            for (DevicePm d : devices) d.thaw();
        } catch (KernelException e) {
            freezer.thawKernelThreads();
            snapshot.free();
            throw e;
        }
        return true; // kernel threads stay frozen until thaw_processes()
    }

    /** Models swsusp_save(): the atomic copy. */
    private void createImage() {
        if (beforeCopy != null) beforeCopy.run();
        kernel.dmesg().info("PM: hibernation: Creating image:");
        long need = snapshot.countDataPages();
        kernel.dmesg().info("PM: hibernation: Need to copy " + need + " pages");
        long available = 0;
        for (int n = 0; n < mm.nrNodes(); n++) {
            for (org.hotmem.mm.Zone z : mm.node(n).zones()) if (z.populated()) available += z.freePages();
        }
        kernel.dmesg().info("PM: hibernation: Normal pages needed: " + need + " + " + Snapshot.PAGES_FOR_IO
                + ", available pages: " + (available + snapshot.preallocatedPages()));
        try {
            snapshot.copy(!hotplugExclusion, duringCopy);
        } catch (Snapshot.CopyFault f) {
            oopsInAtomicCopy(f.pfn);
        }
        kernel.consume(costs.copyNs((long) snapshot.nrCopyPages * mm.arch().pageSize()));
        if (version.has(KernelFeature.HIBERNATE_ZERO_PAGES)) {
            kernel.dmesg().info("PM: hibernation: Image created (" + snapshot.nrCopyPages + " pages copied, "
                    + snapshot.nrZeroPages + " zero pages)");
        } else {
            kernel.dmesg().info("PM: hibernation: Image created (" + snapshot.nrCopyPages + " pages copied)");
        }
    }

    /**
     * A page marked for the image was removed before the copy read it (only possible without the
     * hotplug exclusion): do_copy_page() reads its direct-map address, which arch_remove_memory()
     * unmapped, and page_fault_oops() reports it. The oops kills the hibernating task with IRQs
     * off and the other CPUs down, so nothing runs again: the machine hangs before any image
     * reached the disk. // model: the Oops banner, register dump and call trace are not printed.
     */
    private void oopsInAtomicCopy(long pfn) {
        kernel.dmesg().alert(String.format("BUG: unable to handle page fault for address: %016x",
                DIRECT_MAP_BASE + pfn * mm.arch().pageSize()));
        kernel.dmesg().alert("#PF: supervisor read access in kernel mode");
        kernel.dmesg().alert("#PF: error_code(0x0000) - not-present page");
        kernel.halt();
        new Completion(kernel, "oops in the atomic copy").waitForCompletion();
    }

    /** x86-64's PAGE_OFFSET with nokaslr and 4-level paging: where the direct map of physical memory starts. */
    static final long DIRECT_MAP_BASE = 0xffff888000000000L;

    /** Models init_header() + swsusp_write(); returns the bytes written. */
    private long writeImage(int flags) {
        if (swap == null) {
            kernel.dmesg().err("PM: Cannot find swap device, try swapon -a");
            kernel.dmesg().err("PM: Cannot get swap writer");
            throw new KernelException(Errno.ENODEV);
        }
        ImageHeader header = imageHeader();
        SwapWriter w = new SwapWriter(kernel, version, swap, costs, powerLossAfter);
        powerLossAfter = Long.MAX_VALUE;
        int threads = 1; // clamp(num_online_cpus() - 1, 1, 3) on the recorded one-CPU guests
        try {
            w.write(new ImageStream(snapshot, header), flags, compressor, threads);
        } finally {
            lastDiskWrites = w.pagesWritten;
        }
        return w.bytesWritten;
    }

    /** Models init_header(): the swsusp_info page of the current snapshot. */
    private ImageHeader imageHeader() {
        return new ImageHeader(0xffffffff81000000L, 0x1000000L, 0x2e0a000L, ImageHeader.RESTORE_MAGIC,
                ImageHeader.e820Crc32(e820), mm.totalPresentPages(), snapshot.nrCopyPages, snapshot.imagePages());
    }

    /** Models power_down(): the machine goes off; returns when a resume restored this kernel. */
    private void powerDown() {
        for (DevicePm d : devices) d.poweroff();
        switch (mode) {
            case REBOOT -> kernel.dmesg().emerg("reboot: Restarting system");
            case PLATFORM, SUSPEND -> {
                kernel.dmesg().info("ACPI: PM: Preparing to enter system sleep state S4");
                kernel.dmesg().info("ACPI: PM: Saving platform NVS memory");
                kernel.dmesg().info("Disabling non-boot CPUs ...");
            }
            default -> kernel.dmesg().emerg("reboot: Power down");
        }
        onImageWritten.accept(swapDevice.file(), this);
        kernel.halt();
        mm.powerLoss();
        restored.waitForCompletion();
    }

    /**
     * test_resume: swsusp_check() then load_image_and_restore() in the same kernel. 6.1 cannot
     * open the swap device it swaps to (-EBUSY, recorded); 6.12 can.
     */
    private void testResume() {
        if (!version.has(KernelFeature.HIBERNATE_TEST_RESUME)) {
            kernel.dmesg().info("PM: Image not found (code -16)");
            throw new KernelException(Errno.EBUSY);
        }
        SwapReader r = new SwapReader(kernel, version, swap, swapDevice.majMin(), costs);
        SwsuspHeader h = r.check();
        if (h == null) return;
        hotplug.lockDeviceHotplug();
        try {
            createBasicMemoryBitmaps();
            SwapReader.LoadedImage img = readOrRecover(r, h);
            kernel.dmesg().info("Disabling non-boot CPUs ...");
            applyImage(img);
            kernel.dmesg().info("PM: hibernation: Basic memory bitmaps freed");
            inRestore = false;
            for (DevicePm d : devices) d.restore();
        } finally {
            hotplug.unlockDeviceHotplug();
        }
    }

    /** swsusp_read() with load_image_and_restore()'s failure lines. */
    private SwapReader.LoadedImage readOrRecover(SwapReader r, SwsuspHeader h) {
        try {
            SwapReader.LoadedImage img = r.read(h, mm, ImageHeader.e820Crc32(e820));
            kernel.dmesg().info("PM: Image successfully loaded");
            return img;
        } catch (KernelException e) {
            kernel.dmesg().info("PM: Error " + e.ret() + " resuming");
            kernel.dmesg().err("PM: hibernation: Failed to load image, recovering.");
            kernel.dmesg().info("PM: hibernation: Basic memory bitmaps freed");
            throw e;
        }
    }

    // ---------------------------------------------------------------- resume

    /**
     * Models software_resume() in the boot kernel: checks the resume device for an image, reads
     * and checks it, and on success hands it to the image kernel (which continues; this boot
     * kernel is done). Returns normally when there is no image; throws the errno when an image
     * was found but could not be loaded (after "resume failed (N)"), leaving this kernel booted.
     *
     * @return the image kernel that now runs, or null when no image was found
     */
    public Hibernation softwareResume() {
        if (noresume || !available || resumeDevice == null) return null;
        BlockDevice d = lookupResume(resumeDevice);
        if (d == null) return null;
        Task self = kernel.current();
        boolean hadNofreeze = lockSystemSleep(self);
        SwapArea area = SwapArea.open(d.file(), resumeOffset);
        try {
            SwapReader r = new SwapReader(kernel, version, area, d.majMin(), costs);
            SwsuspHeader h = r.check();
            if (h == null) {
                kernel.dmesg().info("PM: Image not found (code -22)");
                return null;
            }
            if (!hibernateAcquire()) throw new KernelException(Errno.EBUSY);
            int error = 0;
            try {
                kernel.dmesg().info("PM: hibernation: resume from hibernation");
                callChainRobust(PmNotifier.PM_RESTORE_PREPARE, PmNotifier.PM_POST_RESTORE);
                try {
                    freezer.freezeProcesses();
                    try {
                        freezer.freezeKernelThreads();
                        return loadImageAndRestore(r, h, d);
                    } finally {
                        freezer.thawProcesses();
                    }
                } finally {
                    callChain(PmNotifier.PM_POST_RESTORE, notifiers.size());
                }
            } catch (KernelException e) {
                error = e.ret();
                throw e;
            } finally {
                if (error != 0) kernel.dmesg().info("PM: hibernation: resume failed (" + error + ")");
                acquired = false;
            }
        } finally {
            area.close();
            unlockSystemSleep(self, hadNofreeze);
        }
    }

    /**
     * The boot kernel's checks and read of an image without the jump: swsusp_check() (which
     * already puts the swap signature back, as Linux does) and swsusp_read() against this
     * kernel's memory. Inside a task. Returns null when the disk holds no image; throws the errno
     * of the refusal, after the lines Linux prints.
     */
    public SwapReader.LoadedImage readImage(Path disk, long offset) {
        try (SwapArea area = SwapArea.open(disk, offset)) {
            SwapReader r = new SwapReader(kernel, version, area, "254:0", costs);
            SwsuspHeader h = r.check();
            return h == null ? null : r.read(h, mm, ImageHeader.e820Crc32(e820));
        }
    }

    /** Models load_image_and_restore() in the boot kernel. */
    private Hibernation loadImageAndRestore(SwapReader r, SwsuspHeader h, BlockDevice d) {
        hotplug.lockDeviceHotplug();
        try {
            long t0 = kernel.now();
            createBasicMemoryBitmaps();
            SwapReader.LoadedImage img = readOrRecover(r, h);
            Hibernation target = imageKernels.apply(d.file());
            if (target == null) {
                // model: the image kernel's data structures live in the host's record of the disk
                kernel.dmesg().err("PM: hibernation: Failed to load image, recovering.");
                throw new KernelException(Errno.ENOENT);
            }
            target.lastResumeReadNs = kernel.now() - t0;
            target.lastLoaderUptimeNs = kernel.now();
            target.restore(img);
            resumedInto = target;
            resumedFrom = d.file();
            kernel.halt(); // the CPU jumped into the image kernel: this kernel never runs again
            new Completion(kernel, "jumped to the image kernel").waitForCompletion();
            return target;
        } finally {
            hotplug.unlockDeviceHotplug();
        }
    }

    /** The image kernel this boot kernel handed the machine to, or null. */
    public Hibernation resumedInto() { return resumedInto; }

    /** The backing file of the disk the last successful resume read its image from, or null. */
    public Path resumedBlockDevice() { return resumedFrom; }

    /**
     * The jump into the image kernel (swsusp_arch_resume()): every saved page gets the content
     * read from the image, and the hibernating task continues in the restored branch.
     */
    private void restore(SwapReader.LoadedImage img) {
        applyImage(img);
        kernel.unhalt();
        restored.complete();
    }

    private void applyImage(SwapReader.LoadedImage img) {
        long[] pfns = img.pfns();
        long[] tokens = img.tokens();
        for (int i = 0; i < pfns.length; i++) mm.restorePageContent(pfns[i], tokens[i]);
        inRestore = true;
    }

    // ---------------------------------------------------------------- for /dev/snapshot (user.c)

    /** hibernation_available(). */
    boolean available() { return available; }

    /** hibernate_acquire(): the one-at-a-time token shared by hibernate(), resume and /dev/snapshot. */
    boolean hibernateAcquire() {
        if (acquired) return false;
        acquired = true;
        return true;
    }

    /** hibernate_release(). */
    void hibernateRelease() { acquired = false; }

    Mutex systemTransitionMutex() { return systemTransitionMutex; }
    Kernel kernel() { return kernel; }
    /** The snapshot being taken (between the basic bitmaps and their release), or null. */
    Snapshot currentSnapshot() { return snapshot; }
    MemoryModel mm() { return mm; }
    KernelVersion version() { return version; }
    MemoryHotplug hotplug() { return hotplug; }
    long e820Crc() { return ImageHeader.e820Crc32(e820); }

    /** The active swap area on {@code major:minor} with its header at page {@code offset} (swap_type_of()), or null. */
    SwapArea swapTypeOf(int major, int minor, long offset) {
        if (swap == null || swapDevice.major() != major || swapDevice.minor() != minor || offset != 0) return null;
        return swap;
    }

    HibernateCosts costs() { return costs; }

    /** /dev/snapshot of this machine. */
    public SnapshotDevice snapshotDevice() { return snapshotDevice; }

    /** The block device {@code dev} ("/dev/vdb"), or null. */
    BlockDevice blockDevice(String dev) { return blockDevices.get(dev); }

    /** Whether {@code dev} is the active swap area (sys_swapon() holds it exclusively). */
    boolean isActiveSwap(String dev) { return swapDevice != null && swapDevice == blockDevices.get(dev); }

    /** swap_type_of(swsusp_resume_device, 0): the active swap area on the resume device, or null. */
    SwapArea resumeSwap() {
        BlockDevice d = resumeDevice == null ? null : lookupResume(resumeDevice);
        return d == null ? null : swapTypeOf(d.major(), d.minor(), 0);
    }

    /** The image preference of SNAPSHOT_PREF_IMAGE_SIZE (the image_size of /sys/power/image_size). */
    void setImageSize(long bytes) { imageSize = bytes; }

    /** pm_notifier_call_chain_robust() for /dev/snapshot's open. */
    void notifyRobust(int event, int post) { callChainRobust(event, post); }

    /** pm_notifier_call_chain() for /dev/snapshot's release. */
    void notify(int event) { callChain(event, notifiers.size()); }

    /**
     * hibernation_snapshot(platform_mode) for SNAPSHOT_CREATE_IMAGE, with user space frozen and
     * the caller's basic bitmaps: the image as snapshot_read_next() will hand it out. Kernel
     * threads stay frozen until SNAPSHOT_FREE or the release thaws them.
     */
    ImageStream userSnapshot(Snapshot bitmaps, boolean platformMode) {
        snapshot = bitmaps;
        try {
            hibernationSnapshot(platformMode);
            return new ImageStream(snapshot, imageHeader());
        } catch (KernelException e) {
            snapshot = null;
            throw e;
        }
    }

    /** swsusp_free() of the user-side snapshot. */
    void swsuspFree() {
        if (snapshot != null) snapshot.free();
        snapshot = null;
    }

    /** Where a user-space image's kernel is kept and found again, by the CRC32 of the image's bytes. */
    private java.util.function.LongConsumer onUserImage = key -> { };
    private java.util.function.LongFunction<Hibernation> userImageKernels = key -> null;

    public void setUserImageKeeper(java.util.function.LongConsumer keep, java.util.function.LongFunction<Hibernation> find) {
        onUserImage = keep;
        userImageKernels = find;
    }

    /**
     * hibernation_platform_enter() for SNAPSHOT_POWER_OFF: the devices' poweroff callbacks, ACPI
     * S4, the machine off. Returns in the restored kernel, after its devices' restore callbacks.
     * // model: the task's stack cannot be rewound to the snapshot, so the restored task comes
     * // back here instead of inside SNAPSHOT_CREATE_IMAGE (see SnapshotDevice).
     *
     * @param imageKey the CRC32 of every byte read from /dev/snapshot (the host's key for this kernel)
     */
    void userPowerOff(long imageKey) {
        for (DevicePm d : devices) d.poweroff();
        kernel.dmesg().info("ACPI: PM: Preparing to enter system sleep state S4");
        kernel.dmesg().info("ACPI: PM: Saving platform NVS memory");
        kernel.dmesg().info("Disabling non-boot CPUs ...");
        onUserImage.accept(imageKey);
        kernel.halt();
        mm.powerLoss();
        restored.waitForCompletion();
        inRestore = false;
        kernel.dmesg().info("ACPI: PM: Restoring platform NVS memory");
        kernel.dmesg().info("ACPI: PM: Waking up from system sleep state S4");
        for (DevicePm d : devices) d.restore();
    }

    /**
     * hibernation_restore() for SNAPSHOT_ATOMIC_RESTORE in the boot kernel: the image kernel is
     * found by the CRC32 of the bytes written (-ENOENT if none: the model keeps no image kernel
     * for these bytes), its pages get the image's tokens and it runs; this kernel halts.
     */
    void userRestore(SwapReader.LoadedImage img, long imageKey) {
        Hibernation target = userImageKernels.apply(imageKey);
        if (target == null) throw new KernelException(Errno.ENOENT);
        kernel.dmesg().info("Disabling non-boot CPUs ...");
        target.lastLoaderUptimeNs = kernel.now();
        target.restore(img);
        resumedInto = target;
        kernel.halt();
        new Completion(kernel, "jumped to the image kernel").waitForCompletion();
    }

    // ---------------------------------------------------------------- notifiers

    /** pm_notifier_call_chain_robust(): on a refusal the notifiers already called get {@code post}. */
    private void callChainRobust(int event, int post) {
        for (int i = 0; i < notifiers.size(); i++) {
            int r = notifiers.get(i).call(event);
            if (r < 0) {
                callChain(post, i);
                throw new KernelException(Errno.fromNumber(-r));
            }
        }
    }

    private void callChain(int event, int upTo) {
        for (int i = 0; i < upTo; i++) notifiers.get(i).call(event);
    }
}
