package org.hotmem.drivers;

import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryNotifier;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.KernelStrings;
import org.hotmem.kernel.Mutex;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.Zone;

/**
 * The pseries Collaborative Memory Manager (arch/powerpc/platforms/pseries/cmm.c) as Linux 6.1
 * builds it, loaded as the module {@code cmm}: a kernel thread {@code cmmthread} wakes every
 * {@code delay} s, computes the loan target (cmm_get_mpp()) and loans the whole difference
 * (cmm_alloc_pages(): movable balloon pages, each taken out of its zone's managed pages) or
 * returns it (cmm_free_pages()). In simulate mode the target is
 * {@code simulate_loan_target_kb}; otherwise it is the hypervisor's loan request (H_GET_MPP),
 * and QEMU's pseries has no CMO: without {@code simulate=1} the load fails with EOPNOTSUPP.
 *
 * <p>Hotplug awareness (6.1): the memory notifier takes {@code hotplug_mutex} at
 * MEM_GOING_OFFLINE and sets {@code hotplug_occurred}; MEM_OFFLINE / MEM_CANCEL_OFFLINE release
 * it. A poll that cannot take the mutex skips ("Hotplug operation in progress"); the first
 * poll after an offline sleeps {@code hotplug_delay} s. Loaned pages migrate during offline;
 * cmm_migratepage() ({@link #migratePage}) moves one managed page from the new page's zone to
 * the old one's when they differ.
 *
 * <p>The OOM notifier (cmm_oom_notify()) frees {@code oom_kb} at each out_of_memory() call and
 * sets the target to what is left. Linux 6.1 does not cap the free at the pages loaned: with
 * fewer loaned, balloon_page_dequeue() BUG()s. {@code fixedOom} caps it (the fix).
 *
 * <p>Invariant: {@code loanedPages == balloon.size()}; each loaned page is out of its current
 * zone's managed count. {@code hotplugOccurred} is guarded by {@code hotplugMutex}; the
 * parameters and the target by the single running task (as Linux's plain globals).
 */
public final class PseriesCmm {
    static final String SYS = "/sys/devices/system/cmm";
    static final String DEV = SYS + "/cmm0";
    static final String PARAMS = "/sys/module/cmm/parameters";
    /** CMM_MEM_HOTPLUG_PRI. */
    static final int MEM_HOTPLUG_PRI = 1;
    /** Virtual time of loaning one page under TCG (recorded: 4096..25681 pages at 220-830 us each). */
    static final long LOAN_NS_PER_PAGE = 250_000;
    /** Virtual time of returning one page (recorded: 12288 pages in 19 ms). */
    static final long FREE_NS_PER_PAGE = 1_500;
    /** Pages between the scheduling points of a long loan or free. */
    static final int BATCH = 32;
    /** How often a sleeping cmmthread notices kthread_stop(). */
    static final long STOP_POLL_MS = 10;

    private final Kernel kernel;
    private final Dmesg log;
    private final MemoryModel mm;
    private final MemoryHotplug hotplug;
    private final Kernfs fs;
    private final boolean fixedOom;
    private final Mutex hotplugMutex;
    private final BalloonDevInfo balloon;
    private final MemoryNotifier memoryNb = this::memoryCallback;
    private final MemoryModel.OomNotifier oomNb = this::oomNotify;

    // module parameters (module_param_named)
    private int delay = 1;
    private int hotplugDelay = 5;
    private int oomKb = 1024;
    private int debug;
    private int disabled;
    private long minMemMb = 256;
    private boolean simulate;
    private long simulateLoanTargetKb;

    private long loanedPages;
    private long loanedPagesTarget;
    private long oomFreedPages;
    /** Guarded by hotplugMutex. */
    private boolean hotplugOccurred;
    private Task thread;

    /**
     * The module, not yet initialised; {@link #init} parses the parameters and runs cmm_init().
     *
     * @param fixedOom whether the OOM notifier caps its free at the loaned pages (the fix)
     */
    public PseriesCmm(Kernel kernel, MemoryHotplug hotplug, Kernfs fs, boolean fixedOom) {
        this.kernel = kernel;
        this.log = kernel.dmesg();
        this.mm = hotplug.mm();
        this.hotplug = hotplug;
        this.fs = fs;
        this.fixedOom = fixedOom;
        this.hotplugMutex = new Mutex(kernel, "hotplug_mutex");
        this.balloon = new BalloonDevInfo(mm, "cmm balloon");
        balloon.pages().setMigrateCallback((slot, oldPfn, newPfn) -> migratePage(oldPfn, newPfn));
    }

