package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.mm.KernelVersion;
import org.hotmem.power.SnapshotDevice;
import org.hotmem.power.SuspendIoctls;
import org.junit.jupiter.api.Test;

/** The cgroup v2 freezer: cgroup.freeze, cgroup.events, per cgroup, tasks thawed on purpose. */
class CgroupFreezerTest {
    final Machine m = Machine.boot(new MachineConfig("1G,slots=4,maxmem=4G", "", List.of(), KernelVersion.V6_12, 5));

    /** A user task that counts its rounds, sleeping 10 ms between them. */
    Task worker(String name, long[] rounds) {
        return m.kernel().spawnProcess(name, () -> {
            for (;;) {
                rounds[0]++;
                m.kernel().nanosleep(10_000_000L);
            }
        });
    }

    String read(String path) {
        return SnapshotDeviceTest.readIn(m, path);
    }

    String write(String path, String value) {
        return HibernationRoundTripTest.write(m, path, value);
    }

    @Test
    void freezingOneCgroupStopsItsTasksAndLeavesTheServingTaskRunning() {
        m.cgroups().mkdir("/frozen");
        m.cgroups().mkdir("/serving");
        long[] a = {0}, b = {0}, net = {0};
        Task ta = worker("app", a), tb = worker("db", b), tn = worker("nbd-server", net);
        m.runFor(50_000_000L);
        assertNull(write("/sys/fs/cgroup/frozen/cgroup.procs", String.valueOf(ta.pid())));
        assertNull(write("/sys/fs/cgroup/frozen/cgroup.procs", String.valueOf(tb.pid())));
        assertNull(write("/sys/fs/cgroup/serving/cgroup.procs", String.valueOf(tn.pid())));
        assertEquals(ta.pid() + "\n" + tb.pid() + "\n", read("/sys/fs/cgroup/frozen/cgroup.procs"));
        assertEquals("0\n", read("/sys/fs/cgroup/frozen/cgroup.freeze"));
        assertEquals("populated 1\nfrozen 0\n", read("/sys/fs/cgroup/frozen/cgroup.events"));
        assertNull(write("/sys/fs/cgroup/frozen/cgroup.freeze", "1"));
        m.runFor(50_000_000L);
        assertEquals("populated 1\nfrozen 1\n", read("/sys/fs/cgroup/frozen/cgroup.events"));
        assertEquals("populated 1\nfrozen 0\n", read("/sys/fs/cgroup/serving/cgroup.events"));
        long a0 = a[0], b0 = b[0], n0 = net[0];
        m.runFor(1_000_000_000L);
        assertEquals(a0, a[0]);
        assertEquals(b0, b[0]);
        assertTrue(net[0] > n0 + 50, "the serving task runs on");
        // thaw one task on purpose: move it out
        assertNull(write("/sys/fs/cgroup/cgroup.procs", String.valueOf(tb.pid())));
        m.runFor(100_000_000L);
        assertTrue(b[0] > b0);
        assertEquals(a0, a[0]);
        assertEquals("populated 1\nfrozen 1\n", read("/sys/fs/cgroup/frozen/cgroup.events"));
        assertNull(write("/sys/fs/cgroup/frozen/cgroup.freeze", "0"));
        m.runFor(100_000_000L);
        assertTrue(a[0] > a0);
        assertEquals("populated 1\nfrozen 0\n", read("/sys/fs/cgroup/frozen/cgroup.events"));
    }

    @Test
    void anAncestorsFreezeFreezesTheChildAndAMovedInTaskFreezes() {
        m.cgroups().mkdir("/all");
        m.cgroups().mkdir("/all/child");
        long[] c = {0}, late = {0};
        Task tc = worker("child", c);
        m.cgroups().move(tc, m.cgroups().cgroup("/all/child"));
        assertNull(write("/sys/fs/cgroup/all/cgroup.freeze", "1"));
        m.runFor(50_000_000L);
        assertEquals("0\n", read("/sys/fs/cgroup/all/child/cgroup.freeze"), "the child's own request");
        assertEquals("populated 1\nfrozen 1\n", read("/sys/fs/cgroup/all/child/cgroup.events"));
        Task tl = worker("late", late);
        m.runFor(20_000_000L);
        assertTrue(late[0] > 0);
        assertNull(write("/sys/fs/cgroup/all/cgroup.procs", String.valueOf(tl.pid())));
        m.runFor(20_000_000L);
        long l0 = late[0];
        m.runFor(500_000_000L);
        assertEquals(l0, late[0], "moved into a frozen cgroup: frozen");
        assertEquals("populated 1\nfrozen 1\n", read("/sys/fs/cgroup/all/cgroup.events"));
        m.cgroups().mkdir("/empty");
        assertNull(write("/sys/fs/cgroup/empty/cgroup.freeze", "1"));
        assertEquals("populated 0\nfrozen 1\n", read("/sys/fs/cgroup/empty/cgroup.events"));
    }

    @Test
    void badWritesGetLinuxsErrnos() {
        m.cgroups().mkdir("/x");
        assertEquals("ERANGE", write("/sys/fs/cgroup/x/cgroup.freeze", "2"));
        assertEquals("ERANGE", write("/sys/fs/cgroup/x/cgroup.freeze", "-1"));
        assertEquals("EINVAL", write("/sys/fs/cgroup/x/cgroup.freeze", "yes"));
        assertEquals("ESRCH", write("/sys/fs/cgroup/x/cgroup.procs", "99999"));
        assertNull(m.fs().lookup("/sys/fs/cgroup/cgroup.freeze"), "not on the root");
        assertNull(m.fs().lookup("/sys/fs/cgroup/cgroup.events"), "not on the root");
        KernelException e = assertThrows(KernelException.class, () -> m.cgroups().mkdir("/x"));
        assertEquals(Errno.EEXIST, e.errno());
    }

    @Test
    void thePmFreezersThawLeavesACgroupFrozenTaskFrozen() {
        m.cgroups().mkdir("/held");
        long[] h = {0}, free = {0};
        Task th = worker("held", h);
        worker("free", free);
        m.cgroups().move(th, m.cgroups().cgroup("/held"));
        assertNull(write("/sys/fs/cgroup/held/cgroup.freeze", "1"));
        m.runFor(50_000_000L);
        SnapshotDeviceTest.inTask(m, dev -> {
            SnapshotDevice.File f = dev.open(SnapshotDevice.O_RDONLY, SnapshotDevice.Cred.ROOT);
            f.ioctl(SuspendIoctls.SNAPSHOT_FREEZE);
            f.close(); // thaw_processes()
        });
        long h0 = h[0], f0 = free[0];
        m.runFor(500_000_000L);
        assertEquals(h0, h[0]);
        assertTrue(free[0] > f0);
    }
}
