package org.hotmem.machine;

import static org.hotmem.power.SuspendIoctls.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.mm.KernelVersion;
import org.hotmem.power.SnapshotDevice;
import org.hotmem.power.SnapshotDevice.Cred;
import org.hotmem.power.SnapshotDevice.File;
import org.hotmem.power.SuspendIoctls;
import org.hotmem.power.SwapArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /dev/snapshot's order rules and errnos (kernel/power/user.c), one test per rule. */
class SnapshotDeviceTest {
    @TempDir Path dir;

    interface Body { void run(SnapshotDevice dev) throws Exception; }

    Machine boot(String cmdline) {
        Path disk = dir.resolve("swap.img");
        SwapArea.createImage(disk, 256L << 20);
        return Machine.boot(new MachineConfig("1G,slots=8,maxmem=8G", cmdline,
                List.of("-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk"), KernelVersion.V6_12, 3), new HostState());
    }

    /** Runs {@code body} in a user task (as s2disk would run) until it returns or the machine is off. */
    static void inTask(Machine m, Body body) {
        Throwable[] failure = {null};
        boolean[] done = {false};
        m.kernel().spawn("s2disk", 0, () -> {
            try {
                body.run(m.snapshotDevice());
            } catch (Throwable t) {
                failure[0] = t;
            }
            done[0] = true;
        });
        m.kernel().runUntil(() -> done[0] || m.poweredOff());
        if (failure[0] instanceof RuntimeException r) throw r;
        if (failure[0] instanceof Error e) throw e;
        if (failure[0] != null) throw new AssertionError(failure[0]);
    }

    /** Reads a kernfs file in a task. */
    static String readIn(Machine m, String path) {
        String[] out = {null};
        m.kernel().spawn("cat", 0, () -> out[0] = m.fs().lookupFile(path).read());
        m.runFor(1_000_000);
        return out[0];
    }

    static void refused(Errno e, Runnable r) {
        KernelException x = assertThrows(KernelException.class, r::run);
        assertEquals(e, x.errno());
    }

    @Test
    void theIoctlNumbersAreTheUapiHeadersEncoding() {
        assertEquals(0x3301, SNAPSHOT_FREEZE);
        assertEquals(0x3302, SNAPSHOT_UNFREEZE);
        assertEquals(0x3304, SNAPSHOT_ATOMIC_RESTORE);
        assertEquals(0x40043311, SNAPSHOT_CREATE_IMAGE);
        assertEquals(0x400c330d, SNAPSHOT_SET_SWAP_AREA);
        assertEquals(0x8008330e, SNAPSHOT_GET_IMAGE_SIZE);
        assertEquals(0x80083313, SNAPSHOT_AVAIL_SWAP_SIZE);
        assertEquals(0x80083314, SNAPSHOT_ALLOC_SWAP_PAGE);
        assertEquals("10:231\n", m().fs().lookupFile("/sys/class/misc/snapshot/dev").read());
    }

    private Machine m;
    private Machine m() { return m == null ? (m = boot("")) : m; }

