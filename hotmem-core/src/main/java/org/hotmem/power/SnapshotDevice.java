package org.hotmem.power;

import static org.hotmem.power.SuspendIoctls.*;

import java.util.zip.CRC32;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.Kernfs;

/**
 * {@code /dev/snapshot}, the userspace hibernation interface (kernel/power/user.c): misc device
 * 10:231, mode 0600 root. {@link #open} gives a {@link File} whose {@code ioctl}, {@code read} and
 * {@code write} are the device's file operations, inside a task of the machine's kernel, with the
 * errnos Linux gives for every call out of order (the rules are in the methods).
 *
 * <p>One open file at a time: the open takes hibernation's one-at-a-time token
 * (hibernate_acquire()), shared with {@code echo disk > /sys/power/state} and resume, and the
 * release gives it back after a full rollback. Every ioctl runs under system_transition_mutex
 * (trylocked: -EBUSY) and device_hotplug_lock; read, write and release under lock_system_sleep().
 *
 * <p>Reading side ({@code O_RDONLY}, "suspend mode"): FREEZE, CREATE_IMAGE, then page-sized
 * reads of the image (header, meta pages, data pages, as {@link ImageStream}), POWER_OFF.
 * Writing side ({@code O_WRONLY}, "resume mode"): FREEZE, page-sized writes of the image, each
 * page checked when the next one starts (snapshot_write_next()), ATOMIC_RESTORE.
 * // model: a task's stack cannot be rewound to the point of the snapshot, so in the restored
 * // kernel the s2disk task comes back from SNAPSHOT_POWER_OFF, with the int of its
 * // SNAPSHOT_CREATE_IMAGE set to 0 and the image ready, as Linux's would return from
 * // SNAPSHOT_CREATE_IMAGE with in_suspend == 0.
 * // model: the host keeps the image kernel under the CRC32 of every byte read from the device;
 * // the boot kernel finds it only with those exact bytes written back.
 */
public final class SnapshotDevice {
    /** SNAPSHOT_MINOR. */
    public static final int MINOR = 231;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    private static final int PAGE = PageContent.PAGE_SIZE;

    /** The caller's credentials: its uid (the node is 0600 root) and CAP_SYS_ADMIN (checked by every ioctl). */
    public record Cred(int uid, boolean capSysAdmin) {
        public static final Cred ROOT = new Cred(0, true);
    }

    private final Hibernation power;

    /** Registers the misc device (misc_register(): /sys/class/misc/snapshot/dev) when {@code fs} is given. */
    public SnapshotDevice(Hibernation power, Kernfs fs) {
        this.power = power;
        if (fs != null) fs.addFile(fs.mkdirs("/sys/class/misc/snapshot"), "dev", 0444, () -> "10:" + MINOR + "\n", null);
    }

    /**
     * Models the VFS permission check of the 0600 root node, then snapshot_open(): -EACCES for
     * another uid, -EPERM when hibernation is unavailable, -EBUSY while another open, a
     * hibernation or a resume holds the token, -ENOSYS for O_RDWR, or a PM notifier's refusal.
     */
    public File open(int flags, Cred cred) {
        if (cred.uid() != 0) throw new KernelException(Errno.EACCES);
        if (!power.available()) throw new KernelException(Errno.EPERM);
        Task self = power.kernel().current();
        boolean had = power.lockSystemSleep(self);
        try {
            if (!power.hibernateAcquire()) throw new KernelException(Errno.EBUSY);
            int accmode = flags & 3;
            if (accmode == O_RDWR) {
                power.hibernateRelease();
                throw new KernelException(Errno.ENOSYS);
            }
            File f = new File(accmode, cred);
            try {
                if (accmode == O_RDONLY) {
                    f.swap = power.resumeSwap(); // swap_type_of(swsusp_resume_device, 0)
                    power.notifyRobust(PmNotifier.PM_HIBERNATION_PREPARE, PmNotifier.PM_POST_HIBERNATION);
                } else {
                    power.notifyRobust(PmNotifier.PM_RESTORE_PREPARE, PmNotifier.PM_POST_RESTORE);
                    f.bitmaps = power.createBasicMemoryBitmaps();
                    f.freeBitmaps = true;
                }
            } catch (KernelException e) {
                power.hibernateRelease();
                throw e;
            }
            return f;
        } finally {
            power.unlockSystemSleep(self, had);
        }
    }

