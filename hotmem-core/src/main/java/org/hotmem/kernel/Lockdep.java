package org.hotmem.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lock validator (kernel/locking/lockdep.c): lock classes by name, the graph of
 * acquisition order between classes, and the reports Linux prints when that order inverts
 * (even if no deadlock happened), when a lock is taken recursively, released unheld, held when
 * returning to user space or at exit, and when a task sleeps in atomic context.
 *
 * <p>As in Linux, the first lockdep report turns the validator off ("debug_locks" becomes
 * false: one splat per boot) unless {@link #setOneShot(boolean) setOneShot(false)}; the
 * might_sleep report is not lockdep's and is rate-limited to one per second of virtual time.
 * Held locks are still tracked when validation is off.
 *
 * <p>Model: dependencies are between classes, each acquisition depends on the most recently
 * held lock (and on the trylocks above it), read acquisitions are treated like write ones for
 * ordering, and stacks are the Java call stacks of the model code. Guarded by the kernel's
 * single-runner discipline.
 */
public final class Lockdep {
    /** A lock class (struct lock_class): every lock created with the same name shares it. */
    public static final class LockClass {
        final String name;
        final boolean rw;
        final boolean sleeping;
        /** lockdep_set_novalidate_class(): never validated, no dependencies recorded (as &dev->mutex). */
        boolean novalidate;
        /** Classes acquired while holding this one, in the order first seen. */
        final Map<LockClass, Dependency> after = new LinkedHashMap<>();

        LockClass(String name, boolean rw, boolean sleeping) {
            this.name = name;
            this.rw = rw;
            this.sleeping = sleeping;
        }

        public String name() { return name; }

        /** The names of the classes first acquired while holding this one, in that order. */
        public List<String> dependencies() {
            List<String> out = new ArrayList<>();
            for (LockClass c : after.keySet()) out.add(c.name);
            return out;
        }

        @Override public String toString() { return name; }
    }

    /** The first time class {@code to} was acquired while {@code from} was held. */
    record Dependency(LockClass from, LockClass to, String task, long timeNs, List<String> stack) {}

    private final Kernel kernel;
    private final Map<String, LockClass> classes = new HashMap<>();
    private final List<LockdepReport> reports = new ArrayList<>();
    private boolean debugLocks = true;
    private boolean oneShot = true;
    private long lastMightSleepReport = Long.MIN_VALUE;

    Lockdep(Kernel kernel) { this.kernel = kernel; }

    // ---------------------------------------------------------------- public queries

    /** Every report so far, in order. */
    public List<LockdepReport> reports() { return Collections.unmodifiableList(reports); }

    /** The reports of one kind. */
    public List<LockdepReport> reports(LockdepReport.Kind kind) {
        List<LockdepReport> out = new ArrayList<>();
        for (LockdepReport r : reports) if (r.kind() == kind) out.add(r);
        return out;
    }

    /** Whether the validator is still on (debug_locks). */
    public boolean debugLocks() { return debugLocks; }

    /** Linux turns lockdep off after its first splat (true, the default); false keeps validating. */
    public void setOneShot(boolean oneShot) { this.oneShot = oneShot; }

    /**
     * Models lockdep_set_novalidate_class(): locks of this class are tracked as held but never
     * validated, as Linux does for device mutexes (&dev->mutex), which nest by design.
     */
    public void setNovalidate(String className) {
        classes.computeIfAbsent(className, n -> new LockClass(n, false, true)).novalidate = true;
    }

    /** The lock class of this name, or null if no lock of that class was created. */
    public LockClass lockClass(String name) { return classes.get(name); }

    /** Whether {@code before} was ever held while {@code after} was acquired (directly). */
    public boolean dependsOn(String before, String after) {
        LockClass b = classes.get(before), a = classes.get(after);
        return b != null && a != null && b.after.containsKey(a);
    }

    /**
     * Models lockdep_assert_held(): reports (as a WARNING line) and returns false if the current
     * task does not hold {@code lock}.
     */
    public boolean assertHeld(Object lock) {
        Task t = kernel.current();
        if (t != null) for (int i = 0; i < t.heldDepth; i++) if (t.held[i].lock() == lock) return true;
        kernel.dmesg().warn("WARNING: lockdep_assert_held(" + lock + ") failed in " + (t == null ? "no task" : t));
        return false;
    }

    // ---------------------------------------------------------------- hooks for the locks

    LockClass lockClass(String name, boolean rw, boolean sleeping) {
        return classes.computeIfAbsent(name, n -> new LockClass(n, rw, sleeping));
    }

    /** Validates an acquisition before it may block: recursion and ordering against held locks. */
    void validate(Task t, LockBase lock, boolean read, String op) {
        if (!debugLocks) return;
        LockClass next = lock.lockClass;
        if (next.novalidate) return;
        for (int i = 0; i < t.heldDepth; i++) {
            if (t.held[i].lock().lockClass == next) {
                recursive(t, lock, t.held[i], op);
                return;
            }
        }
        for (int i = t.heldDepth - 1; i >= 0; i--) {
            HeldLock h = t.held[i];
            if (h.lock().lockClass.novalidate) continue;
            if (!addDependency(t, h, lock, op)) return;
            if (!h.trylock()) break;
        }
    }

    void acquire(Task t, LockBase lock, boolean read, boolean trylock, String op) {
        t.pushHeld(new HeldLock(lock, read, trylock, op, kernel.now()));
    }

    boolean release(Task t, LockBase lock, String op) {
        for (int i = t.heldDepth - 1; i >= 0; i--) {
            if (t.held[i].lock() == lock) {
                System.arraycopy(t.held, i + 1, t.held, i, t.heldDepth - i - 1);
                t.held[--t.heldDepth] = null;
                return true;
            }
        }
        if (debugLocks) badUnlock(t, lock, op);
        return false;
    }

    // ---------------------------------------------------------------- the graph

    /** Adds held → next; reports a circular dependency (and returns false) if next already leads to held. */
    private boolean addDependency(Task t, HeldLock held, LockBase lock, String op) {
        LockClass prev = held.lock().lockClass, next = lock.lockClass;
        if (prev.after.containsKey(next)) return true;
        List<LockClass> path = findPath(next, prev);
        if (path != null) {
            circular(t, held, lock, op, path);
            return false;
        }
        prev.after.put(next, new Dependency(prev, next, t.toString(), kernel.now(), stack(op)));
        return true;
    }

    /** Breadth-first search over dependencies; the path from {@code from} to {@code to}, or null. */
    private static List<LockClass> findPath(LockClass from, LockClass to) {
        Map<LockClass, LockClass> parent = new HashMap<>();
        ArrayDeque<LockClass> queue = new ArrayDeque<>();
        parent.put(from, null);
        queue.add(from);
        while (!queue.isEmpty()) {
            LockClass c = queue.poll();
            if (c == to) {
                List<LockClass> path = new ArrayList<>();
                for (LockClass p = c; p != null; p = parent.get(p)) path.add(p);
                Collections.reverse(path);
                return path;
            }
            for (LockClass n : c.after.keySet()) {
                if (!parent.containsKey(n)) {
                    parent.put(n, c);
                    queue.add(n);
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- reports

    /** Models print_circular_bug(). {@code path} runs from the new lock's class to the held one's. */
    private void circular(Task t, HeldLock held, LockBase lock, String op, List<LockClass> path) {
        List<String> l = acquisitionSplat("WARNING: possible circular locking dependency detected", t, lock, op, held);
        l.add("which lock already depends on the new lock.");
        l.add("");
        l.add("");
        l.add("the existing dependency chain (in reverse order) is:");
        for (int i = path.size() - 1; i >= 1; i--) {
            Dependency d = path.get(i - 1).after.get(path.get(i));
            l.add("");
            l.add("-> #" + i + " " + lockName(path.get(i)) + ":");
            l.addAll(d.stack());
            l.add("       (first taken after " + path.get(i - 1).name + " by " + d.task() + " at "
                    + Dmesg.timestamp(d.timeNs()) + ")");
        }
        l.add("");
        l.add("-> #0 " + lockName(lock.lockClass) + ":");
        l.addAll(stack(op));
        l.add("");
        l.add("other info that might help us debug this:");
        l.add("");
        LockClass source = lock.lockClass, target = held.lock().lockClass, parent = path.get(path.size() - 2);
        if (parent != source) {
            l.add("Chain exists of:");
            StringBuilder chain = new StringBuilder("  ");
            for (int i = 0; i < path.size(); i++) chain.append(i == 0 ? "" : " --> ").append(path.get(i).name);
            l.add(chain.toString());
            l.add("");
        }
        l.add(" Possible unsafe locking scenario:");
        l.add("");
        l.add("       CPU0                    CPU1");
        l.add("       ----                    ----");
        l.add("  lock(" + target.name + ");");
        l.add("                               lock(" + parent.name + ");");
        l.add("                               lock(" + target.name + ");");
        l.add("  lock(" + source.name + ");");
        l.add("");
        l.add(" *** DEADLOCK ***");
        l.add("");
        finish(l, t, op, LockdepReport.Kind.CIRCULAR_DEPENDENCY, true);
    }

    /** Models print_deadlock_bug(). */
    private void recursive(Task t, LockBase lock, HeldLock prev, String op) {
        List<String> l = acquisitionSplat("WARNING: possible recursive locking detected", t, lock, op, prev);
        l.add("other info that might help us debug this:");
        l.add(" Possible unsafe locking scenario:");
        l.add("");
        l.add("       CPU0");
        l.add("       ----");
        l.add("  lock(" + prev.lock().lockClass.name + ");");
        l.add("  lock(" + lock.lockClass.name + ");");
        l.add("");
        l.add(" *** DEADLOCK ***");
        l.add("");
        l.add(" May be due to missing lock nesting notation");
        l.add("");
        finish(l, t, op, LockdepReport.Kind.RECURSIVE_LOCKING, true);
    }

    /** Models print_unlock_imbalance_bug(). */
    private void badUnlock(Task t, LockBase lock, String op) {
        List<String> l = new ArrayList<>();
        header(l, "WARNING: bad unlock balance detected!");
        l.add(t + " is trying to release lock (" + lock.lockClass.name + ") at:");
        l.add(op);
        l.add("but there are no more locks to release!");
        l.add("");
        l.add("other info that might help us debug this:");
        finish(l, t, op, LockdepReport.Kind.BAD_UNLOCK_BALANCE, true);
    }

    /** Models lockdep_sys_exit(): a user task's syscall ended with locks held. */
    void returnToUserWithLocksHeld(Task t) {
        if (!debugLocks) return;
        List<String> l = new ArrayList<>();
        header(l, "WARNING: lock held when returning to user space!");
        l.add(t + " is leaving the kernel with locks still held!");
        printHeldLocks(t, l);
        report(LockdepReport.Kind.LOCK_HELD_RETURNING_TO_USER, t, l, true);
    }

    /** Models debug_check_no_locks_held() at do_exit(): print_held_locks_bug(). */
    void exitWithLocksHeld(Task t) {
        if (!debugLocks) return;
        List<String> l = new ArrayList<>();
        l.add("=====================================");
        l.add("WARNING: " + t + " still has locks held!");
        l.add(kernel.kernelIdent());
        l.add("-------------------------------------");
        finish(l, t, "do_exit", LockdepReport.Kind.LOCK_HELD_AT_EXIT, true);
    }

    /** Models __might_sleep()'s report (kernel/sched/core.c), rate-limited to one per second. */
    void sleepingInAtomic(Task t, String function) {
        long now = kernel.now();
        if (lastMightSleepReport != Long.MIN_VALUE && now < lastMightSleepReport + 1_000_000_000L) return;
        lastMightSleepReport = now;
        List<String> l = new ArrayList<>();
        l.add("BUG: sleeping function called from invalid context at " + function);
        l.add("in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: " + t.pid + ", name: " + t.name);
        l.add("preempt_count: " + t.atomicDepth + ", expected: 0");
        l.add("RCU nest depth: 0, expected: 0");
        finish(l, t, function, LockdepReport.Kind.SLEEPING_IN_ATOMIC, false);
    }

    /** Models lockdep_print_held_locks(). */
    void printHeldLocks(Task t, List<String> l) {
        int n = t.heldDepth;
        if (n == 0) {
            l.add("no locks held by " + t + ".");
            return;
        }
        l.add(n + " lock" + (n > 1 ? "s" : "") + " held by " + t + ":");
        for (int i = 0; i < n; i++) {
            HeldLock h = t.held[i];
            l.add(" #" + i + ": " + lockName(h.lock().lockClass) + ", at: " + h.op());
        }
    }

    /**
     * The opening print_circular_bug() and print_deadlock_bug() share: the title, then the lock
     * {@code t} is trying to acquire and the one it already holds.
     */
    private List<String> acquisitionSplat(String title, Task t, LockBase lock, String op, HeldLock held) {
        List<String> l = new ArrayList<>();
        header(l, title);
        l.add(t + " is trying to acquire lock:");
        l.add(lockName(lock.lockClass) + ", at: " + op);
        l.add("");
        l.add("but task is already holding lock:");
        l.add(lockName(held.lock().lockClass) + ", at: " + held.op());
        l.add("");
        return l;
    }

    /** The tail of every splat: the held locks and the backtrace at {@code op}; then reports it. */
    private void finish(List<String> l, Task t, String op, LockdepReport.Kind kind, boolean lockdepProper) {
        printHeldLocks(t, l);
        backtrace(l, op);
        report(kind, t, l, lockdepProper);
    }

    private void header(List<String> l, String title) {
        String bar = "=".repeat(title.length());
        l.add(bar);
        l.add(title);
        l.add(kernel.kernelIdent());
        l.add("-".repeat(title.length()));
    }

    /** Models the "stack backtrace:" + dump_stack() tail of a splat: the CPU line, then the call trace. */
    private void backtrace(List<String> l, String op) {
        Task t = kernel.current();
        l.add("");
        l.add("stack backtrace:");
        if (t != null) {
            l.add("CPU: 0 " + (atLeast(6, 10) ? "UID: 0 " : "") + "PID: " + t.pid + " Comm: " + t.name
                    + " Not tainted " + kernel.release() + " " + kernel.unameVersion());
        }
        l.add("Call Trace:");
        l.add(" <TASK>");
        for (String f : stack(op)) l.add(" " + f.strip());
        l.add(" </TASK>");
    }

    private void report(LockdepReport.Kind kind, Task t, List<String> lines, boolean lockdepProper) {
        LockdepReport r = new LockdepReport(kind, t, kernel.now(), lines);
        reports.add(r);
        for (String line : lines) kernel.dmesg().warn(line);
        if (lockdepProper && oneShot) debugLocks = false;
    }

    /** {@code (name){+.+.}-{3:3}}: the class name, usage bits and wait types as lockdep prints them. */
    String lockName(LockClass c) {
        int shift = rawLockNesting() ? 1 : 0;
        int wait = c.sleeping ? 3 + shift : 2 + shift;
        return "(" + c.name + ")" + (c.rw ? "{++++}" : "{+.+.}") + "-{" + wait + ":" + wait + "}";
    }

    /** CONFIG_PROVE_RAW_LOCK_NESTING is on with PROVE_LOCKING from 6.11: wait types shift by one. */
    private boolean rawLockNesting() { return atLeast(6, 11); }

    /** Whether the modelled kernel release is at least major.minor (unparsable: the newest). */
    private boolean atLeast(int major, int minor) {
        try {
            String[] p = kernel.release().split("[.-]", 3);
            int ma = Integer.parseInt(p[0]), mi = Integer.parseInt(p[1]);
            return ma > major || (ma == major && mi >= minor);
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * The model's call stack as lockdep backtrace lines: the lock operation, then up to eight
     * callers outside the runtime, up to the task's entry (so the lines depend only on the
     * model code, not on who drives the kernel).
     */
    private List<String> stack(String op) {
        List<String> out = new ArrayList<>();
        out.add("       " + op);
        StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
            frames.takeWhile(f -> !(f.getDeclaringClass() == Kernel.class && f.getMethodName().equals("taskMain")))
                  .filter(f -> !isRuntime(f.getDeclaringClass()) && !isPlatform(f.getClassName()))
                  .limit(8)
                  .forEach(f -> out.add("       " + f.getDeclaringClass().getSimpleName() + "." + f.getMethodName()
                          + " (" + f.getFileName() + ":" + f.getLineNumber() + ")"));
            return null;
        });
        return out;
    }

    private static boolean isPlatform(String cn) {
        return cn.startsWith("java.") || cn.startsWith("jdk.") || cn.startsWith("sun.");
    }

    private static boolean isRuntime(Class<?> c) {
        if (!c.getPackageName().equals(Kernel.class.getPackageName())) return false;
        var mine = Kernel.class.getProtectionDomain().getCodeSource();
        var theirs = c.getProtectionDomain().getCodeSource();
        return mine == null || theirs == null || mine.getLocation().equals(theirs.getLocation());
    }
}