    private long kb2pages(long kb) {
        return kb >>> (mm.arch().pageShift() - 10);
    }

    private long pages2kb(long p) {
        return p << (mm.arch().pageShift() - 10);
    }

    private void dbg(String text) {
        if (debug != 0) {
            log.info("cmm: " + text);
        }
    }

    // ------------------------------------------------------------------ load / unload

    /**
     * Models load_module()'s parse_args() for this module followed by cmm_init().
     *
     * @throws KernelException EINVAL for a bad parameter value, EOPNOTSUPP without CMO or simulate
     */
    public void init(String params) {
        for (String p : params.strip().split("\\s+")) {
            if (!p.isEmpty()) {
                setParam(p);
            }
        }
        if (!simulate) {
            throw new KernelException(Errno.EOPNOTSUPP); // !firmware_has_feature(FW_FEATURE_CMO): QEMU has no CMO
        }
        mm.registerOomNotifier(oomNb);
        sysfsRegister();
        hotplug.registerMemoryNotifier(memoryNb, MEM_HOTPLUG_PRI);
        if (disabled == 0) {
            thread = kernel.kthreadRun("cmmthread", this::cmmThread);
        }
    }

    /** Models cmm_exit(). */
    public void exit() {
        if (thread != null) {
            kernel.kthreadStop(thread);
        }
        mm.unregisterOomNotifier(oomNb);
        hotplug.unregisterMemoryNotifier(memoryNb);
        freePages(loanedPages);
        fs.remove(SYS);
    }

    private void setParam(String p) {
        int eq = p.indexOf('=');
        String name = eq < 0 ? p : p.substring(0, eq);
        String val = eq < 0 ? null : p.substring(eq + 1);
        try {
            switch (name) {
                case "delay" -> delay = KernelStrings.kstrtouint(required(val), 0);
                case "hotplug_delay" -> hotplugDelay = KernelStrings.kstrtouint(required(val), 0);
                case "oom_kb" -> oomKb = KernelStrings.kstrtouint(required(val), 0);
                case "debug" -> debug = KernelStrings.kstrtouint(required(val), 0);
                case "min_mem_mb" -> minMemMb = KernelStrings.kstrtoul(required(val), 0);
                case "simulate" -> simulate = val == null || KernelStrings.kstrtobool(val);
                case "disable" -> setDisable(required(val));
                default -> {
                    log.warn("cmm: unknown parameter '" + name + "' ignored");
                    return;
                }
            }
        } catch (KernelException e) {
            log.err("cmm: `" + (val == null ? "" : val) + "' invalid for parameter `" + name + "'");
            throw new KernelException(Errno.EINVAL);
        }
    }

    private static String required(String v) {
        if (v == null) {
            throw new KernelException(Errno.EINVAL);
        }
        return v;
    }

    /** Models cmm_set_disable(). */
    private void setDisable(String val) {
        long d = simpleStrtoul(val);
        if (d != 0 && d != 1) {
            throw new KernelException(Errno.EINVAL);
        }
        if (d == 1 && disabled == 0) {
            if (thread != null) {
                kernel.kthreadStop(thread);
            }
            thread = null;
            freePages(loanedPages);
        } else if (d == 0 && disabled == 1) {
            thread = kernel.kthreadRun("cmmthread", this::cmmThread);
        }
        disabled = (int) d;
    }

