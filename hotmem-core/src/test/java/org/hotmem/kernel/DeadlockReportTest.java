package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeadlockReportTest {
    @Test
    void abbaDeadlockReportsEveryBlockedTaskWhatItWaitsForAndItsLocks() {
        Kernel k = new Kernel(SchedulingStrategy.roundRobin());
        Mutex a = new Mutex(k, "lock_A");
        Mutex b = new Mutex(k, "lock_B");
        Task t1 = k.spawn("t1", 0, () -> { a.lock(); k.preemptionPoint(); b.lock(); });
        Task t2 = k.spawn("t2", 0, () -> { b.lock(); k.preemptionPoint(); a.lock(); });
        DeadlockReport r = k.runUntilIdle().orElseThrow();
        assertEquals(List.of(t1, t2), r.blockedTasks());
        assertEquals("""
                hotmem: deadlock: no runnable task and no pending timer at [    0.000000]
                task:t1              state:D pid:1     ppid:0     flags:0x00000000
                  waiting for mutex lock_B (held by t2/2)
                task:t2              state:D pid:2     ppid:0     flags:0x00000000
                  waiting for mutex lock_A (held by t1/1)

                Showing all locks held in the system:
                1 lock held by t1/1:
                 #0: (lock_A){+.+.}-{4:4}, at: mutex_lock
                1 lock held by t2/2:
                 #0: (lock_B){+.+.}-{4:4}, at: mutex_lock

                =============================================
                """, r.text());
        assertEquals(List.of("lock_A"), t1.heldLocks());
        assertEquals("mutex lock_B (held by t2/2)", t1.waitingFor());
    }

    @Test
    void idleWorkersAndInterruptibleSleepersAreNotADeadlock() {
        Kernel k = Kernel.withSeed(1);
        WaitQueue wq = new WaitQueue(k, "balloon_wq");
        k.kthreadRun("vballoon", () -> wq.waitEventInterruptible(() -> false));
        k.scheduleWork(new Workqueue.Work("noop", () -> {}));
        assertTrue(k.runUntilIdle().isEmpty());
    }

    @Test
    void runUntilReturnsFalseWhenTheSystemGoesIdleFirst() {
        Kernel k = Kernel.withSeed(1);
        Completion never = new Completion(k, "never");
        Task t = k.spawn("waiter", 0, never::waitForCompletion);
        assertFalse(k.runUntil(t::isDead));
        assertEquals("completion never", k.deadlockReport().orElseThrow().blockedTasks().get(0).waitingFor());
        // An event from outside (the hypervisor, say) unblocks it.
        never.complete();
        assertTrue(k.runUntil(t::isDead));
        assertTrue(k.deadlockReport().isEmpty());
    }
}