    /** One open of the device (struct snapshot_data). Guarded by the locks each operation takes. */
    public final class File {
        private final int mode;
        private final Cred cred;
        private boolean frozen;
        private boolean ready;
        private boolean platformSupport;
        private boolean freeBitmaps;
        private boolean released;
        /** The selected swap area (data->swap), or null for -1. */
        private SwapArea swap;
        /** Swap slots handed out through ALLOC_SWAP_PAGE (swsusp_extents). */
        private long slotsAllocated;
        private Snapshot bitmaps;
        /** CREATE_IMAGE's int, set to 0 when the restored kernel comes back. */
        private long[] inSuspend;

        // reading side: the image and the handle's position
        private ImageStream image;
        private long cur;
        private int pgOff;
        private byte[] page;
        private final CRC32 readCrc = new CRC32();

        // writing side
        private SwapReader.Loader loader;
        private ImageHeader header;
        private boolean pending;
        private boolean complete;
        private final CRC32 writeCrc = new CRC32();

        private File(int mode, Cred cred) {
            this.mode = mode;
            this.cred = cred;
        }

        private Kernel kernel() { return power.kernel(); }

        /**
         * Models snapshot_ioctl(). {@code arg} is the argument: for a value ioctl its first
         * element, for a pointer the user memory (null is a bad pointer: -EFAULT on put_user or
         * copy_from_user). Checks, in Linux's order: type '3' and nr ≤ 20 (else -ENOTTY),
         * CAP_SYS_ADMIN (-EPERM), system_transition_mutex free (-EBUSY); an unknown number -ENOTTY.
         */
        public void ioctl(int cmd, long[] arg) {
            if (released) throw new KernelException(Errno.EBADF);
            if (type(cmd) != MAGIC || nr(cmd) > MAXNR) throw new KernelException(Errno.ENOTTY);
            if (!cred.capSysAdmin()) throw new KernelException(Errno.EPERM);
            if (!power.systemTransitionMutex().trylock()) throw new KernelException(Errno.EBUSY);
            power.hotplug().lockDeviceHotplug();
            try {
                dispatch(cmd, arg);
            } finally {
                power.hotplug().unlockDeviceHotplug();
                power.systemTransitionMutex().unlock();
            }
        }

        /** An ioctl without an argument. */
        public void ioctl(int cmd) { ioctl(cmd, new long[1]); }

        private void dispatch(int cmd, long[] arg) {
            if (cmd == SNAPSHOT_FREEZE) freeze();
            else if (cmd == SNAPSHOT_UNFREEZE) unfreeze();
            else if (cmd == SNAPSHOT_CREATE_IMAGE) createImage(arg);
            else if (cmd == SNAPSHOT_ATOMIC_RESTORE) atomicRestore();
            else if (cmd == SNAPSHOT_FREE) free();
            else if (cmd == SNAPSHOT_PREF_IMAGE_SIZE) power.setImageSize(arg[0]);
            else if (cmd == SNAPSHOT_GET_IMAGE_SIZE) {
                if (!ready) throw new KernelException(Errno.ENODATA);
                putUser(arg, image.pages() * PAGE); // snapshot_get_image_size() << PAGE_SHIFT
            } else if (cmd == SNAPSHOT_AVAIL_SWAP_SIZE) putUser(arg, swap == null ? 0 : swap.freeSlots() * PAGE);
            else if (cmd == SNAPSHOT_ALLOC_SWAP_PAGE) {
                if (swap == null) throw new KernelException(Errno.ENODEV);
                long slot = swap.allocSlot();
                if (slot == 0) throw new KernelException(Errno.ENOSPC);
                slotsAllocated++;
                putUser(arg, slot * PAGE);
            } else if (cmd == SNAPSHOT_FREE_SWAP_PAGES) {
                if (swap == null) throw new KernelException(Errno.ENODEV);
                freeSwapPages();
            } else if (cmd == SNAPSHOT_SET_SWAP_AREA) setSwapArea(arg);
            else if (cmd == SNAPSHOT_S2RAM) {
                if (!frozen) throw new KernelException(Errno.EPERM);
                // model: suspend_devices_and_enter(PM_SUSPEND_MEM): S3 itself is not modelled, the machine wakes at once
                ready = false;
            } else if (cmd == SNAPSHOT_PLATFORM_SUPPORT) platformSupport = arg[0] != 0;
            else if (cmd == SNAPSHOT_POWER_OFF) powerOff();
            else throw new KernelException(Errno.ENOTTY);
        }

