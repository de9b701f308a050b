package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hotmem.kernel.demo.LockDemo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerDeterminismTest {
    /** A contended program: three tasks incrementing a shared counter under a mutex, with preemption points. */
    static Kernel contended(SchedulingStrategy s, Kernel.Carrier carrier) {
        Kernel k = new Kernel(s, carrier);
        Mutex m = new Mutex(k, "counter_lock");
        int[] counter = {0};
        for (int i = 0; i < 3; i++) {
            k.spawn("worker" + i, 0, () -> {
                for (int j = 0; j < 20; j++) {
                    m.lock();
                    counter[0]++;
                    m.unlock();
                    k.preemptionPoint();
                }
            });
        }
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(60, counter[0]);
        return k;
    }

    @Test
    void sameSeedGivesByteIdenticalTrace() {
        String a = contended(SchedulingStrategy.random(42), Kernel.Carrier.defaultCarrier()).trace().text();
        String b = contended(SchedulingStrategy.random(42), Kernel.Carrier.defaultCarrier()).trace().text();
        assertEquals(a, b);
        assertFalse(a.isEmpty());
    }

    @Test
    void sameSeedGivesTheSameTraceOnEveryCarrier() {
        String expected = contended(SchedulingStrategy.random(7), Kernel.Carrier.VIRTUAL_THREAD).trace().text();
        assertEquals(expected, contended(SchedulingStrategy.random(7), Kernel.Carrier.PLATFORM_THREAD).trace().text());
        if (Kernel.Carrier.continuationAvailable()) {
            assertEquals(expected, contended(SchedulingStrategy.random(7), Kernel.Carrier.CONTINUATION).trace().text());
        }
    }

    @Test
    void differentSeedsGiveDifferentInterleavings() {
        Set<String> traces = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) {
            traces.add(contended(SchedulingStrategy.random(seed), Kernel.Carrier.defaultCarrier()).trace().text());
        }
        assertEquals(5, traces.size(), "5 seeds should give 5 distinct interleavings");
    }

    @Test
    void replayingARecordedScheduleReproducesTheTraceExactly(@TempDir Path dir) throws Exception {
        Kernel original = contended(SchedulingStrategy.random(99), Kernel.Carrier.defaultCarrier());
        Path file = dir.resolve("schedule.txt");
        original.trace().writeSchedule(file);
        assertEquals(original.trace().decisions(), Files.readAllLines(file).size());
        Kernel replayed = contended(SchedulingStrategy.replay(file), Kernel.Carrier.defaultCarrier());
        assertEquals(original.trace().text(), replayed.trace().text());
        assertArrayEquals(original.trace().schedule(), replayed.trace().schedule());
    }

    @Test
    void replayOfTheDemoReproducesTraceAndLog() {
        LockDemo.Result a = LockDemo.run(SchedulingStrategy.random(5));
        LockDemo.Result b = LockDemo.run(SchedulingStrategy.replay(a.schedule()));
        assertEquals(a.trace(), b.trace());
        assertEquals(a.dmesg(), b.dmesg());
    }

    @Test
    void replayThatDivergesFailsNamingTheScheduleLine() {
        List<String> lines = new ArrayList<>(List.of("# recorded", "1", "77"));
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> contended(SchedulingStrategy.replay(lines, "sched.txt"), Kernel.Carrier.defaultCarrier()));
        assertTrue(e.getCause().getMessage().startsWith("sched.txt:3: pid 77 is not runnable"), e.getCause().getMessage());
    }

    @Test
    void replayFileWithGarbageIsRejectedWithFileAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SchedulingStrategy.replay(List.of("1", "two"), "s.txt"));
        assertEquals("s.txt:2: expected a pid (a decimal number), found 'two'", e.getMessage());
    }

    @Test
    void pctAndRoundRobinAreDeterministicToo() {
        assertEquals(contended(SchedulingStrategy.pct(3, 3, 100), Kernel.Carrier.defaultCarrier()).trace().text(),
                contended(SchedulingStrategy.pct(3, 3, 100), Kernel.Carrier.defaultCarrier()).trace().text());
        String rr = contended(SchedulingStrategy.roundRobin(), Kernel.Carrier.defaultCarrier()).trace().text();
        assertTrue(rr.startsWith("[    0.000000] -> 1 worker0 (start)\n[    0.000000] -> 2 worker1 (preempt)\n"
                + "[    0.000000] -> 3 worker2 (preempt)\n[    0.000000] -> 1 worker0 (preempt)\n"), rr);
    }

    @Test
    void pctWithDepthOneRunsTheHighestPriorityTaskToCompletion() {
        Kernel k = new Kernel(SchedulingStrategy.pct(11, 1, 10));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String n = "t" + i;
            k.spawn(n, 0, () -> {
                for (int j = 0; j < 3; j++) {
                    order.add(n);
                    k.preemptionPoint();
                }
            });
        }
        k.runUntilIdle();
        // No priority change point: each task runs all its steps before the next starts.
        for (int i = 0; i < 9; i += 3) {
            assertEquals(order.get(i), order.get(i + 1));
            assertEquals(order.get(i), order.get(i + 2));
        }
    }

    @Test
    void aTaskThrowingAnUnexpectedExceptionFailsTheRunWithItsName() {
        Kernel k = Kernel.withSeed(1);
        k.spawn("fine", 0, () -> k.msleep(1));
        k.spawn("broken", Task.PF_KTHREAD, () -> {
            k.preemptionPoint();
            throw new IllegalStateException("model bug");
        });
        TaskFailedException e = assertThrows(TaskFailedException.class, k::runUntilIdle);
        assertEquals("broken/2", e.task().toString());
        assertTrue(e.getMessage().contains("broken/2"), e.getMessage());
        assertTrue(e.getMessage().contains("model bug"), e.getMessage());
        assertThrows(TaskFailedException.class, k::runUntilIdle, "the kernel stays failed");
    }

    @Test
    void aBodyEndingWithKernelExceptionExitsWithMinusErrno() {
        Kernel k = Kernel.withSeed(1);
        Task t = k.spawn("echo", 0, () -> { throw new KernelException(Errno.EBUSY); });
        assertTrue(k.runUntil(t::isDead));
        assertEquals(-16, t.exitCode());
    }

    @Test
    void spawnFromInsideATaskAndWaitForIt() {
        Kernel k = Kernel.withSeed(8);
        int[] result = {0};
        Task parent = k.spawn("parent", 0, () -> {
            Task child = k.kthreadRun("child", () -> { k.msleep(10); result[0] = 7; });
            k.waitForExit(child);
            assertEquals(7, result[0]);
            assertEquals(0, child.exitCode());
        });
        assertTrue(k.runUntil(parent::isDead));
        assertEquals(10_000_000L, k.now());
        assertEquals(parent, k.task(2).parent());
        assertTrue(k.task(2).isKthread());
    }

    @Test
    void kthreadStopEndsALoopingThread() {
        Kernel k = Kernel.withSeed(2);
        int[] loops = {0};
        Task worker = k.kthreadRun("balloon", () -> {
            while (!k.kthreadShouldStop()) {
                loops[0]++;
                k.msleep(100);
            }
        });
        Task stopper = k.spawn("stopper", 0, () -> {
            k.msleep(350);
            assertEquals(0, k.kthreadStop(worker));
        });
        assertTrue(k.runUntil(stopper::isDead));
        assertTrue(worker.isDead());
        assertEquals(4, loops[0]);
    }

    @Test
    void runUntilCalledFromInsideATaskIsRefused() {
        Kernel k = Kernel.withSeed(1);
        k.spawn("nested", 0, k::runUntilIdle);
        TaskFailedException e = assertThrows(TaskFailedException.class, k::runUntilIdle);
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void severalKernelsRunConcurrentlyInOneJvm() throws Exception {
        List<Thread> threads = new ArrayList<>();
        String[] traces = new String[4];
        for (int i = 0; i < 4; i++) {
            int idx = i;
            threads.add(Thread.ofPlatform().start(() ->
                    traces[idx] = contended(SchedulingStrategy.random(1234), Kernel.Carrier.defaultCarrier()).trace().text()));
        }
        for (Thread t : threads) t.join();
        for (String t : traces) assertEquals(traces[0], t);
    }

    @Test
    void anExhaustedReplayFailsLoudlyOnEveryCarrier() {
        for (Kernel.Carrier c : KernelSmokeTest.carriers()) {
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
                TaskFailedException e = assertThrows(TaskFailedException.class,
                        () -> contended(SchedulingStrategy.replay(new int[] {1, 2}), c));
                assertTrue(e.getCause().getMessage().startsWith("schedule: schedule exhausted after 2 decisions"),
                        e.getCause().getMessage());
            }, c.name());
        }
    }
}