    @Test
    void openingTwiceIsBusyAndSoIsHibernatingThroughSysfsWhileOpen() {
        inTask(m(), dev -> {
            File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            refused(Errno.EBUSY, () -> dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT));
            refused(Errno.EBUSY, () -> dev.open(SnapshotDevice.O_WRONLY, Cred.ROOT));
            refused(Errno.EBUSY, () -> m.fs().lookupFile("/sys/power/state").write("disk\n"));
            f.close();
            dev.open(SnapshotDevice.O_WRONLY, Cred.ROOT).close(); // the release gave the token back
        });
    }

    @Test
    void readWriteOpenIsRefusedWithEnosysAndReleasesTheToken() {
        inTask(m(), dev -> {
            refused(Errno.ENOSYS, () -> dev.open(SnapshotDevice.O_RDWR, Cred.ROOT));
            dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT).close();
        });
    }

    @Test
    void withoutPrivilegeTheNodeIsEaccesAndTheIoctlsEperm() {
        inTask(m(), dev -> {
            refused(Errno.EACCES, () -> dev.open(SnapshotDevice.O_RDONLY, new Cred(1000, false)));
            File f = dev.open(SnapshotDevice.O_RDONLY, new Cred(0, false)); // root without CAP_SYS_ADMIN
            refused(Errno.EPERM, () -> f.ioctl(SNAPSHOT_FREEZE));
            refused(Errno.ENOTTY, () -> f.ioctl(SuspendIoctls.ioc(0, 'x', 1, 0))); // the type is checked first
            f.close();
        });
        Machine off = boot("nohibernate");
        inTask(off, dev -> refused(Errno.EPERM, () -> dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT)));
    }

    @Test
    void unknownNumbersAreEnotty() {
        inTask(m(), dev -> {
            File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            refused(Errno.ENOTTY, () -> f.ioctl(SuspendIoctls.ioc(0, 'x', 1, 0)));
            refused(Errno.ENOTTY, () -> f.ioctl(SuspendIoctls.ioc(0, MAGIC, 21, 0))); // > SNAPSHOT_IOC_MAXNR
            for (int removed : new int[] {3, 6, 7, 8, 10, 12}) {
                refused(Errno.ENOTTY, () -> f.ioctl(SuspendIoctls.ioc(0, MAGIC, removed, 0)));
            }
            refused(Errno.ENOTTY, () -> f.ioctl(SuspendIoctls.ioc(0, MAGIC, 17, 0))); // CREATE_IMAGE without its _IOW(int)
            f.close();
        });
    }

    @Test
    void createImageNeedsSuspendModeFrozenAndNoImageReady() {
        inTask(m(), dev -> {
            File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            refused(Errno.EPERM, () -> f.ioctl(SNAPSHOT_CREATE_IMAGE, new long[1])); // not frozen
            f.ioctl(SNAPSHOT_FREEZE);
            f.ioctl(SNAPSHOT_FREEZE); // a no-op when frozen
            long[] inSuspend = {-1};
            f.ioctl(SNAPSHOT_CREATE_IMAGE, inSuspend);
            assertEquals(1, inSuspend[0]);
            refused(Errno.EPERM, () -> f.ioctl(SNAPSHOT_CREATE_IMAGE, new long[1])); // ready
            f.ioctl(SNAPSHOT_FREE);
            f.ioctl(SNAPSHOT_CREATE_IMAGE, inSuspend); // FREE thawed the kernel threads: a new image can be made
            f.close();
            File w = dev.open(SnapshotDevice.O_WRONLY, Cred.ROOT);
            w.ioctl(SNAPSHOT_FREEZE);
            refused(Errno.EPERM, () -> w.ioctl(SNAPSHOT_CREATE_IMAGE, new long[1])); // resume mode
            w.close();
        });
    }

    @Test
    void readBeforeAnImageIsEnodataAndNeverCrossesAPage() {
        inTask(m(), dev -> {
            File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            byte[] buf = new byte[3 * 4096];
            refused(Errno.ENODATA, () -> f.read(buf, 0, buf.length));
            refused(Errno.ENODATA, () -> f.ioctl(SNAPSHOT_GET_IMAGE_SIZE, new long[1]));
            refused(Errno.EBADF, () -> f.write(buf, 0, 4096));
            f.ioctl(SNAPSHOT_FREEZE);
            f.ioctl(SNAPSHOT_CREATE_IMAGE, new long[1]);
            long[] size = new long[1];
            f.ioctl(SNAPSHOT_GET_IMAGE_SIZE, size);
            refused(Errno.EFAULT, () -> f.ioctl(SNAPSHOT_GET_IMAGE_SIZE, null));
            assertEquals(0, size[0] % 4096);
            assertEquals(100, f.read(buf, 0, 100));
            assertEquals(3996, f.read(buf, 100, buf.length - 100), "the rest of the page, no more");
            assertEquals(4096, f.read(buf, 0, buf.length));
            long total = 8192;
            for (int n; (n = f.read(buf, 0, buf.length)) > 0; ) total += n;
            assertEquals(size[0], total);
            assertEquals(0, f.read(buf, 0, buf.length), "end of image");
            f.ioctl(SNAPSHOT_FREE);
            long[] in = new long[1];
            f.ioctl(SNAPSHOT_CREATE_IMAGE, in);
            long[] again = new long[1];
            f.ioctl(SNAPSHOT_GET_IMAGE_SIZE, again);
            assertEquals(size[0], again[0], "the same image after FREE and a new CREATE_IMAGE");
            refused(Errno.EFAULT, () -> f.read(null, 0, 4096)); // snapshot_read_next() moved on all the same
            long rest = 4096;
            for (int n; (n = f.read(buf, 0, buf.length)) > 0; ) rest += n;
            assertEquals(size[0], rest);
            f.close();
            File w = dev.open(SnapshotDevice.O_WRONLY, Cred.ROOT);
            refused(Errno.EBADF, () -> w.read(buf, 0, 4096));
            w.close();
        });
    }

    @Test
    void unfreezeIsANoOpWhileAnImageIsReadyAndThawsAfterFree() {
        Task[] sleeper = {null};
        sleeper[0] = m().kernel().spawn("sleeper", 0, () -> m.kernel().nanosleep(3_600_000_000_000L));
        m.runFor(1_000_000);
        inTask(m, dev -> {
            File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            f.ioctl(SNAPSHOT_UNFREEZE); // not frozen: nothing
            f.ioctl(SNAPSHOT_FREEZE);
            assertTrue(sleeper[0].isFrozen());
            f.ioctl(SNAPSHOT_CREATE_IMAGE, new long[1]);
            f.ioctl(SNAPSHOT_UNFREEZE);
            assertTrue(sleeper[0].isFrozen(), "an image is ready");
            f.ioctl(SNAPSHOT_FREE);
            f.ioctl(SNAPSHOT_UNFREEZE);
            m.kernel().msleep(1);
            assertFalse(sleeper[0].isFrozen());
            f.ioctl(SNAPSHOT_FREEZE);
            f.close(); // the release thaws
            m.kernel().msleep(1);
            assertFalse(sleeper[0].isFrozen());
        });
    }

    @Test
    void swapIoctlsNeedAValidAreaAndSetSwapAreaRefusesWhileSlotsAreAllocated() {
        m().power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        inTask(m, dev -> {
            File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT); // no resume= device: data->swap = -1
            long[] out = new long[1];
            refused(Errno.ENODEV, () -> f.ioctl(SNAPSHOT_ALLOC_SWAP_PAGE, out));
            refused(Errno.ENODEV, () -> f.ioctl(SNAPSHOT_FREE_SWAP_PAGES));
            f.ioctl(SNAPSHOT_AVAIL_SWAP_SIZE, out);
            assertEquals(0, out[0]);
            refused(Errno.EFAULT, () -> f.ioctl(SNAPSHOT_SET_SWAP_AREA, null));
            refused(Errno.EINVAL, () -> f.ioctl(SNAPSHOT_SET_SWAP_AREA, new long[] {0, 0}));
            refused(Errno.ENODEV, () -> f.ioctl(SNAPSHOT_SET_SWAP_AREA, new long[] {0, (254 << 8) | 16})); // vdb: no such swap
            f.ioctl(SNAPSHOT_SET_SWAP_AREA, new long[] {0, 254 << 8});
            f.ioctl(SNAPSHOT_AVAIL_SWAP_SIZE, out);
            assertEquals((256L << 20) - 4096, out[0], "every slot but the header's");
            f.ioctl(SNAPSHOT_ALLOC_SWAP_PAGE, out);
            assertEquals(4096, out[0], "a byte offset");
            refused(Errno.EPERM, () -> f.ioctl(SNAPSHOT_SET_SWAP_AREA, new long[] {0, 254 << 8}));
            f.ioctl(SNAPSHOT_FREE_SWAP_PAGES);
            f.ioctl(SNAPSHOT_SET_SWAP_AREA, new long[] {0, 254 << 8});
            f.close();
        });
    }

    @Test
    void atomicRestoreNeedsResumeModeFrozenAndTheWholeImage() {
        inTask(m(), dev -> {
            File r = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            r.ioctl(SNAPSHOT_FREEZE);
            refused(Errno.EPERM, () -> r.ioctl(SNAPSHOT_ATOMIC_RESTORE)); // suspend mode
            r.ioctl(SNAPSHOT_CREATE_IMAGE, new long[1]);
            ByteArrayOutputStream image = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = r.read(buf, 0, buf.length)) > 0; ) image.write(buf, 0, n);
            r.close();
            byte[] img = image.toByteArray();
            File w = dev.open(SnapshotDevice.O_WRONLY, Cred.ROOT);
            refused(Errno.EPERM, () -> w.ioctl(SNAPSHOT_ATOMIC_RESTORE)); // not frozen
            w.ioctl(SNAPSHOT_FREEZE);
            for (int off = 0; off < img.length / 2; off += 4096) assertEquals(4096, w.write(img, off, 4096));
            refused(Errno.EPERM, () -> w.ioctl(SNAPSHOT_ATOMIC_RESTORE)); // half the image
            w.close();
        });
    }

    @Test
    void s2ramNeedsFrozenTasks() {
        inTask(m(), dev -> {
            File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            refused(Errno.EPERM, () -> f.ioctl(SNAPSHOT_S2RAM));
            f.ioctl(SNAPSHOT_FREEZE);
            f.ioctl(SNAPSHOT_S2RAM);
            f.ioctl(SNAPSHOT_POWER_OFF); // without platform support: nothing
            assertFalse(m.poweredOff());
            f.close();
        });
    }

    @Test
    void anImageOfAnotherMemoryMapIsRefusedByTheWriteAfterItsHeader() {
        byte[][] img = {null};
        inTask(m(), dev -> img[0] = readWholeImage(dev));
        Machine bigger = Machine.boot(new MachineConfig("2G,slots=8,maxmem=8G", "", List.of(), KernelVersion.V6_12, 4), new HostState());
        inTask(bigger, dev -> {
            File w = dev.open(SnapshotDevice.O_WRONLY, Cred.ROOT);
            w.ioctl(SNAPSHOT_FREEZE);
            assertEquals(4096, w.write(img[0], 0, 4096)); // the header page, checked when the next page starts
            refused(Errno.EPERM, () -> w.write(img[0], 4096, 4096));
            w.close();
        });
        List<String> log = bigger.drainKernelLog();
        assertTrue(log.stream().anyMatch(l -> l.endsWith("] Hibernate inconsistent memory map detected!")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.endsWith("] PM: hibernation: Image mismatch: architecture specific data")), log.toString());
    }

    static byte[] readWholeImage(SnapshotDevice dev) {
        File f = dev.open(SnapshotDevice.O_RDONLY, Cred.ROOT);
        f.ioctl(SNAPSHOT_FREEZE);
        f.ioctl(SNAPSHOT_CREATE_IMAGE, new long[1]);
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = f.read(buf, 0, buf.length)) > 0; ) image.write(buf, 0, n);
        f.close();
        return image.toByteArray();
    }

    /**
     * The whole protocol: a machine with a hot-added DIMM hibernates through the device
     * (FREEZE, PLATFORM_SUPPORT, CREATE_IMAGE, read, POWER_OFF), a fresh machine on the same host
     * writes the bytes back (FREEZE, write, ATOMIC_RESTORE) and the first one runs again with
     * every token, its s2disk task seeing in_suspend == 0.
     */
    @Test
    void imageReadFromTheDeviceResumesInAFreshMachineWithEveryTokenIntact() {
        Path disk = dir.resolve("swap.img");
        HostState host = new HostState();
        Machine a = HibernationRoundTripTest.prepared(disk, KernelVersion.V6_12, 7, host);
        Map<Long, Long> before = HibernationRoundTripTest.contents(a.mm());
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        long[] inSuspend = {-1};
        boolean[] back = {false};
        a.kernel().spawn("s2disk", 0, () -> {
            File f = a.snapshotDevice().open(SnapshotDevice.O_RDONLY, Cred.ROOT);
            f.ioctl(SNAPSHOT_FREEZE);
            f.ioctl(SNAPSHOT_PLATFORM_SUPPORT, new long[] {1});
            f.ioctl(SNAPSHOT_CREATE_IMAGE, inSuspend);
            if (inSuspend[0] == 1) {
                byte[] buf = new byte[4096];
                for (int n; (n = f.read(buf, 0, buf.length)) > 0; ) image.write(buf, 0, n);
                f.ioctl(SNAPSHOT_POWER_OFF);
            }
            assertEquals(0, inSuspend[0], "the restored s2disk");
            f.close();
            back[0] = true;
        });
        a.kernel().runUntil(a::poweredOff);
        assertTrue(a.poweredOff());
        byte[] img = image.toByteArray();
        Machine fresh = Machine.boot(HibernationRoundTripTest.config(disk, KernelVersion.V6_12, 8,
                "-object memory-backend-ram,id=mem1,size=536870912", "-device pc-dimm,id=dimm1,memdev=mem1"), host);
        assertNotSame(a, fresh, "no kernel-driven image on the disk");
        assertNull(fresh.userResumed());
        fresh.kernel().spawn("resume", 0, () -> {
            File w = fresh.snapshotDevice().open(SnapshotDevice.O_WRONLY, Cred.ROOT);
            w.ioctl(SNAPSHOT_FREEZE);
            for (int off = 0; off < img.length; off += 4096) assertEquals(4096, w.write(img, off, 4096));
            assertEquals(0, w.write(img, 0, 4096), "past the end");
            w.ioctl(SNAPSHOT_ATOMIC_RESTORE);
            fail("ATOMIC_RESTORE returned");
        });
        fresh.kernel().runUntil(fresh::poweredOff);
        Machine resumed = fresh.userResumed();
        assertSame(a, resumed);
        resumed.runFor(1_000_000_000L);
        assertTrue(back[0]);
        Map<Long, Long> after = HibernationRoundTripTest.contents(resumed.mm());
        for (var e : before.entrySet()) assertEquals(e.getValue(), after.get(e.getKey()), "pfn 0x" + Long.toHexString(e.getKey()));
    }
}
