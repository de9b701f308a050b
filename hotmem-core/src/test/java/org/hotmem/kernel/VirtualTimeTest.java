package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class VirtualTimeTest {
    @Test
    void aTwentySecondSleepIsOneJumpOfTheVirtualClock() {
        // virtual time jumps to the next timer: the sleep costs a start, a block and an exit, not
        // one scheduling decision per tick (the wall-clock cost is measured by ./bench, not here)
        Kernel k = Kernel.withSeed(1);
        int before = k.trace().switches();
        Task t = k.spawn("sleeper", 0, () -> k.msleep(20_000));
        assertTrue(k.runUntil(t::isDead));
        assertEquals(20_000_000_000L, k.now());
        assertTrue(k.trace().switches() - before <= 4, "switches: " + (k.trace().switches() - before));
    }

    @Test
    void consumeChargesCpuTimeThatASignalDoesNotCutShortWhileOthersRun() {
        Kernel k = Kernel.withSeed(1);
        long[] busyEnd = {-1};
        boolean[] sawSignal = {false};
        Task busy = k.spawn("busy", 0, () -> {
            k.consume(5_000_000L);
            busyEnd[0] = k.now();
            sawSignal[0] = k.signalPending();
        });
        long[] otherEnd = {-1};
        k.spawn("other", 0, () -> {
            k.msleep(2);
            k.sendSignal(busy, Task.SIGINT);
            otherEnd[0] = k.now();
        });
        k.runUntilIdle();
        assertEquals(2_000_000L, otherEnd[0]);
        assertEquals(5_000_000L, busyEnd[0]);
        assertTrue(sawSignal[0]);
    }

    @Test
    void runForAdvancesTheClockEvenWhenIdleAndStopsAtTheDeadline() {
        Kernel k = Kernel.withSeed(1);
        int[] ticks = {0};
        k.kthreadRun("ticker", () -> { for (;;) { k.msleep(100); ticks[0]++; } });
        k.runFor(1_050_000_000L);
        assertEquals(1_050_000_000L, k.now());
        assertEquals(10, ticks[0]);
        k.runFor(50_000_000L);
        assertEquals(11, ticks[0]);
    }

    @Test
    void dmesgLinesCarryTheVirtualTimestamp() {
        Kernel k = Kernel.withSeed(1);
        k.spawn("p", 0, () -> {
            k.dmesg().info("Linux version 6.12.0");
            k.msleep(1234);
            k.dmesg().warn("two\nlines");
        });
        long mark = k.dmesg().mark();
        k.runUntilIdle();
        assertEquals(java.util.List.of("[    0.000000] Linux version 6.12.0", "[    1.234000] two", "[    1.234000] lines"),
                k.dmesg().since(mark));
        assertEquals(3, k.dmesg().mark() - mark);
        assertEquals(LogLevel.WARNING, k.dmesg().records().get(2).level());
        assertEquals("[12345.678901] x", Dmesg.format(12_345_678_901_000L, "x"));
    }

    @Test
    void aTaskPollingWithoutSleepingFailsAsALivelockInsteadOfHanging() {
        Kernel k = Kernel.withSeed(1);
        k.setLivelockLimit(10_000);
        boolean[] flag = {false};
        k.kthreadRun("poller", () -> { while (!flag[0]) k.preemptionPoint(); });
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> k.runFor(1_000_000));
        assertTrue(e.getMessage().contains("poller/1"), e.getMessage());
        assertTrue(e.getCause().getMessage().startsWith("livelock: 10000 scheduling points at [    0.000000]"),
                e.getCause().getMessage());
    }
}
