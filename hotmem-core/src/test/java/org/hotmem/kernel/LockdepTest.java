package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LockdepTest {
    /** The report without its stack frame lines (which name test source lines). */
    static String withoutFrames(LockdepReport r) {
        return r.lines().stream().filter(l -> !isFrame(l)).collect(Collectors.joining("\n", "", "\n"));
    }

    static boolean isFrame(String l) {
        boolean chainFrame = l.startsWith("       ") && l.length() > 7 && l.charAt(7) != ' '
                && !l.startsWith("       CPU0") && !l.startsWith("       ----");
        boolean traceFrame = l.startsWith(" ") && l.length() > 1 && l.charAt(1) != ' ' && !l.startsWith(" <")
                && !l.startsWith(" #") && !l.startsWith(" Possible") && !l.startsWith(" ***") && !l.startsWith(" May");
        return chainFrame || traceFrame;
    }

    @Test
    void abThenBaIsReportedAsCircularDependencyEvenWithoutDeadlock() {
        Kernel k = Kernel.withSeed(1);
        Mutex a = new Mutex(k, "lock_A");
        Mutex b = new Mutex(k, "lock_B");
        k.spawn("ab", 0, () -> { a.lock(); b.lock(); b.unlock(); a.unlock(); });
        k.spawn("ba", 0, () -> { k.msleep(1); b.lock(); a.lock(); a.unlock(); b.unlock(); });
        assertTrue(k.runUntilIdle().isEmpty(), "no deadlock happened");
        List<LockdepReport> rs = k.lockdep().reports();
        assertEquals(1, rs.size());
        LockdepReport r = rs.get(0);
        assertEquals(LockdepReport.Kind.CIRCULAR_DEPENDENCY, r.kind());
        assertEquals("ba/2", r.task().toString());
        assertEquals("""
                ======================================================
                WARNING: possible circular locking dependency detected
                6.12.0 #1 Not tainted
                ------------------------------------------------------
                ba/2 is trying to acquire lock:
                (lock_A){+.+.}-{4:4}, at: mutex_lock

                but task is already holding lock:
                (lock_B){+.+.}-{4:4}, at: mutex_lock

                which lock already depends on the new lock.


                the existing dependency chain (in reverse order) is:

                -> #1 (lock_B){+.+.}-{4:4}:

                -> #0 (lock_A){+.+.}-{4:4}:

                other info that might help us debug this:

                 Possible unsafe locking scenario:

                       CPU0                    CPU1
                       ----                    ----
                  lock(lock_B);
                                               lock(lock_A);
                                               lock(lock_B);
                  lock(lock_A);

                 *** DEADLOCK ***

                1 lock held by ba/2:
                 #0: (lock_B){+.+.}-{4:4}, at: mutex_lock

                stack backtrace:
                CPU: 0 UID: 0 PID: 2 Comm: ba Not tainted 6.12.0 #1
                Call Trace:
                 <TASK>
                 </TASK>
                """, withoutFrames(r));
        // Both chains are named: the existing one (who took B after A, where) and the current one.
        String text = r.text();
        assertTrue(text.contains("       (first taken after lock_A by ab/1 at [    0.000000])"), text);
        assertTrue(text.contains("LockdepTest.lambda$abThenBaIsReportedAsCircularDependencyEvenWithoutDeadlock$"), text);
        // Printed to dmesg with the virtual timestamp of the inversion.
        assertTrue(k.dmesg().lines().contains("[    0.001000] WARNING: possible circular locking dependency detected"));
        assertFalse(k.lockdep().debugLocks(), "lockdep turns itself off after a report, as in Linux");
    }

    @Test
    void aThreeLockCycleIsReportedWithTheChain() {
        Kernel k = Kernel.withSeed(1);
        Mutex a = new Mutex(k, "A"), b = new Mutex(k, "B"), c = new Mutex(k, "C");
        k.spawn("ab", 0, () -> { a.lock(); b.lock(); b.unlock(); a.unlock(); });
        k.spawn("bc", 0, () -> { k.msleep(1); b.lock(); c.lock(); c.unlock(); b.unlock(); });
        k.spawn("ca", 0, () -> { k.msleep(2); c.lock(); a.lock(); a.unlock(); c.unlock(); });
        k.runUntilIdle();
        LockdepReport r = k.lockdep().reports().get(0);
        String t = withoutFrames(r);
        assertTrue(t.contains("-> #2 (C){+.+.}-{4:4}:\n\n-> #1 (B){+.+.}-{4:4}:\n\n-> #0 (A){+.+.}-{4:4}:"), t);
        assertTrue(t.contains("Chain exists of:\n  A --> B --> C\n"), t);
        assertTrue(t.contains("  lock(C);\n                               lock(B);\n                               lock(C);\n  lock(A);"), t);
    }

    @Test
    void theSameOrderTwiceIsNotReported() {
        Kernel k = Kernel.withSeed(4);
        Mutex a = new Mutex(k, "A");
        SpinLock b = new SpinLock(k, "B");
        for (int i = 0; i < 3; i++) k.spawn("t" + i, 0, () -> { a.lock(); b.lock(); b.unlock(); a.unlock(); });
        k.runUntilIdle();
        assertTrue(k.lockdep().reports().isEmpty(), k.dmesg().text());
        assertTrue(k.lockdep().dependsOn("A", "B"));
        assertFalse(k.lockdep().dependsOn("B", "A"));
    }

    @Test
    void unlockingAnUnheldMutexIsABadUnlockBalance() {
        Kernel k = Kernel.withSeed(1);
        Mutex m = new Mutex(k, "lonely");
        k.spawn("oops", 0, m::unlock);
        k.runUntilIdle();
        LockdepReport r = k.lockdep().reports().get(0);
        assertEquals(LockdepReport.Kind.BAD_UNLOCK_BALANCE, r.kind());
        assertEquals(List.of("=====================================",
                "WARNING: bad unlock balance detected!",
                "6.12.0 #1 Not tainted",
                "-------------------------------------",
                "oops/1 is trying to release lock (lonely) at:",
                "mutex_unlock",
                "but there are no more locks to release!",
                "",
                "other info that might help us debug this:",
                "no locks held by oops/1."), r.lines().subList(0, 10));
        assertFalse(m.isLocked());
    }

    @Test
    void sleepingWhileHoldingASpinlockIsReported() {
        Kernel k = Kernel.withSeed(1);
        SpinLock s = new SpinLock(k, "&zone->lock");
        k.spawn("sleeper", 0, () -> { s.lock(); k.msleep(1); s.unlock(); });
        k.runUntilIdle();
        LockdepReport r = k.lockdep().reports().get(0);
        assertEquals(LockdepReport.Kind.SLEEPING_IN_ATOMIC, r.kind());
        assertEquals(List.of("BUG: sleeping function called from invalid context at schedule_timeout",
                "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: sleeper",
                "preempt_count: 1, expected: 0",
                "RCU nest depth: 0, expected: 0",
                "1 lock held by sleeper/1:",
                " #0: (&zone->lock){+.+.}-{3:3}, at: spin_lock"), r.lines().subList(0, 6));
    }

    @Test
    void takingAMutexUnderASpinlockIsSleepingInAtomic() {
        Kernel k = Kernel.withSeed(1);
        SpinLock s = new SpinLock(k, "spin");
        Mutex m = new Mutex(k, "mutex");
        k.spawn("t", 0, () -> { s.lock(); m.lock(); m.unlock(); s.unlock(); });
        k.runUntilIdle();
        assertEquals("BUG: sleeping function called from invalid context at mutex_lock",
                k.lockdep().reports(LockdepReport.Kind.SLEEPING_IN_ATOMIC).get(0).title());
    }

    @Test
    void aUserTaskReturningWithALockHeldIsReported() {
        Kernel k = Kernel.withSeed(1);
        Mutex m = new Mutex(k, "device_hotplug_lock");
        Task t = k.spawn("echo", 0, m::lock);
        k.runUntilIdle();
        assertTrue(t.isDead());
        LockdepReport r = k.lockdep().reports().get(0);
        assertEquals(LockdepReport.Kind.LOCK_HELD_RETURNING_TO_USER, r.kind());
        assertEquals(List.of("================================================",
                "WARNING: lock held when returning to user space!",
                "6.12.0 #1 Not tainted",
                "------------------------------------------------",
                "echo/1 is leaving the kernel with locks still held!",
                "1 lock held by echo/1:",
                " #0: (device_hotplug_lock){+.+.}-{4:4}, at: mutex_lock"), r.lines());
    }

    @Test
    void aKernelThreadExitingWithALockHeldIsReported() {
        Kernel k = Kernel.withSeed(1);
        Mutex m = new Mutex(k, "m");
        k.kthreadRun("kthr", m::lock);
        k.runUntilIdle();
        assertEquals("WARNING: kthr/1 still has locks held!", k.lockdep().reports().get(0).title());
    }

    @Test
    void takingTheSameMutexTwiceIsRecursiveLocking() {
        Kernel k = Kernel.withSeed(1);
        Mutex m = new Mutex(k, "self");
        Task t = k.spawn("twice", 0, () -> { m.lock(); m.lock(); });
        var dl = k.runUntilIdle();
        assertEquals("WARNING: possible recursive locking detected", k.lockdep().reports().get(0).title());
        assertTrue(dl.isPresent(), "and the task really deadlocks on itself");
        assertEquals(List.of(t), dl.get().blockedTasks());
    }

    @Test
    void olderKernelsPrintTheirWaitTypes() {
        Kernel k = Kernel.withSeed(1);
        k.setUname("6.1.0-18-amd64", "#1");
        Mutex m = new Mutex(k, "m");
        k.spawn("u", 0, m::lock);
        k.runUntilIdle();
        LockdepReport r = k.lockdep().reports().get(0);
        assertEquals("6.1.0-18-amd64 #1 Not tainted", r.lines().get(2));
        assertEquals(" #0: (m){+.+.}-{3:3}, at: mutex_lock", r.lines().get(6));
    }

    @Test
    void withOneShotOffEveryInversionIsReported() {
        Kernel k = Kernel.withSeed(1);
        k.lockdep().setOneShot(false);
        Mutex a = new Mutex(k, "A"), b = new Mutex(k, "B");
        k.spawn("ab", 0, () -> { a.lock(); b.lock(); b.unlock(); a.unlock(); });
        k.spawn("ba", 0, () -> { k.msleep(1); b.lock(); a.lock(); a.unlock(); b.unlock(); });
        k.spawn("oops", 0, () -> { k.msleep(2); a.unlock(); });
        k.runUntilIdle();
        assertEquals(List.of(LockdepReport.Kind.CIRCULAR_DEPENDENCY, LockdepReport.Kind.BAD_UNLOCK_BALANCE),
                k.lockdep().reports().stream().map(LockdepReport::kind).toList());
    }

    @Test
    void novalidateClassesNestWithoutReports() {
        Kernel k = Kernel.withSeed(1);
        k.lockdep().setNovalidate("&dev->mutex");
        Mutex block0 = new Mutex(k, "&dev->mutex"), block1 = new Mutex(k, "&dev->mutex");
        Mutex other = new Mutex(k, "other");
        k.spawn("t", 0, () -> { block0.lock(); block1.lock(); other.lock(); other.unlock(); block1.unlock(); block0.unlock(); });
        k.spawn("u", 0, () -> { other.lock(); block1.lock(); block1.unlock(); other.unlock(); });
        assertTrue(k.runUntilIdle().isEmpty());
        assertTrue(k.lockdep().reports().isEmpty(), k.dmesg().text());
    }
}
