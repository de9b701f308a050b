package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.power.SwapArea;
import org.hotmem.power.SwapReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every single-byte corruption and every truncation of a hibernation image either makes the
 * boot kernel refuse it (with a message) or, where Linux checks nothing (the original swap
 * signature, the unused parts of the header page and the padding after a compressed chunk), loads
 * exactly the pages that were saved. A resume with wrong content is the failure this test hunts;
 * a failing case is shrunk to the smallest offset and flip that still fail, and printed with its
 * seed ({@code -Dhotmem.prop.seed=N} reruns one seed).
 */
class HibernationImageCorruptionTest {
    @TempDir Path dir;

    /** An image of a small guest with some anonymous memory, and a fresh loader machine of the same shape. */
    record Fixture(Path disk, byte[] pristine, Machine loader, SwapReader.LoadedImage reference, long seed) {}

    static Fixture fixture(Path dir, KernelVersion v, long seed) {
        Path disk = dir.resolve("swap-" + seed + ".img");
        SwapArea.createImage(disk, 64L << 20);
        String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
        Machine m = Machine.boot(new MachineConfig("1G", "no_console_suspend", List.of(drive), v, seed), new HostState());
        m.power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        AddressSpace as = m.mm().newAddressSpace("workload", Gfp.MOVABLE_ANON);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0, n = 500 + r.nextInt(500); i < n; i++) as.add(r.nextLong() | 1);
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        assertTrue(m.poweredOff());
        long used = (m.power().lastReport().imagePages() + 64) * SwapArea.PAGE_SIZE;
        byte[] pristine = head(disk, (int) Math.min(used, 64L << 20));
        Machine loader = Machine.boot(new MachineConfig("1G", "", List.of(drive), v, seed + 1), new HostState());
        SwapReader.LoadedImage ref = load(loader, disk);
        assertNotNull(ref, "the pristine image loads");
        return new Fixture(disk, pristine, loader, ref, seed);
    }

    static byte[] head(Path f, int n) {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            byte[] b = new byte[(int) Math.min(n, raf.length())];
            raf.readFully(b);
            return b;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Restores the disk to the pristine image, then applies {@code damage}. */
    static void reset(Fixture f, long truncateTo, int offset, int xor) {
        try (RandomAccessFile raf = new RandomAccessFile(f.disk.toFile(), "rw")) {
            raf.setLength(64L << 20);
            raf.seek(0);
            raf.write(f.pristine);
            if (xor != 0) {
                raf.seek(offset);
                raf.write((f.pristine[offset] ^ xor) & 0xff);
            }
            if (truncateTo >= 0) raf.setLength(truncateTo);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The boot kernel's read of the image in a task: the image, null (no image), or the refusal as an exception. */
    static SwapReader.LoadedImage load(Machine loader, Path disk) {
        SwapReader.LoadedImage[] out = {null};
        KernelException[] err = {null};
        boolean[] done = {false};
        loader.kernel().spawn("resume", 0, () -> {
            try {
                out[0] = loader.power().readImage(disk, 0);
            } catch (KernelException e) {
                err[0] = e;
            }
            done[0] = true;
        });
        loader.kernel().runUntil(() -> done[0]);
        assertTrue(done[0]);
        if (err[0] != null) throw err[0];
        return out[0];
    }

    /** Null if the damaged image is refused or loads exactly the reference; else what went wrong. */
    static String verdict(Fixture f, long truncateTo, int offset, int xor) {
        long mark = f.loader.kernel().dmesg().mark();
        SwapReader.LoadedImage img;
        try {
            img = load(f.loader, f.disk);
        } catch (KernelException refused) {
            List<String> said = f.loader.kernel().dmesg().since(mark);
            boolean explained = !said.isEmpty() || refused.errno() == org.hotmem.kernel.Errno.EFAULT
                    || refused.errno() == org.hotmem.kernel.Errno.ENODATA || refused.errno() == org.hotmem.kernel.Errno.ENOMEM;
            return explained ? null : "refused with " + refused.errno() + " but nothing was said";
        }
        if (img == null) return null; // no image: a fresh boot
        if (!Arrays.equals(img.pfns(), f.reference.pfns())) return "loaded a different set of pfns";
        if (!Arrays.equals(img.tokens(), f.reference.tokens())) return "loaded different page contents";
        if (!img.unrecognisedPfns().isEmpty()) return "loaded pages no token produces";
        return null;
    }

    @Test
    void everySingleByteCorruptionAndTruncationIsRefusedOrHarmless() {
        long only = Long.getLong("hotmem.prop.seed", -1);
        for (long seed = 1; seed <= 2; seed++) {
            if (only >= 0 && seed != only) continue;
            KernelVersion v = seed == 1 ? KernelVersion.V6_12 : KernelVersion.V6_1;
            Fixture f = fixture(dir, v, seed);
            SplittableRandom r = new SplittableRandom(seed * 7919);
            int len = f.pristine.length;
            List<int[]> cases = new ArrayList<>();
            for (int o = SwapArea.PAGE_SIZE - 40; o < SwapArea.PAGE_SIZE; o++) cases.add(new int[] {o, 1 + r.nextInt(255)});
            // slot 1: the first swap-map page; slot 2: the image header (swsusp_info); slot 3: the first chunk
            for (int o : new int[] {4096, 4096 + 1, 4096 + 8, 4096 + 16, 8192, 8192 + 7, 8192 + 16, 8192 + 24, 8192 + 32,
                    8192 + 400, 8192 + 404, 8192 + 408, 8192 + 416, 8192 + 424, 8192 + 432, 8192 + 3000, 12288, 12288 + 3,
                    12288 + 8, 12288 + 100}) {
                cases.add(new int[] {o, 1 + r.nextInt(255)});
            }
            // 6.1 stores its zero pages, so each read is ten times longer: fewer random offsets there
            for (int i = 0, n = v == KernelVersion.V6_1 ? 6 : 50; i < n; i++) cases.add(new int[] {4096 + r.nextInt(len - 4096), 1 + r.nextInt(255)});
            // the property's two sides both occur: a flip in the compressed data is refused by the CRC (or the
            // decompressor), a flip in orig_sig (which Linux only copies back) loads the image unchanged
            long mark = f.loader.kernel().dmesg().mark();
            reset(f, -1, 12288 + 2000, 0x40);
            assertThrows(KernelException.class, () -> load(f.loader, f.disk));
            assertTrue(f.loader.kernel().dmesg().since(mark).stream().anyMatch(l -> l.contains("Invalid image CRC32!")
                    || l.contains("decompression failed") || l.contains("compressed length")), "seed " + seed);
            reset(f, -1, 4078, 0x01);
            SwapReader.LoadedImage same = load(f.loader, f.disk);
            assertArrayEquals(f.reference.tokens(), same.tokens());
            for (int[] c : cases) {
                String bad = verdict(f, -1, c[0], c[1]);
                if (bad != null) fail(shrink(f, c[0], c[1], bad));
            }
            for (int i = 0, n = v == KernelVersion.V6_1 ? 4 : 10; i < n; i++) {
                long cut = i < 4 ? i * 4096L + r.nextInt(4096) : r.nextInt(len);
                String bad = verdict(f, cut, 0, 0);
                assertNull(bad, "seed " + seed + ": truncation to " + cut + " bytes: " + bad);
            }
            reset(f, -1, 0, 0);
        }
    }

    /** Shrinks a failing flip to the lowest failing offset at or below it and the smallest failing xor. */
    static String shrink(Fixture f, int offset, int xor, String why) {
        int best = offset;
        for (int o = 0; o < offset; o += Math.max(1, (offset - o) / 64)) {
            if (verdict(f, -1, o, xor) != null) {
                best = o;
                break;
            }
        }
        int bx = xor;
        for (int x = 1; x < xor; x++) {
            if (verdict(f, -1, best, x) != null) {
                bx = x;
                break;
            }
        }
        return "seed " + f.seed + ": flipping byte " + offset + " with 0x" + Integer.toHexString(xor) + ": " + why
                + "; minimal case: byte " + best + " xor 0x" + Integer.toHexString(bx) + ": " + verdict(f, -1, best, bx)
                + " (rerun with -Dhotmem.prop.seed=" + f.seed + ")";
    }

    @Test
    void powerLossInTheMiddleOfTheImageWriteLeavesADiskThatDoesNotResume() throws IOException {
        for (long budget : new long[] {200, -1}) {
            Path disk = dir.resolve("loss" + budget + ".img");
            SwapArea.createImage(disk, 64L << 20);
            String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
            HostState host = new HostState();
            MachineConfig cfg = new MachineConfig("1G", "resume=/dev/vda", List.of(drive), KernelVersion.V6_12, 3);
            Machine m = Machine.boot(cfg, host);
            m.power().mkswap("/dev/vda");
            m.power().swapon("/dev/vda");
            AddressSpace as = m.mm().newAddressSpace("workload", Gfp.MOVABLE_ANON);
            for (int i = 0; i < 3000; i++) as.add(i * 31L + 1);
            // -1: everything but the last swap-map page reaches the disk (the cut between mark_swapfiles() and the flush)
            m.power().setPowerLossAfter(budget > 0 ? budget : Long.MAX_VALUE);
            if (budget < 0) m.power().setPowerLossAfter(lastMapFlushBudget(dir, m));
            assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
            assertTrue(m.poweredOff());
            Machine next = Machine.boot(cfg, host);
            assertNotSame(m, next, "budget " + budget + ": the cut image must not resume");
            assertFalse(next.poweredOff());
            List<String> log = MachineTest.strip(next.drainKernelLog());
            if (budget > 0) {
                assertFalse(log.contains("PM: hibernation: resume from hibernation"), "no signature was written: " + log);
            } else {
                assertTrue(log.contains("PM: hibernation: Failed to load image, recovering."), log.toString());
            }
            assertEquals(SwapArea.SWAPSPACE2, HibernationRoundTripTest.signature(disk));
            Files.deleteIfExists(disk);
        }
    }

    /** The page budget that lets every write but the final swap-map flush through, measured on a twin machine. */
    static long lastMapFlushBudget(Path dir, Machine like) {
        Path twin = dir.resolve("twin.img");
        SwapArea.createImage(twin, 64L << 20);
        String drive = "-drive file=" + twin + ",if=virtio,format=raw,id=swapdisk";
        Machine m = Machine.boot(new MachineConfig("1G", "", List.of(drive), KernelVersion.V6_12, 3), new HostState());
        m.power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        AddressSpace as = m.mm().newAddressSpace("workload", Gfp.MOVABLE_ANON);
        for (int i = 0; i < 3000; i++) as.add(i * 31L + 1);
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        return m.power().lastDiskWrites() - 1;
    }
}
