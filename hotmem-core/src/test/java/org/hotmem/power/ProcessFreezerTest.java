package org.hotmem.power;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.WaitQueue;
import org.hotmem.kernel.Workqueue;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

class ProcessFreezerTest {
    private final Kernel k = new Kernel(SchedulingStrategy.random(7));

    /** Runs {@code body} in a user task "pm" (the writer of /sys/power/state) and returns its errno, or null. */
    private Errno inTask(Runnable body) {
        Errno[] out = {null};
        boolean[] done = {false};
        k.spawn("pm", 0, () -> {
            try {
                body.run();
            } catch (KernelException e) {
                out[0] = e.errno();
            }
            done[0] = true;
        });
        assertTrue(k.runUntil(() -> done[0]), "pm task did not finish");
        return out[0];
    }

    private List<String> log() {
        List<String> out = new ArrayList<>();
        for (var r : k.dmesg().records()) out.add(r.text());
        return out;
    }

    @Test
    void taskInUninterruptibleSleepMakesFreezingFailWithLinuxsReport() {
        WaitQueue fuse = new WaitQueue(k, "request_wait_answer");
        boolean[] answered = {false};
        Task client = k.spawn("fuse-client", 0, () -> fuse.waitEvent(() -> answered[0]));
        Task sleeper = k.spawn("sleeper", 0, () -> k.nanosleep(3_600_000_000_000L));
        k.runFor(1_000_000);
        ProcessFreezer f = new ProcessFreezer(k, KernelVersion.V6_12);
        long start = k.now();
        Errno e = inTask(f::freezeProcesses);
        assertEquals(Errno.EBUSY, e);
        long elapsedMs = (k.now() - start) / 1_000_000;
        assertTrue(elapsedMs >= 20_000 && elapsedMs < 20_050, "elapsed " + elapsedMs);
        List<String> log = log();
        int i = log.indexOf("Freezing user space processes");
        assertTrue(i >= 0, log.toString());
        assertTrue(log.get(i + 1).matches("Freezing user space processes failed after 20\\.0\\d\\d seconds "
                + "\\(1 tasks refusing to freeze, wq_busy=0\\):"), log.get(i + 1));
        assertEquals(String.format("task:fuse-client     state:D stack:0     pid:%-5d tgid:%-5d ppid:0      flags:0x00000004",
                client.pid(), client.pid()), log.get(i + 2));
        assertEquals(List.of("Call Trace:", " <TASK>", " __schedule", " schedule", " request_wait_answer", " </TASK>"),
                log.subList(i + 3, i + 9));
        assertEquals(List.of("OOM killer enabled.", "Restarting tasks ... done."), log.subList(i + 9, i + 11));
        // The sleeper was frozen in its freezable sleep and thawed back into it, not woken.
        assertFalse(sleeper.isFrozen());
        assertEquals(Task.State.INTERRUPTIBLE, sleeper.state());
        assertFalse(client.isFrozen());
        answered[0] = true;
        fuse.wakeUp();
        k.runFor(1_000_000);
        assertTrue(client.isDead());
        assertEquals(0, client.exitCode());
    }

    @Test
    void sixOneSaysFreezingOfTasksAndShowsNoTgid() {
        WaitQueue nfs = new WaitQueue(k, "nfs_wait_bit_killable");
        Task client = k.spawn("cp", 0, () -> nfs.waitEvent(() -> false));
        ProcessFreezer f = new ProcessFreezer(k, KernelVersion.V6_1);
        f.setFreezeTimeoutMs(100);
        assertEquals(Errno.EBUSY, inTask(f::freezeProcesses));
        List<String> log = log();
        int i = log.indexOf("Freezing user space processes ... ");
        assertTrue(i >= 0, log.toString());
        assertTrue(log.get(i + 1).matches("Freezing of tasks failed after 0\\.1\\d\\d seconds "
                + "\\(1 tasks refusing to freeze, wq_busy=0\\):"), log.get(i + 1));
        assertEquals(String.format("task:cp              state:D stack:0     pid:%-5d ppid:0      flags:0x00000004",
                client.pid()), log.get(i + 2));
    }

