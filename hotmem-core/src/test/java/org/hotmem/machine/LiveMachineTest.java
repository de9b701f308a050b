package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.hotmem.hotplug.MemoryBlock;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Arch;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

class LiveMachineTest {
    private static final String DIMM = "-object memory-backend-ram,id=mem1,size=512M -device pc-dimm,id=dimm1,memdev=mem1";

    private static LiveMachine live(double speed, String... qemu) {
        List<String> args = qemu.length == 0 ? List.of() : List.of(String.join(" ", qemu).split(" "));
        return LiveMachine.start(Machine.boot(new MachineConfig("1G,slots=8,maxmem=8G", "", args, KernelVersion.V6_12, 1)), speed);
    }

    @Test
    void sysfsReadInATaskAndQmpOnTheOwnerThread() throws Exception {
        try (LiveMachine live = live(1)) {
            String state = live.inTask("cat", m -> m.fs().lookupFile("/sys/devices/system/memory/memory1/state").read())
                    .future().get(10, TimeUnit.SECONDS);
            assertEquals("online\n", state);
            assertEquals("{\"return\":{}}", live.qmp("object-add", MachineTest.json(
                    "{\"qom-type\":\"memory-backend-ram\",\"id\":\"m1\",\"size\":134217728}")).get().toString());
        }
    }

    @Test
    void aStoreThatFailsCompletesWithItsErrno() throws Exception {
        try (LiveMachine live = live(1)) {
            var call = live.inTask("sh", m -> {
                m.fs().lookupFile("/sys/devices/system/memory/memory1/state").write("bogus\n");
                return null;
            });
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> call.future().get(10, TimeUnit.SECONDS));
            assertEquals(Errno.EINVAL, assertInstanceOf(KernelException.class, e.getCause()).errno());
        }
    }

    @Test
    void virtualTimeFollowsTheWallClockTimesTheSpeed() throws Exception {
        try (LiveMachine live = live(1000)) {
            long start = live.call(m -> m.kernel().now()).get();
            // 5 s of virtual sleep at x1000 take about 5 ms of wall time
            long woke = live.inTask("sleep", m -> {
                m.kernel().msleep(5000);
                return m.kernel().now();
            }).future().get(10, TimeUnit.SECONDS);
            assertTrue(woke - start >= 5_000_000_000L, "slept " + (woke - start) + " ns");
        }
    }

    @Test
    void pausedTimeStandsStillUntilStepped() throws Exception {
        try (LiveMachine live = live(1000)) {
            live.pause();
            long t0 = live.call(m -> m.kernel().now()).get();
            Thread.sleep(20); // x1000 would be 20 s of virtual time
            assertEquals(t0, (long) live.call(m -> m.kernel().now()).get(), "paused: no time passes");
            // requests are still served at the current instant
            assertEquals("online\n", live.inTask("cat", m -> m.fs().lookupFile("/sys/devices/system/memory/memory1/state")
                    .read()).future().get(10, TimeUnit.SECONDS));
            long reached = live.step(3_000_000_000L).get(10, TimeUnit.SECONDS);
            assertEquals(t0 + 3_000_000_000L, reached);
            assertTrue(live.paused());
            live.resume();
            long deadline = System.nanoTime() + 10_000_000_000L; // a loaded machine may take a while
            while (live.call(m -> m.kernel().now()).get() <= reached && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(live.call(m -> m.kernel().now()).get() > reached, "time runs again after resume()");
        }
    }

    @Test
    void aSignalEndsABlockedOfflineWithEintrAndTheBlockStaysOnline() throws Exception {
        try (LiveMachine live = live(100, DIMM)) {
            List<String> log = new CopyOnWriteArrayList<>();
            live.onKernelLog(log::add);
            // a long-term pinned page in the DIMM's first block (onlined to ZONE_NORMAL at boot)
            int block = live.call(m -> {
                AddressSpace as = m.mm().newAddressSpace("rdma", Gfp.MOVABLE_ANON);
                int slot = as.add(1);
                as.pinLongterm(slot);
                return (int) (as.pfn(slot) / Arch.X86_64.pagesPerBlock());
            }).get();
            String state = "/sys/devices/system/memory/memory" + block + "/state";
            var writer = live.inTask("sh", m -> {
                ((KFile) m.fs().lookup(state)).write("offline\n");
                return null;
            });
            Thread.sleep(50); // the offline retries on the pinned page
            assertFalse(writer.future().isDone());
            writer.signal(Task.SIGINT);
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> writer.future().get(10, TimeUnit.SECONDS));
            assertEquals(Errno.EINTR, ((KernelException) e.getCause()).errno());
            assertEquals(MemoryBlock.State.ONLINE, live.call(m -> m.hotplug().block(block).state()).get());
            live.call(m -> null).get(); // one more slice: the log is published
            assertTrue(log.stream().anyMatch(l -> l.endsWith("failed due to signal backoff")), String.join("\n", log));
        }
    }

    @Test
    void closingFailsWhatIsStillWaiting() throws Exception {
        LiveMachine live = live(1);
        var sleeper = live.inTask("sleep", m -> {
            m.kernel().msleep(1_000_000);
            return null;
        });
        live.close();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> sleeper.future().get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(live.call(m -> 1).isCompletedExceptionally());
    }
}