        private static void putUser(long[] arg, long v) {
            if (arg == null) throw new KernelException(Errno.EFAULT);
            arg[0] = v;
        }

        /** SNAPSHOT_FREEZE: a no-op when frozen; else sync, freeze_processes(), the basic bitmaps. */
        private void freeze() {
            if (frozen) return;
            power.syncFilesystems();
            power.freezer().freezeProcesses();
            if (bitmaps == null) bitmaps = power.createBasicMemoryBitmaps(); // already there in resume mode
            frozen = true;
        }

        /** SNAPSHOT_UNFREEZE: a no-op when not frozen or an image is ready. */
        private void unfreeze() {
            if (!frozen || ready) return;
            freeBasicMemoryBitmaps();
            freeBitmaps = false;
            power.freezer().thawProcesses();
            frozen = false;
        }

        private void freeBasicMemoryBitmaps() {
            bitmaps = null;
            kernel().dmesg().info("PM: hibernation: Basic memory bitmaps freed");
        }

        /** SNAPSHOT_CREATE_IMAGE: -EPERM unless suspend mode, frozen and no image ready. */
        private void createImage(long[] arg) {
            if (mode != O_RDONLY || !frozen || ready) throw new KernelException(Errno.EPERM);
            image = power.userSnapshot(bitmaps, platformSupport);
            cur = 0;
            pgOff = 0;
            readCrc.reset();
            if (arg == null) throw new KernelException(Errno.EFAULT); // put_user(in_suspend) failed: not ready
            arg[0] = 1;
            inSuspend = arg;
            ready = true;
        }

        /** SNAPSHOT_FREE: swsusp_free(), the handle reset, thaw_kernel_threads(). */
        private void free() {
            power.swsuspFree();
            image = null;
            cur = 0;
            pgOff = 0;
            ready = false;
            power.freezer().thawKernelThreads();
        }

        /** SNAPSHOT_ATOMIC_RESTORE: finalize, then -EPERM unless resume mode, frozen and the whole image written. */
        private void atomicRestore() {
            writeFinalize();
            if (mode != O_WRONLY || !frozen || !complete) throw new KernelException(Errno.EPERM);
            power.userRestore(loader.loaded(header, 0), writeCrc.getValue());
        }

        /** SNAPSHOT_POWER_OFF: without platform support nothing; with it hibernation_platform_enter(). */
        private void powerOff() {
            if (!platformSupport) return;
            power.userPowerOff(readCrc.getValue());
            // the restored kernel: SNAPSHOT_CREATE_IMAGE's return with in_suspend == 0
            if (inSuspend != null) inSuspend[0] = 0;
            ready = true;
        }

        /** snapshot_set_swap_area(): -EPERM while slots are allocated, -EFAULT, -EINVAL for dev 0, -ENODEV. */
        private void setSwapArea(long[] arg) {
            if (slotsAllocated > 0) throw new KernelException(Errno.EPERM);
            if (arg == null || arg.length < 2) throw new KernelException(Errno.EFAULT);
            long dev = arg[1];
            if (dev == 0) {
                swap = null;
                throw new KernelException(Errno.EINVAL);
            }
            // new_decode_dev()
            int major = (int) ((dev & 0xfff00) >> 8);
            int minor = (int) ((dev & 0xff) | ((dev >> 12) & 0xfff00));
            swap = power.swapTypeOf(major, minor, arg[0]);
            if (swap == null) throw new KernelException(Errno.ENODEV);
        }

