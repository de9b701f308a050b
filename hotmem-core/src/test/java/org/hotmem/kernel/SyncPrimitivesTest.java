package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncPrimitivesTest {
    @Test
    void seqlockReaderRetriesWhenAWriterInterleaves() {
        // Round-robin: the reader begins, the writer runs its whole write section at the
        // reader's next scheduling point, so the reader's first read_seqretry() says retry.
        Kernel k = new Kernel(SchedulingStrategy.roundRobin());
        SeqLock span = new SeqLock(k, "&zone->span_seqlock");
        long[] zone = {100, 50}; // start_pfn, spanned_pages
        List<String> seen = new ArrayList<>();
        int[] attempts = {0};
        k.spawn("reader", 0, () -> {
            long start, pages;
            int seq;
            do {
                attempts[0]++;
                seq = span.readBegin();
                start = zone[0];
                pages = zone[1];
            } while (span.readRetry(seq));
            seen.add(start + "+" + pages);
        });
        k.spawn("writer", 0, () -> {
            span.writeLock();
            zone[0] = 80;
            zone[1] = 70;
            span.writeUnlock();
        });
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(2, attempts[0], "the first read section overlapped the writer");
        assertEquals(List.of("80+70"), seen, "the retried read sees the writer's consistent update");
        assertEquals(2, span.sequence());
    }

    @Test
    void seqlockReaderWithoutAWriterDoesNotRetry() {
        Kernel k = Kernel.withSeed(3);
        SeqLock s = new SeqLock(k, "s");
        boolean[] retry = {true};
        k.spawn("reader", 0, () -> { int seq = s.readBegin(); retry[0] = s.readRetry(seq); });
        k.runUntilIdle();
        assertFalse(retry[0]);
    }

    @Test
    void interruptibleWaitReturnsEintrWhenASignalArrives() {
        Kernel k = Kernel.withSeed(1);
        WaitQueue wq = new WaitQueue(k, "wq");
        int[] ret = {1};
        boolean[] pendingSeen = {false};
        Task waiter = k.spawn("waiter", 0, () -> {
            ret[0] = wq.waitEventInterruptible(() -> false);
            pendingSeen[0] = k.signalPending();
        });
        k.spawn("killer", 0, () -> { k.msleep(5); k.sendSignal(waiter, Task.SIGINT); });
        assertTrue(k.runUntil(waiter::isDead));
        assertEquals(-4, ret[0]);
        assertEquals(Errno.EINTR, Errno.fromNumber(ret[0]));
        assertTrue(pendingSeen[0]);
        assertEquals(5_000_000L, k.now());
    }

    @Test
    void mutexLockInterruptibleReturnsEintrOnSignalButUninterruptibleWaitersIgnoreIt() {
        Kernel k = new Kernel(SchedulingStrategy.roundRobin());
        Mutex m = new Mutex(k, "m");
        int[] ret = {1};
        boolean[] plainGotIt = {false};
        k.spawn("holder", 0, () -> { m.lock(); k.msleep(10); m.unlock(); });
        Task intr = k.spawn("intr", 0, () -> ret[0] = m.lockInterruptible());
        Task plain = k.spawn("plain", 0, () -> { m.lock(); plainGotIt[0] = true; m.unlock(); });
        k.spawn("signaller", 0, () -> { k.msleep(1); k.sendSignal(intr, Task.SIGTERM); k.sendSignal(plain, Task.SIGTERM); });
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(-4, ret[0]);
        assertTrue(plainGotIt[0]);
        assertFalse(m.isLocked());
    }

    @Test
    void msleepInterruptibleReturnsTheMillisecondsLeft() {
        Kernel k = Kernel.withSeed(1);
        long[] left = {-1};
        Task s = k.spawn("s", 0, () -> left[0] = k.msleepInterruptible(1000));
        k.spawn("k", 0, () -> { k.msleep(300); k.sendSignal(s, Task.SIGKILL); });
        k.runUntil(s::isDead);
        assertEquals(700, left[0]);
        assertTrue(s.fatalSignalPending());
    }

    @Test
    void rwsemReadersShareAndAWriterExcludesThem() {
        Kernel k = Kernel.withSeed(17);
        RwSemaphore sem = new RwSemaphore(k, "&mm->mmap_lock");
        int[] inside = {0};
        int[] maxReaders = {0};
        boolean[] writerAlone = {true};
        for (int i = 0; i < 3; i++) {
            k.spawn("r" + i, 0, () -> {
                for (int j = 0; j < 5; j++) {
                    sem.downRead();
                    inside[0]++;
                    maxReaders[0] = Math.max(maxReaders[0], sem.readers());
                    k.preemptionPoint();
                    inside[0]--;
                    sem.upRead();
                }
            });
        }
        k.spawn("w", 0, () -> {
            for (int j = 0; j < 5; j++) {
                sem.downWrite();
                if (inside[0] != 0 || sem.readers() != 0) writerAlone[0] = false;
                k.preemptionPoint();
                sem.upWrite();
            }
        });
        assertTrue(k.runUntilIdle().isEmpty());
        assertTrue(writerAlone[0]);
        assertTrue(maxReaders[0] >= 2, "readers overlapped: " + maxReaders[0]);
    }

    @Test
    void percpuRwsemWriterWaitsForReadersAndBlocksNewOnes() {
        Kernel k = new Kernel(SchedulingStrategy.roundRobin());
        PercpuRwSemaphore hp = new PercpuRwSemaphore(k, "mem_hotplug_lock");
        List<String> log = new ArrayList<>();
        k.spawn("reader1", 0, () -> { hp.downRead(); log.add("r1 in"); k.msleep(10); log.add("r1 out"); hp.upRead(); });
        k.spawn("writer", 0, () -> { k.msleep(1); hp.downWrite(); log.add("w in"); hp.upWrite(); });
        k.spawn("reader2", 0, () -> { k.msleep(2); hp.downRead(); log.add("r2 in"); hp.upRead(); });
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(List.of("r1 in", "r1 out", "w in", "r2 in"), log);
    }

    @Test
    void completionWakesWaitersAndTimesOut() {
        Kernel k = Kernel.withSeed(5);
        Completion done = new Completion(k, "probe_done");
        long[] left = {-1, -1};
        k.spawn("w1", 0, () -> left[0] = done.waitForCompletionTimeout(50_000_000));
        k.spawn("w2", 0, () -> left[1] = done.waitForCompletionTimeout(1_000_000));
        k.spawn("c", 0, () -> { k.msleep(20); done.completeAll(); });
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(30_000_000, left[0]);
        assertEquals(0, left[1]);
        assertTrue(done.isDone());
    }

    @Test
    void waitEventTimeoutReturnsZeroWhenTheConditionNeverHolds() {
        Kernel k = Kernel.withSeed(5);
        WaitQueue wq = new WaitQueue(k, "wq");
        long[] r = {-1};
        k.spawn("w", 0, () -> r[0] = wq.waitEventTimeout(() -> false, 2_000_000_000L));
        k.runUntilIdle();
        assertEquals(0, r[0]);
        assertEquals(2_000_000_000L, k.now());
    }

    @Test
    void workAndDelayedWorkRunOnAKworkerInOrder() {
        Kernel k = Kernel.withSeed(9);
        List<String> ran = new ArrayList<>();
        Workqueue wq = new Workqueue(k, "kacpi_hotplug");
        Workqueue.Work w1 = new Workqueue.Work("w1", () -> ran.add("w1@" + k.now()));
        Workqueue.DelayedWork d = new Workqueue.DelayedWork("d", () -> ran.add("d@" + k.now()));
        assertTrue(wq.queueDelayedWork(d, 3_000_000));
        assertFalse(wq.queueDelayedWork(d, 1), "already pending");
        assertTrue(wq.queueWork(w1));
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(List.of("w1@0", "d@3000000"), ran);
        assertTrue(wq.worker().isKthread());
        assertTrue(wq.worker().hasFlag(Task.PF_WQ_WORKER));
    }

    @Test
    void cancelledDelayedWorkNeverRunsAndFlushWaitsForRunningWork() {
        Kernel k = Kernel.withSeed(9);
        List<String> ran = new ArrayList<>();
        Workqueue wq = new Workqueue(k, "events");
        Workqueue.DelayedWork d = new Workqueue.DelayedWork("d", () -> ran.add("d"));
        Workqueue.Work slow = new Workqueue.Work("slow", () -> { k.msleep(7); ran.add("slow"); });
        k.spawn("driver", 0, () -> {
            wq.queueDelayedWork(d, 5_000_000);
            wq.queueWork(slow);
            assertTrue(wq.cancelDelayedWork(d));
            k.msleep(1);
            assertTrue(wq.flushWork(slow));
            ran.add("flushed@" + k.now());
        });
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(List.of("slow", "flushed@7000000"), ran);
    }

    @Test
    void timersFireInExpiryOrderInSoftirqContext() {
        Kernel k = Kernel.withSeed(2);
        List<String> fired = new ArrayList<>();
        k.addTimer(3_000, () -> fired.add("c@" + k.now() + " in " + k.current().name()));
        k.addTimer(1_000, () -> fired.add("a@" + k.now()));
        Timer cancelled = k.addTimer(2_000, () -> fired.add("never"));
        k.addTimer(1_000, () -> fired.add("b@" + k.now()));
        assertTrue(cancelled.cancel());
        assertTrue(k.runUntilIdle().isEmpty());
        assertEquals(List.of("a@1000", "b@1000", "c@3000 in ksoftirqd/0"), fired);
    }

    @Test
    void sleepingInATimerCallbackIsReported() {
        Kernel k = Kernel.withSeed(2);
        k.addTimer(1_000, () -> k.msleep(1));
        k.runUntilIdle();
        assertEquals(LockdepReport.Kind.SLEEPING_IN_ATOMIC, k.lockdep().reports().get(0).kind());
    }
}
