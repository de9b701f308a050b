package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;
import org.hotmem.power.SwapArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HibernationRoundTripTest {
    @TempDir Path dir;

    static MachineConfig config(Path disk, KernelVersion v, long seed, String... extraQemu) {
        List<String> q = new ArrayList<>(List.of("-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk"));
        q.addAll(List.of(extraQemu));
        return new MachineConfig("1G,slots=8,maxmem=8G", "resume=/dev/vda no_console_suspend", q, v, seed);
    }

    /** Writes {@code value} to a sysfs file in a user task and runs until it returns or the machine is off. */
    static String write(Machine m, String path, String value) {
        String[] err = {null};
        boolean[] done = {false};
        m.kernel().spawn("sh", 0, () -> {
            KFile f = m.fs().lookupFile(path);
            try {
                f.write(value + "\n");
            } catch (KernelException e) {
                err[0] = e.errno().name();
            }
            done[0] = true;
        });
        m.kernel().runUntil(() -> done[0] || m.poweredOff());
        return err[0];
    }

    /** pfn -> token of every page that holds content (not free, not offline). */
    static Map<Long, Long> contents(MemoryModel mm) {
        Map<Long, Long> out = new TreeMap<>();
        for (var sec : mm.presentSections()) {
            long start = sec.startPfn();
            for (long pfn = start; pfn < start + 32768; pfn++) {
                if (!mm.pfnOnline(pfn)) continue;
                int k = mm.kind(pfn);
                if (k == PageState.LRU || k == PageState.KERNEL || k == PageState.KERNEL_TAIL) out.put(pfn, mm.token(pfn));
            }
        }
        return out;
    }

    static Machine prepared(Path disk, KernelVersion v, long seed, HostState host) {
        SwapArea.createImage(disk, 512L << 20);
        Machine m = Machine.boot(config(disk, v, seed), host);
        m.power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        MachineTest.addDimm(m, "1", 512L << 20);
        m.runFor(2_000_000_000L);
        AddressSpace as = m.mm().newAddressSpace("workload", Gfp.MOVABLE_ANON);
        java.util.Random r = new java.util.Random(seed);
        int pages = 5_000 + r.nextInt(10_000);
        for (int i = 0; i < pages; i++) as.add(r.nextLong() | 1);
        return m;
    }

    @Test
    void machineWithHotAddedOnlineMemoryResumesInAFreshMachineWithEveryTokenIntact() {
        for (long seed = 1; seed <= 2; seed++) {
            KernelVersion v = seed % 2 == 0 ? KernelVersion.V6_1 : KernelVersion.V6_12;
            Path disk = dir.resolve("swap" + seed + ".img");
            HostState host = new HostState();
            Machine m = prepared(disk, v, seed, host);
            Map<Long, Long> before = contents(m.mm());
            assertNull(write(m, "/sys/power/state", "disk"), "seed " + seed);
            assertTrue(m.poweredOff(), "seed " + seed);
            List<String> log = MachineTest.strip(m.drainKernelLog());
            assertTrue(log.contains("PM: hibernation: hibernation entry"), log.toString());
            assertTrue(log.contains("PM: Image saving done"), log.toString());
            assertTrue(log.stream().anyMatch(l -> l.equals("PM: S|")), log.toString());
            assertEquals("S1SUSPEND", signature(disk));

            Machine again = Machine.boot(config(disk, v, seed + 100, "-object memory-backend-ram,id=mem1,size=536870912",
                    "-device pc-dimm,id=dimm1,memdev=mem1"), host);
            assertSame(m, again, "seed " + seed + ": the image resumed\n" + String.join("\n", log));
            assertFalse(m.poweredOff());
            m.runFor(1_000_000_000L);
            Map<Long, Long> after = contents(m.mm());
            for (var e : before.entrySet()) {
                assertEquals(e.getValue(), after.get(e.getKey()), "seed " + seed + " pfn 0x" + Long.toHexString(e.getKey()));
            }
            assertEquals(SwapArea.SWAPSPACE2, signature(disk), "the image was consumed");
            List<String> resumed = MachineTest.strip(m.drainKernelLog());
            assertTrue(resumed.contains("PM: hibernation: hibernation exit"), resumed.toString());
        }
    }

    static String signature(Path disk) {
        try (SwapArea a = SwapArea.open(disk, 0)) {
            return a.signature();
        }
    }

    @Test
    void dimmRemovedBetweenHibernateAndResumeIsRefusedWithLinuxsLinesAndBootsFresh() {
        Path disk = dir.resolve("swap.img");
        HostState host = new HostState();
        Machine m = prepared(disk, KernelVersion.V6_12, 5, host);
        assertNull(write(m, "/sys/power/state", "disk"));
        assertTrue(m.poweredOff());
        Machine fresh = Machine.boot(config(disk, KernelVersion.V6_12, 6), host);
        assertNotSame(m, fresh);
        List<String> log = MachineTest.strip(fresh.drainKernelLog());
        int i = log.indexOf("PM: hibernation: resume from hibernation");
        assertTrue(i > 0, log.toString());
        List<String> tail = log.subList(i, log.size());
        // the refusal as 6.12 printed it in the recording hibernate-dimm-removed (numbers aside)
        List<String> recorded = List.of("PM: Image signature found, resuming", "PM: hibernation: resume from hibernation",
                "Freezing user space processes", "Freezing user space processes completed (elapsed N.N seconds)",
                "OOM killer disabled.", "Freezing remaining freezable tasks",
                "Freezing remaining freezable tasks completed (elapsed N.N seconds)",
                "PM: hibernation: Marking nosave pages: [mem 0x00000000-0x00000fff]",
                "PM: hibernation: Marking nosave pages: [mem 0x0009f000-0x000fffff]",
                "PM: hibernation: Basic memory bitmaps created", "PM: Using N thread(s) for lzo decompression",
                "PM: Loading and decompressing image data (N pages)...", "PM: hibernation: Image mismatch: memory size",
                "PM: hibernation: Read N kbytes in N.N seconds (N.N MB/s)", "PM: Error -N resuming",
                "PM: hibernation: Failed to load image, recovering.", "PM: hibernation: Basic memory bitmaps freed",
                "OOM killer enabled.", "Restarting tasks ... done.", "PM: hibernation: resume failed (-N)");
        int s0 = log.indexOf("PM: Image signature found, resuming");
        assertTrue(s0 >= 0, log.toString());
        List<String> got = log.subList(s0, log.indexOf("PM: hibernation: resume failed (-1)") + 1).stream()
                .map(l -> l.contains("[mem 0x") ? l : l.replaceAll("[0-9]+", "N")).toList();
        assertEquals(recorded, got);
        assertEquals(SwapArea.SWAPSPACE2, signature(disk), "swsusp_check() put the swap signature back first");
        assertFalse(fresh.poweredOff());
        Task t = fresh.kernel().spawn("true", 0, () -> { });
        fresh.runFor(1_000_000);
        assertTrue(t.isDead(), "the fresh machine runs");
    }
}