        private void freeSwapPages() {
            if (slotsAllocated > 0) swap.freeAllSlots();
            slotsAllocated = 0;
        }

        /**
         * Models snapshot_read(): -EBADF on a write-only open, -ENODATA unless an image is ready;
         * never more than the rest of the current page; 0 at the end of the image; -EFAULT for a
         * bad buffer (after snapshot_read_next() moved on, as in Linux).
         */
        public int read(byte[] buf, int off, int count) {
            if (released || mode != O_RDONLY) throw new KernelException(Errno.EBADF);
            Task self = kernel().current();
            boolean had = power.lockSystemSleep(self);
            try {
                if (!ready) throw new KernelException(Errno.ENODATA);
                if (pgOff == 0) { // snapshot_read_next()
                    if (cur >= image.pages()) return 0;
                    page = image.page(cur++);
                }
                if (buf == null) throw new KernelException(Errno.EFAULT); // the page is consumed all the same
                int n = Math.min(count, PAGE - pgOff);
                System.arraycopy(page, pgOff, buf, off, n);
                readCrc.update(page, pgOff, n);
                pgOff = (pgOff + n) % PAGE;
                return n;
            } finally {
                power.unlockSystemSleep(self, had);
            }
        }

        /**
         * Models snapshot_write(): -EBADF on a read-only open, -EFAULT for a bad buffer; at a page
         * boundary the page just completed goes through snapshot_write_next() (header checks:
         * -EPERM; pfn checks: -EFAULT; room for the image: -ENOMEM); past the end 0.
         */
        public int write(byte[] buf, int off, int count) {
            if (released || mode != O_WRONLY) throw new KernelException(Errno.EBADF);
            Task self = kernel().current();
            boolean had = power.lockSystemSleep(self);
            try {
                if (pgOff == 0) {
                    writeNext();
                    if (complete) return 0;
                }
                if (page == null) page = new byte[PAGE];
                if (buf == null) { // copy_from_user() fails; the next write takes the buffer as it is for this page
                    if (pgOff == 0) pending = true;
                    throw new KernelException(Errno.EFAULT);
                }
                int n = Math.min(count, PAGE - pgOff);
                System.arraycopy(buf, off, page, pgOff, n);
                writeCrc.update(buf, off, n);
                pgOff = (pgOff + n) % PAGE;
                if (pgOff == 0) pending = true;
                return n;
            } finally {
                power.unlockSystemSleep(self, had);
            }
        }

        /** The restore side of snapshot_write_next(): the page completed last goes to the loader. */
        private void writeNext() {
            if (!pending) return;
            pending = false;
            if (header == null) {
                ImageHeader h = ImageHeader.of(page);
                SwapReader.checkHeader(kernel(), h, power.mm(), power.e820Crc()); // load_header()
                loader = new SwapReader.Loader(kernel(), power.version(), h, power.mm());
                header = h;
            } else if (!loader.next(page, 0)) {
                complete = true;
            }
        }

        /** snapshot_write_finalize(): the last page. */
        private void writeFinalize() {
            if (mode == O_WRONLY) writeNext();
        }

        /**
         * Models snapshot_release(): a full rollback — the image memory and the swap slots freed,
         * tasks thawed if frozen, the bitmaps freed, PM_POST_HIBERNATION (suspend mode) or
         * PM_POST_RESTORE (resume mode), the token given back.
         */
        public void close() {
            if (released) return;
            Task self = kernel().current();
            boolean had = power.lockSystemSleep(self);
            try {
                power.swsuspFree();
                image = null;
                if (swap != null) freeSwapPages();
                if (frozen) {
                    freeBasicMemoryBitmaps();
                    power.freezer().thawProcesses();
                } else if (freeBitmaps) {
                    freeBasicMemoryBitmaps();
                }
                power.notify(mode == O_RDONLY ? PmNotifier.PM_POST_HIBERNATION : PmNotifier.PM_POST_RESTORE);
                power.hibernateRelease();
                released = true;
            } finally {
                power.unlockSystemSleep(self, had);
            }
        }
    }
}