    @Test
    void interruptibleWaiterIsFrozenThroughTheFakeSignalAndItsWaitRestartsTransparently() {
        WaitQueue pipe = new WaitQueue(k, "pipe_read");
        boolean[] data = {false};
        int[] ret = {99};
        Task reader = k.spawn("reader", 0, () -> ret[0] = pipe.waitEventInterruptible(() -> data[0]));
        k.runFor(1_000_000);
        ProcessFreezer f = new ProcessFreezer(k, KernelVersion.V6_12);
        assertNull(inTask(() -> {
            f.freezeProcesses();
            assertTrue(reader.isFrozen());
            assertEquals(0, reader.pendingSignals(), "the fake signal queues no signal");
            f.thawProcesses();
        }));
        assertTrue(log().stream().anyMatch(l -> l.matches("Freezing user space processes completed \\(elapsed 0\\.00\\d seconds\\)")),
                log().toString());
        assertTrue(log().contains("OOM killer disabled."));
        k.runFor(1_000_000);
        assertFalse(reader.isDead(), "thawed reader went back to its wait");
        assertFalse(reader.signalPending());
        data[0] = true;
        pipe.wakeUp();
        k.runFor(1_000_000);
        assertEquals(0, ret[0], "the wait was restarted, not failed with EINTR");
    }

    @Test
    void wakeupOfATaskFrozenInPlaceIsDeliveredAtThaw() {
        Task sleeper = k.spawn("sleep", 0, () -> k.nanosleep(50_000_000L));
        k.runFor(1_000_000);
        ProcessFreezer f = new ProcessFreezer(k, KernelVersion.V6_12);
        assertNull(inTask(() -> {
            f.freezeProcesses();
            k.msleep(100); // the sleeper's timer fires while it is frozen
            assertTrue(sleeper.isFrozen());
            assertFalse(sleeper.isDead());
            f.thawProcesses();
        }));
        k.runFor(1_000_000);
        assertTrue(sleeper.isDead());
    }

    @Test
    void freezableKthreadThatNeverFreezesFailsTheSecondStageAndNofreezeOnesDoNot() {
        Task stubborn = k.spawn("stubborn", Task.PF_KTHREAD, () -> {
            k.setFreezable();
            for (;;) k.msleep(10); // never calls try_to_freeze()
        });
        k.spawn("nofreeze", Task.PF_KTHREAD, () -> { for (;;) k.msleep(10); });
        Task good = k.spawn("good", Task.PF_KTHREAD, () -> {
            k.setFreezable();
            for (;;) {
                k.tryToFreeze();
                k.msleep(10);
            }
        });
        ProcessFreezer f = new ProcessFreezer(k, KernelVersion.V6_12);
        f.setFreezeTimeoutMs(200);
        assertEquals(Errno.EBUSY, inTask(() -> {
            f.freezeProcesses();
            try {
                f.freezeKernelThreads();
            } finally {
                assertFalse(good.isFrozen(), "kernel threads are thawed by the failed stage");
                f.thawProcesses();
            }
        }));
        List<String> log = log();
        assertTrue(log.stream().anyMatch(l -> l.matches("Freezing remaining freezable tasks failed after 0\\.2\\d\\d seconds "
                + "\\(1 tasks refusing to freeze, wq_busy=0\\):")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("task:stubborn ")));
        assertFalse(log.stream().anyMatch(l -> l.startsWith("task:nofreeze ")));
        assertFalse(stubborn.isFrozen());
    }

    @Test
    void busyFreezableWorkqueueCountsAsWqBusyAndQueuedItemsWaitForTheThaw() {
        Workqueue wq = new Workqueue(k, "events_freezable", Workqueue.WQ_FREEZABLE);
        boolean[] ran = {false};
        wq.queueWork(new Workqueue.Work("busy", () -> k.msleep(1_000)));
        k.runFor(1_000_000);
        ProcessFreezer f = new ProcessFreezer(k, KernelVersion.V6_12);
        f.setFreezeTimeoutMs(100);
        assertEquals(Errno.EBUSY, inTask(() -> {
            f.freezeProcesses();
            try {
                f.freezeKernelThreads();
            } finally {
                f.thawProcesses();
            }
        }));
        assertTrue(log().stream().anyMatch(l -> l.matches("Freezing remaining freezable tasks failed after 0\\.1\\d\\d seconds "
                + "\\(0 tasks refusing to freeze, wq_busy=1\\):")), log().toString());
        assertTrue(log().contains("workqueue events_freezable: flags=0x4"));
        k.runFor(2_000_000_000L);
        assertNull(inTask(() -> {
            f.freezeProcesses();
            f.freezeKernelThreads();
            wq.queueWork(new Workqueue.Work("later", () -> ran[0] = true));
            k.msleep(100);
            assertFalse(ran[0], "a frozen freezable workqueue starts no work");
            f.thawProcesses();
        }));
        k.runFor(1_000_000);
        assertTrue(ran[0]);
    }
}
