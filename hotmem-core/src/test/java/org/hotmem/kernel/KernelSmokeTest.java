package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelSmokeTest {
    @Test
    void twoTasksContendingOnAMutexBothFinish() {
        for (Kernel.Carrier c : carriers()) {
            Kernel k = new Kernel(SchedulingStrategy.random(1), c);
            Mutex m = new Mutex(k, "test_lock");
            int[] counter = {0};
            List<Task> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ts.add(k.spawn("t" + i, 0, () -> {
                    for (int j = 0; j < 10; j++) {
                        m.lock();
                        int v = counter[0];
                        k.preemptionPoint();
                        counter[0] = v + 1;
                        m.unlock();
                    }
                }));
            }
            assertTrue(k.runUntilIdle().isEmpty(), c.name());
            assertEquals(30, counter[0], c.name());
            for (Task t : ts) assertTrue(t.isDead());
            assertTrue(k.lockdep().reports().isEmpty(), k.dmesg().text());
        }
    }

    @Test
    void msleepAdvancesVirtualTime() {
        Kernel k = Kernel.withSeed(3);
        Task t = k.spawn("sleeper", 0, () -> k.msleep(20_000));
        k.runUntil(t::isDead);
        assertEquals(20_000_000_000L, k.now());
    }

    @Test
    void aProcessGetsItsMmWhenItStartsAndReleasesItWhenItEndsOrFails() {
        Kernel k = Kernel.withSeed(5);
        List<String> events = new ArrayList<>();
        k.setProcessMemory(() -> {
            events.add("copy_mm " + k.current().name());
            return () -> events.add("exit_mm " + k.current().name());
        });
        Task ok = k.spawnProcess("sh", () -> events.add("run"));
        k.runUntil(ok::isDead);
        Task bad = k.spawnProcess("bad", () -> {
            throw new KernelException(Errno.EIO);
        });
        k.runUntil(bad::isDead);
        Task kthread = k.kthreadRun("kworker", () -> events.add("kthread"));
        k.runUntil(kthread::isDead);
        assertEquals(List.of("copy_mm sh", "run", "exit_mm sh", "copy_mm bad", "exit_mm bad", "kthread"), events);
    }

    @Test
    void continuationsAreAvailableUnderTheBuildsJvmFlags() {
        assertTrue(Kernel.Carrier.continuationAvailable());
        assertEquals("continuation", Kernel.withSeed(1).carrierName());
    }

    static List<Kernel.Carrier> carriers() {
        List<Kernel.Carrier> l = new ArrayList<>(List.of(Kernel.Carrier.VIRTUAL_THREAD, Kernel.Carrier.PLATFORM_THREAD));
        if (Kernel.Carrier.continuationAvailable()) l.add(Kernel.Carrier.CONTINUATION);
        return l;
    }
}
