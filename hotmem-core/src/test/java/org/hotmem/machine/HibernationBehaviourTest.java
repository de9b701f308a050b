package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.WaitQueue;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.power.Hibernation;
import org.hotmem.power.PmNotifier;
import org.hotmem.power.SwapArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HibernationBehaviourTest {
    @TempDir Path dir;

    Machine boot(KernelVersion v, String cmdline, String... qemu) {
        Path disk = dir.resolve("swap.img");
        SwapArea.createImage(disk, 64L << 20);
        List<String> q = new ArrayList<>(List.of("-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk"));
        q.addAll(List.of(qemu));
        Machine m = Machine.boot(new MachineConfig("1G,slots=8,maxmem=8G", cmdline, q, v, 11), new HostState());
        m.power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        return m;
    }

    static String read(Machine m, String path) {
        String[] out = {null};
        m.kernel().spawn("cat", 0, () -> out[0] = m.fs().lookupFile(path).read());
        m.runFor(1_000_000);
        return out[0];
    }

    /**
     * The guest shell's mkswap and swapon on the machine's virtio disk, as busybox and
     * sys_swapon() answer: the header over the whole 64 MiB disk, the swap line in the kernel
     * log, -EBUSY for the area in use, ENOENT for a disk the machine does not have.
     */
    @Test
    void guestMkswapAndSwaponReachTheDisk() {
        Path disk = dir.resolve("swap.img");
        SwapArea.createImage(disk, 64L << 20);
        Machine m = Machine.boot(new MachineConfig("1G,slots=8,maxmem=8G", "", List.of("-drive file=" + disk
                + ",if=virtio,format=raw,id=swapdisk"), KernelVersion.V6_12, 11), new HostState());
        m.drainKernelLog();
        org.hotmem.conformance.GuestShell sh = new org.hotmem.conformance.GuestShell(m.kernel(), m.fs(), m.power());
        assertEquals("Setting up swapspace version 1, size = 67104768 bytes\nUUID=" + m.power().swapUuid("/dev/vda") + "\n",
                sh.run("mkswap /dev/vda").result().output());
        assertTrue(m.power().swapUuid("/dev/vda").matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
        assertEquals("", sh.run("swapon /dev/vda").result().output());
        assertTrue(m.drainKernelLog().stream().anyMatch(l -> l.endsWith("] Adding 65532k swap on /dev/vda.  Priority:-2 extents:1 across:65532k ")));
        var busy = sh.run("swapon /dev/vda").result();
        assertEquals("swapon: /dev/vda: Device or resource busy\n", busy.output());
        assertEquals(1, busy.rc());
        assertEquals("swapon: /dev/vdb: No such file or directory\n", sh.run("swapon /dev/vdb").result().output());
        assertEquals("mkswap: can't open '/dev/vdb': No such file or directory\n", sh.run("mkswap /dev/vdb").result().output());
        assertTrue(sh.run("swapon").result().output().startsWith("BusyBox v1.35.0 "));
    }

    @Test
    void sysPowerFilesReadAndRefuseAsLinux() {
        Machine m = boot(KernelVersion.V6_12, "");
        assertEquals("freeze mem disk\n", read(m, "/sys/power/state"));
        assertEquals("[platform] shutdown reboot suspend test_resume\n", read(m, "/sys/power/disk"));
        // 2/5 of totalram_pages() at pm_init() (core_initcall), as recorded with -m 1G and one virtio disk
        assertEquals("374808576\n", read(m, "/sys/power/image_size"));
        assertEquals("1048576\n", read(m, "/sys/power/reserved_size"));
        assertEquals("20000\n", read(m, "/sys/power/pm_freeze_timeout"));
        assertEquals("0:0\n", read(m, "/sys/power/resume"));
        assertEquals("s2idle [deep]\n", read(m, "/sys/power/mem_sleep"));
        assertEquals("1\n", read(m, "/sys/power/pm_async"));
        assertEquals("EINVAL", HibernationRoundTripTest.write(m, "/sys/power/mem_sleep", "shallow"));
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/mem_sleep", "s2idle"));
        assertEquals("[s2idle] deep\n", read(m, "/sys/power/mem_sleep"));
        assertEquals("EINVAL", HibernationRoundTripTest.write(m, "/sys/power/pm_async", "2"));
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/pm_async", "0"));
        assertEquals("0\n", read(m, "/sys/power/pm_async"));
        assertEquals("EINVAL", HibernationRoundTripTest.write(m, "/sys/power/image_size", "abc"));
        assertEquals("EINVAL", HibernationRoundTripTest.write(m, "/sys/power/disk", "test"));
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/disk", "shutdown"));
        assertEquals("platform [shutdown] reboot suspend test_resume\n", read(m, "/sys/power/disk"));
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/image_size", "0"));
        assertEquals("0\n", read(m, "/sys/power/image_size"));
        Machine off = boot(KernelVersion.V6_12, "nohibernate");
        assertEquals("[disabled]\n", read(off, "/sys/power/disk"));
        assertEquals("EPERM", HibernationRoundTripTest.write(off, "/sys/power/disk", "platform"));
        assertEquals("EPERM", HibernationRoundTripTest.write(off, "/sys/power/state", "disk"));
    }

    @Test
    void imageOnDiskHasLinuxsSwsuspHeaderAndSwapMap() throws Exception {
        Machine m = boot(KernelVersion.V6_12, "");
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        byte[] head = new byte[3 * 4096];
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("swap.img").toFile(), "r")) {
            f.readFully(head);
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("S1SUSPEND\0", new String(head, 4086, 10, StandardCharsets.US_ASCII));
        assertEquals("SWAPSPACE2", new String(head, 4076, 10, StandardCharsets.US_ASCII));
        assertEquals(1 | 4, b.getInt(4072), "SF_PLATFORM_MODE | SF_CRC32_MODE (LZO)");
        assertEquals(1, b.getLong(4064), "the first swap-map page is slot 1");
        assertEquals(2, b.getLong(4096), "map entry 0: the header page went to slot 2");
        assertEquals(3, b.getLong(4096 + 8));
        assertEquals(0x23456789ABCDEF02L, b.getLong(8192 + 24), "RESTORE_MAGIC");
        assertEquals(m.mm().totalPresentPages(), b.getLong(8192 + 400), "num_physpages");
        Hibernation.Report r = m.power().lastReport();
        assertEquals(r.imagePages(), b.getLong(8192 + 424), "pages");
        assertEquals(r.copiedPages(), b.getLong(8192 + 416), "image_pages");
        assertTrue(r.zeroPages() > 0, "6.12 leaves zero pages out");
        List<String> log = MachineTest.strip(m.drainKernelLog());
        assertTrue(log.contains("PM: Using 1 thread(s) for lzo compression"), log.toString());
        assertTrue(log.contains("PM: hibernation: Image created (" + r.copiedPages() + " pages copied, " + r.zeroPages()
                + " zero pages)"), log.toString());
    }

    @Test
    void lz4ChosenOnTheCommandLineSetsItsFlagAndResumes() throws Exception {
        Machine m = boot(KernelVersion.V6_12, "hibernate.compressor=lz4");
        AddressSpace as = m.mm().newAddressSpace("w", Gfp.MOVABLE_ANON);
        int slot = as.add(0x1234_5678L);
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/disk", "test_resume"));
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        assertFalse(m.poweredOff(), "test_resume restores at once");
        List<String> log = MachineTest.strip(m.drainKernelLog());
        assertTrue(log.contains("PM: Using 1 thread(s) for lz4 compression"), log.toString());
        assertTrue(log.contains("PM: Using 1 thread(s) for lz4 decompression"), log.toString());
        assertEquals(0x1234_5678L, as.read(slot));
        assertEquals(SwapArea.SWAPSPACE2, HibernationRoundTripTest.signature(dir.resolve("swap.img")));
        Machine old = boot(KernelVersion.V6_1, "hibernate.compressor=lz4");
        assertNull(HibernationRoundTripTest.write(old, "/sys/power/disk", "test_resume"));
        assertEquals("platform shutdown reboot suspend [test_resume] \n", read(old, "/sys/power/disk"), "6.1 keeps the trailing space");
        assertEquals("EBUSY", HibernationRoundTripTest.write(old, "/sys/power/state", "disk"),
                "6.1 cannot re-open the swap device it swaps to (recorded)");
        List<String> oldLog = MachineTest.strip(old.drainKernelLog());
        assertTrue(oldLog.contains("PM: Using 1 thread(s) for compression"), "6.1 has no hibernate.compressor= and uses LZO");
        assertTrue(oldLog.contains("PM: Image not found (code -16)"), oldLog.toString());
        assertFalse(old.poweredOff());
    }

    @Test
    void refusingNotifierGetsNoPostButEarlierOnesDo() {
        Machine m = boot(KernelVersion.V6_12, "");
        List<String> seen = new ArrayList<>();
        m.power().registerPmNotifier(new PmNotifier() {
            @Override public int priority() { return 10; }
            @Override public int call(int e) {
                seen.add("first " + e);
                return 0;
            }
        });
        m.power().registerPmNotifier(e -> {
            seen.add("second " + e);
            return e == PmNotifier.PM_HIBERNATION_PREPARE ? -Errno.EBUSY.number() : 0;
        });
        assertEquals("EBUSY", HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        assertEquals(List.of("first 1", "second 1", "first 2"), seen);
        assertFalse(m.poweredOff());
    }

    @Test
    void taskStuckInUninterruptibleSleepMakesHibernationFailWithTheFreezerReport() {
        Machine m = boot(KernelVersion.V6_12, "");
        WaitQueue fuse = new WaitQueue(m.kernel(), "request_wait_answer");
        m.kernel().spawn("fuse-client", 0, () -> fuse.waitEvent(() -> false));
        int[] posts = {0};
        m.power().registerPmNotifier(e -> {
            if (e == PmNotifier.PM_POST_HIBERNATION) posts[0]++;
            return 0;
        });
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/pm_freeze_timeout", "1000"));
        assertEquals("EBUSY", HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        assertEquals(1, posts[0], "PM_POST_HIBERNATION once");
        List<String> log = MachineTest.strip(m.drainKernelLog());
        assertTrue(log.stream().anyMatch(l -> l.matches("Freezing user space processes failed after 1\\.0\\d\\d seconds "
                + "\\(1 tasks refusing to freeze, wq_busy=0\\):")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("task:fuse-client     state:D")), log.toString());
        assertFalse(log.contains("PM: hibernation: Preallocating image memory"), "no bitmaps, no image");
        assertTrue(log.contains("PM: hibernation: hibernation exit"));
    }

    @Test
    void virtioMemRefusesHibernationAsEachKernelDoes() {
        String[] vmem = {"-object memory-backend-ram,id=vmem0,size=1073741824",
                "-device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0"};
        Machine m = boot(KernelVersion.V6_12, "", vmem);
        assertEquals("EPERM", HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        List<String> log = MachineTest.strip(m.drainKernelLog());
        int e = log.indexOf("PM: hibernation: hibernation entry");
        assertEquals(List.of("PM: hibernation: hibernation entry", "virtio_mem virtio0: hibernation is not supported.",
                "PM: hibernation: hibernation exit"), log.subList(e, e + 3), "recorded: vetoed before the freezer");
        Machine old = boot(KernelVersion.V6_1, "", vmem);
        assertEquals("EPERM", HibernationRoundTripTest.write(old, "/sys/power/state", "disk"));
        List<String> oldLog = MachineTest.strip(old.drainKernelLog());
        int i = oldLog.indexOf("virtio_mem virtio0: save/restore not supported.");
        assertTrue(i > 0, oldLog.toString());
        assertEquals(List.of("virtio-pci 0000:00:04.0: PM: pci_pm_freeze(): virtio_pci_freeze+0x0/0x50 [virtio_pci] returns -1",
                "virtio-pci 0000:00:04.0: PM: dpm_run_callback(): pci_pm_freeze+0x0/0xe0 returns -1",
                "virtio-pci 0000:00:04.0: PM: failed to freeze async: error -1"), oldLog.subList(i + 1, i + 4));
        assertTrue(oldLog.contains("Restarting tasks ... done."), oldLog.toString());
    }

    @Test
    void inflatedBalloonIsDeflatedBeforeTheSnapshotAndReinflatedAfterTheRestore() {
        Machine m = boot(KernelVersion.V6_12, "", "-device virtio-balloon-pci,id=balloon0");
        assertEquals("{\"return\":{}}", MachineTest.qmp(m, "balloon", "{\"value\":" + ((1024L << 20) - (128L << 20)) + "}"));
        m.runFor(5_000_000_000L);
        int inflated = m.balloonDriver().numPages();
        assertEquals(32768, inflated);
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/disk", "test_resume"));
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        Hibernation.Report r = m.power().lastReport();
        assertTrue(r.savedPages() < 40_000, "no balloon page in the image: " + r);
        m.runFor(5_000_000_000L);
        assertEquals(inflated, m.balloonDriver().numPages(), "re-inflated towards the target");
    }

    static void assertRefused(Errno e, Runnable r) {
        KernelException ex = assertThrows(KernelException.class, r::run);
        assertEquals(e, ex.errno());
    }
}