    /** simple_strtoul(buf, NULL, 10): the leading decimal digits, 0 when there are none. */
    private static long simpleStrtoul(String s) {
        long v = 0;
        for (int i = 0; i < s.length() && Character.isDigit(s.charAt(i)); i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------ sysfs

    /** The module's parameters (/sys/module/cmm/parameters, created by the module loader). */
    public void registerParameters() {
        KDir d = fs.mkdirs(PARAMS);
        fs.addFile(d, "delay", 0644, () -> Integer.toUnsignedString(delay) + "\n", b -> delay = KernelStrings.kstrtouint(b, 0));
        fs.addFile(d, "hotplug_delay", 0644, () -> Integer.toUnsignedString(hotplugDelay) + "\n",
                b -> hotplugDelay = KernelStrings.kstrtouint(b, 0));
        fs.addFile(d, "oom_kb", 0644, () -> Integer.toUnsignedString(oomKb) + "\n", b -> oomKb = KernelStrings.kstrtouint(b, 0));
        fs.addFile(d, "min_mem_mb", 0644, () -> Long.toUnsignedString(minMemMb) + "\n", b -> minMemMb = KernelStrings.kstrtoul(b, 0));
        fs.addFile(d, "debug", 0644, () -> Integer.toUnsignedString(debug) + "\n", b -> debug = KernelStrings.kstrtouint(b, 0));
        fs.addFile(d, "simulate", 0444, () -> (simulate ? "Y" : "N") + "\n", null);
        fs.addFile(d, "disable", 0644, () -> disabled + "\n", this::setDisable);
    }

    /** Models cmm_sysfs_register(): the subsystem "cmm" and its device cmm0. */
    private void sysfsRegister() {
        KDir d = fs.mkdirs(DEV);
        fs.mkdirs(DEV + "/power");
        fs.addFile(d, "uevent", 0644, () -> "", b -> { });
        fs.addFile(d, "subsystem", 0444, () -> "", null); // model: a symlink to /sys/bus/cmm in Linux
        fs.addFile(d, "loaned_kb", 0444, () -> pages2kb(loanedPages) + "\n", null);
        fs.addFile(d, "loaned_target_kb", 0444, () -> pages2kb(loanedPagesTarget) + "\n", null);
        fs.addFile(d, "oom_freed_kb", 0644, () -> pages2kb(oomFreedPages) + "\n", this::storeOomPages);
        if (simulate) {
            // DEVICE_ULONG_ATTR: device_show_ulong() prints %lx, device_store_ulong() uses kstrtoul(buf, 0)
            fs.addFile(d, "simulate_loan_target_kb", 0644, () -> Long.toHexString(simulateLoanTargetKb) + "\n",
                    b -> simulateLoanTargetKb = KernelStrings.kstrtoul(b, 0));
        }
    }

    /** Models store_oom_pages(): only 0 resets the counter; anything else is EBADMSG. */
    private void storeOomPages(String buf) {
        if (simpleStrtoul(buf) != 0) {
            throw new KernelException(Errno.EBADMSG);
        }
        oomFreedPages = 0;
    }

    // ------------------------------------------------------------------ loaning

    /** Models cmm_thread(). */
    private void cmmThread() {
        while (true) {
            if (sleepStoppable(delay * 1000L)) {
                return;
            }
            if (hotplugMutex.trylock()) {
                if (hotplugOccurred) {
                    hotplugOccurred = false;
                    hotplugMutex.unlock();
                    dbg("Hotplug operation has occurred, loaning activity suspended for " + hotplugDelay + " seconds.");
                    if (sleepStoppable(hotplugDelay * 1000L)) {
                        return;
                    }
                    continue;
                }
                hotplugMutex.unlock();
            } else {
                dbg("Hotplug operation in progress, activity suspended");
                continue;
            }
            getMpp();
            long loaned = loanedPages;
            if (loanedPagesTarget > loaned) {
                if (allocPages(loanedPagesTarget - loaned) != 0) {
                    loanedPagesTarget = loaned;
                }
            } else if (loanedPagesTarget < loaned) {
                freePages(loaned - loanedPagesTarget);
            }
        }
    }

    /**
     * msleep_interruptible() ended early by kthread_stop() (whose TIF_NOTIFY_SIGNAL makes
     * signal_pending() true): true if the thread must stop.
     * // model: the stop request is noticed within STOP_POLL_MS.
     */
    private boolean sleepStoppable(long ms) {
        long end = kernel.now() + ms * 1_000_000L;
        while (kernel.now() < end) {
            if (kernel.kthreadShouldStop()) {
                return true;
            }
            kernel.msleep(Math.min(STOP_POLL_MS, Math.max(1, (end - kernel.now() + 999_999) / 1_000_000L)));
        }
        return kernel.kthreadShouldStop();
    }

    /** Models cmm_get_mpp() in simulate mode. */
    private void getMpp() {
        long loaned = loanedPages;
        long totalPages = mm.totalManagedPages() + loaned;
        long minMemPages = (minMemMb << 20) / mm.arch().pageSize();
        long target = kb2pages(simulateLoanTargetKb);
        long request = target - loaned;
        if (target < 0 || totalPages < minMemPages) {
            target = 0;
        }
        target = target > oomFreedPages ? target - oomFreedPages : 0;
        long activeTarget = totalPages - target;
        if (minMemPages > activeTarget) {
            target = totalPages - minMemPages;
        }
        loanedPagesTarget = Math.max(0, target);
        dbg("delta = " + request + ", loaned = " + loaned + ", target = " + loanedPagesTarget + ", oom = " + oomFreedPages
                + ", totalram = " + mm.totalManagedPages());
    }

    /** Models cmm_alloc_pages(): the pages not loaned. */
    private long allocPages(long nr) {
        dbg("Begin request for " + nr + " pages");
        long done = 0;
        while (nr > 0) {
            if (!hotplugMutex.trylock()) {
                break;
            }
            boolean occurred = hotplugOccurred;
            hotplugMutex.unlock();
            if (occurred) {
                break;
            }
            int slot = balloon.alloc();
            if (slot < 0) {
                break;
            }
            balloon.enqueue(slot); // plpar_page_set_loaned() is a no-op in simulate mode
            loanedPages++;
            mm.adjustManagedPageCount(mm.zoneOf(balloon.pages().pfn(slot)), -1);
            nr--;
            if (++done % BATCH == 0) {
                kernel.consume(BATCH * LOAN_NS_PER_PAGE);
            }
        }
        dbg("End request with " + nr + " pages unfulfilled");
        return nr;
    }

    /** Models cmm_free_pages(): the pages not returned. */
    private long freePages(long nr) {
        dbg("Begin free of " + nr + " pages.");
        long done = 0;
        while (nr > 0) {
            int slot = balloon.dequeue();
            long pfn = balloon.pages().pfn(slot);
            mm.adjustManagedPageCount(mm.zoneOf(pfn), 1);
            balloon.pages().free(slot);
            loanedPages--;
            nr--;
            if (++done % BATCH == 0) {
                kernel.consume(BATCH * FREE_NS_PER_PAGE);
            }
        }
        dbg("End request with " + nr + " pages unfulfilled");
        return nr;
    }

    /** Models cmm_oom_notify(); the fixed driver frees at most what is loaned. */
    private long oomNotify() {
        long want = kb2pages(Integer.toUnsignedLong(oomKb));
        dbg("OOM processing started");
        long nr = fixedOom ? Math.min(want, loanedPages) : want;
        long freed = nr - freePages(nr);
        loanedPagesTarget = loanedPages;
        oomFreedPages += freed;
        dbg("OOM processing complete");
        return freed;
    }

    /** Models cmm_memory_cb(). */
    private int memoryCallback(MemoryNotifier.Event event, long startPfn, long nrPages) {
        switch (event) {
            case MEM_GOING_OFFLINE -> {
                hotplugMutex.lock();
                hotplugOccurred = true;
            }
            case MEM_OFFLINE, MEM_CANCEL_OFFLINE -> {
                hotplugMutex.unlock();
                dbg("Memory offline operation complete.");
            }
            default -> {
            }
        }
        return MemoryNotifier.NOTIFY_OK;
    }

    /** Models cmm_migratepage()'s bookkeeping: BALLOON_MIGRATE, and the managed page follows the page's zone. */
    private void migratePage(long oldPfn, long newPfn) {
        Zone from = mm.zoneOf(oldPfn);
        Zone to = mm.zoneOf(newPfn);
        if (from != to) {
            mm.adjustManagedPageCount(from, 1);
            mm.adjustManagedPageCount(to, -1);
        }
        mm.vmCounters().balloonMigrate(1);
    }

    /** Pages loaned (loaned_pages). */
    public long loanedPages() {
        return loanedPages;
    }

    /** The loaned pages' pfns, oldest first (for metrics and tests). */
    public long[] loanedPfns() {
        long[] out = new long[balloon.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = balloon.pfn(i);
        }
        return out;
    }
}
