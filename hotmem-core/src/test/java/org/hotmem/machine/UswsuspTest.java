package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hotmem.conformance.GuestShell;
import org.hotmem.conformance.ShellResult;
import org.hotmem.mm.KernelVersion;
import org.hotmem.power.ImageServer;
import org.hotmem.power.SnapshotDevice;
import org.hotmem.power.SwapArea;
import org.hotmem.power.UserImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uswsusp programs s2disk and resume in the guest, against /dev/snapshot, with the image on
 * the image server (a real TCP server on loopback) or on a disk.
 */
class UswsuspTest {
    @TempDir Path dir;
    ImageServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = ImageServer.start(new InetSocketAddress("127.0.0.1", 0), dir.resolve("images"));
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    String url(String name) { return "tcp:127.0.0.1:" + server.port() + "/" + name; }

    static MachineConfig config(Path disk, String memory, long seed, String... extraQemu) {
        List<String> q = new java.util.ArrayList<>(List.of("-drive file=" + disk + ",if=virtio,format=raw,id=imgdisk"));
        q.addAll(List.of(extraQemu));
        return new MachineConfig(memory + ",slots=8,maxmem=8G", "", q, KernelVersion.V6_12, seed);
    }

    /** A 1G machine with a hot-added 512M DIMM and a workload of anonymous pages. */
    Machine hotAdded(HostState host, long seed) {
        Path disk = dir.resolve("disk" + seed + ".img");
        SwapArea.createImage(disk, 256L << 20);
        Machine m = Machine.boot(config(disk, "1G", seed), host);
        MachineTest.addDimm(m, "1", 512L << 20);
        m.runFor(2_000_000_000L);
        var as = m.mm().newAddressSpace("workload", org.hotmem.mm.Gfp.MOVABLE_ANON);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 8_000; i++) as.add(r.nextLong() | 1);
        return m;
    }

    Machine freshWithDimm(HostState host, long seed, String memory) {
        Path disk = dir.resolve("fresh" + seed + ".img");
        SwapArea.createImage(disk, 64L << 20);
        return Machine.boot(config(disk, memory, seed, "-object memory-backend-ram,id=mem1,size=536870912",
                "-device pc-dimm,id=dimm1,memdev=mem1"), host);
    }

    static ShellResult runShell(Machine m, String command) {
        GuestShell.Pending p = new GuestShell(m.kernel(), m.fs(), m.power()).start(command);
        m.kernel().runUntil(() -> p.done() || m.poweredOff());
        return p.outcome().result();
    }

    @Test
    void machineWithHotAddedMemoryHibernatesToTheImageServerAndResumesInAFreshMachineWithEveryTokenIntact() {
        HostState host = new HostState();
        Machine a = hotAdded(host, 21);
        Map<Long, Long> before = HibernationRoundTripTest.contents(a.mm());
        GuestShell.Pending s2disk = new GuestShell(a.kernel(), a.fs(), a.power()).start("s2disk " + url("vm1"));
        a.kernel().runUntil(() -> s2disk.done() || a.poweredOff());
        assertTrue(a.poweredOff(), String.valueOf(s2disk.outcome().result()));
        assertTrue(Files.isRegularFile(dir.resolve("images/vm1.img")));

        Machine fresh = freshWithDimm(host, 22, "1G");
        GuestShell.Pending resume = new GuestShell(fresh.kernel(), fresh.fs(), fresh.power()).start("resume " + url("vm1"));
        fresh.kernel().runUntil(() -> resume.done() || fresh.poweredOff());
        assertFalse(resume.done(), "resume returned: " + resume.outcome().result());
        Machine back = fresh.userResumed();
        assertSame(a, back);
        back.runFor(1_000_000_000L);
        assertTrue(s2disk.done());
        ShellResult r = s2disk.outcome().result();
        assertEquals(0, r.rc(), r.output());
        assertTrue(r.output().matches("s2disk: image saved: \\d+ pages to tcp:127.0.0.1:\\d+/vm1\ns2disk: resumed\n"), r.output());
        Map<Long, Long> after = HibernationRoundTripTest.contents(back.mm());
        assertTrue(before.size() > 8_000);
        for (var e : before.entrySet()) assertEquals(e.getValue(), after.get(e.getKey()), "pfn 0x" + Long.toHexString(e.getKey()));
        List<String> log = MachineTest.strip(back.drainKernelLog());
        assertTrue(log.contains("Restarting tasks ... done."), log.toString());
    }

    @Test
    void anImageOfAnotherMachineIsRefusedByTheKernelAndTheFreshMachineRunsOn() {
        HostState host = new HostState();
        Machine a = hotAdded(host, 31);
        runShell(a, "s2disk " + url("vm"));
        assertTrue(a.poweredOff());
        Machine bigger = freshWithDimm(host, 32, "2G");
        ShellResult r = runShell(bigger, "resume " + url("vm"));
        assertEquals("resume: /dev/snapshot: Operation not permitted\n", r.output());
        assertEquals(1, r.rc());
        assertFalse(bigger.poweredOff());
        assertEquals("resume: " + url("nothing") + ": image refused: no such image\n", runShell(bigger, "resume " + url("nothing")).output());
        // the device is free again, and the right machine still resumes the image
        Machine right = freshWithDimm(host, 33, "1G");
        runShell(right, "resume " + url("vm"));
        assertSame(a, right.userResumed());
    }

    /** The DIMM unplugged between hibernate and resume: the image's memory size is not the fresh machine's. */
    @Test
    void dimmUnpluggedBeforeTheResumeIsRefusedAsAMemorySizeMismatch() {
        HostState host = new HostState();
        Machine a = hotAdded(host, 61);
        runShell(a, "s2disk " + url("vm"));
        assertTrue(a.poweredOff());
        Path disk = dir.resolve("nodimm.img");
        SwapArea.createImage(disk, 64L << 20);
        Machine noDimm = Machine.boot(config(disk, "1G", 62), host);
        noDimm.drainKernelLog();
        ShellResult r = runShell(noDimm, "resume " + url("vm"));
        assertEquals("resume: /dev/snapshot: Operation not permitted\n", r.output());
        assertTrue(MachineTest.strip(noDimm.drainKernelLog()).contains("PM: hibernation: Image mismatch: memory size"));
        assertNull(noDimm.userResumed());
        assertFalse(noDimm.poweredOff());
    }

    @Test
    void s2diskToADiskAndResumeFromItOnceOnly() {
        HostState host = new HostState();
        Machine a = hotAdded(host, 41);
        Path disk = dir.resolve("disk41.img");
        assertEquals("s2disk: /dev/vdb: No such file or directory\n", runShell(a, "s2disk /dev/vdb").output());
        runShell(a, "s2disk /dev/vda");
        assertTrue(a.poweredOff());
        Machine fresh = Machine.boot(config(disk, "1G", 42, "-object memory-backend-ram,id=mem1,size=536870912",
                "-device pc-dimm,id=dimm1,memdev=mem1"), host);
        ShellResult r = runShell(fresh, "resume /dev/vda");
        Machine back = fresh.userResumed();
        assertSame(a, back, String.valueOf(r));
        back.runFor(1_000_000_000L);
        Machine again = Machine.boot(config(disk, "1G", 43, "-object memory-backend-ram,id=mem1,size=536870912",
                "-device pc-dimm,id=dimm1,memdev=mem1"), host);
        assertEquals("resume: /dev/vda: image refused: not a hibernation image\n", runShell(again, "resume /dev/vda").output());
    }

    @Test
    void s2diskWithoutAServerFailsBeforeFreezingAndReleasesTheDevice() throws Exception {
        HostState host = new HostState();
        Machine a = hotAdded(host, 51);
        int port = server.port();
        server.close();
        ShellResult r = runShell(a, "s2disk tcp:127.0.0.1:" + port + "/x");
        assertEquals(1, r.rc());
        assertTrue(r.output().startsWith("s2disk: tcp:127.0.0.1:" + port + "/x: Connection refused"), r.output());
        assertFalse(a.poweredOff());
        SnapshotDeviceTest.inTask(a, dev -> dev.open(SnapshotDevice.O_RDONLY, SnapshotDevice.Cred.ROOT).close());
    }

    // ---------------------------------------------------------------- the server alone

    static byte[] image(int pages, long seed) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        UserImage.Writer w = new UserImage.Writer(b, false, pages * 4096L);
        java.util.Random r = new java.util.Random(seed);
        byte[] p = new byte[4096];
        for (int i = 0; i < pages; i++) {
            for (int j = 0; j < 64; j++) p[r.nextInt(4096)] = (byte) r.nextInt();
            w.write(p, 0, 4096);
        }
        w.finish();
        return b.toByteArray();
    }

    String put(String name, byte[] bytes, int len, boolean finish) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream o = s.getOutputStream();
            o.write(("PUT " + name + "\n").getBytes(StandardCharsets.US_ASCII));
            o.write(bytes, 0, len);
            o.flush();
            if (!finish) {
                s.setSoLinger(true, 0); // a reset: the connection lost in the middle
                return null;
            }
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    byte[] get(String name) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(("GET " + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().readAllBytes();
        }
    }

    @Test
    void theServerKeepsOnlyIntactUploadsAndRefusesWrongCorruptAndTruncatedOnes() throws Exception {
        byte[] good = image(100, 1);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(good);
        assertEquals(String.format("OK %d %08x\n", good.length, crc.getValue()), put("vm", good, good.length, true));
        byte[] corrupt = good.clone();
        corrupt[200] ^= 1;
        assertTrue(put("vm", corrupt, corrupt.length, true).startsWith("ERR corrupt image (chunk 0"));
        assertEquals("ERR truncated image (131072 of 409600 bytes)\n", put("vm", good, good.length / 2, true));
        assertEquals("ERR not a hibernation image\n", put("vm", "hello world\n".getBytes(), 12, true));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertEquals("ERR corrupt image (data after the end)\n", put("vm", longer, longer.length, true));
        put("vm", good, good.length / 3, false); // reset in the middle
        assertEquals("ERR bad request\n", put("../etc", good, 10, true));
        for (int i = 0; i < 100 && Files.list(dir.resolve("images")).count() > 1; i++) Thread.sleep(20);
        assertEquals(List.of("vm.img"), Files.list(dir.resolve("images")).map(p -> p.getFileName().toString()).toList(),
                "no partial upload is left, the intact image stays");
        byte[] got = get("vm");
        byte[] head = ("OK " + good.length + "\n").getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(head, java.util.Arrays.copyOf(got, head.length));
        assertArrayEquals(good, java.util.Arrays.copyOfRange(got, head.length, got.length));
        assertEquals("ERR no such image\n", new String(get("other"), StandardCharsets.US_ASCII));
        // damaged on the server's disk: refused before a byte of it is served
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("images/vm.img"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x55}), 300);
        }
        assertTrue(new String(get("vm"), StandardCharsets.US_ASCII).startsWith("ERR corrupt image (chunk 0"));
        try (InputStream in = new java.io.ByteArrayInputStream(good)) {
            assertEquals(409600, UserImage.verify(in));
        }
    }
}
