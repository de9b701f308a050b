package org.hotmem.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Runs each task as a {@code jdk.internal.vm.Continuation} on the driver's own thread: a
 * switch is a yield back to the driver loop, which immediately runs the task the yielder chose.
 * No other thread is involved, so a switch costs a stack copy, not a wakeup.
 *
 * <p>Needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} at run time; without it
 * {@link #AVAILABLE} is false and the kernel falls back to {@link ThreadDispatcher}. A task
 * that reaches a scheduling point while pinned (inside {@code synchronized} or a native frame)
 * fails its run with the pinning reason.
 *
 * <p>Invariant: {@code handoff} is written by the yielding task just before it yields and read
 * by the driver loop right after; both run on the same thread.
 */
final class ContinuationDispatcher implements Dispatcher {
    static final boolean AVAILABLE;
    private static final MethodHandle NEW_SCOPE, NEW_CONTINUATION, RUN, YIELD;
    static {
        MethodHandle ns = null, nc = null, run = null, yield = null;
        boolean ok = false;
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            Class<?> scope = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> cont = Class.forName("jdk.internal.vm.Continuation");
            ns = l.findConstructor(scope, MethodType.methodType(void.class, String.class))
                  .asType(MethodType.methodType(Object.class, String.class));
            nc = l.findConstructor(cont, MethodType.methodType(void.class, scope, Runnable.class))
                  .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
            run = l.findVirtual(cont, "run", MethodType.methodType(void.class))
                   .asType(MethodType.methodType(void.class, Object.class));
            yield = l.findStatic(cont, "yield", MethodType.methodType(boolean.class, scope))
                     .asType(MethodType.methodType(boolean.class, Object.class));
            // Probe: a continuation that yields once must come back.
            Object s = ns.invokeExact("hotmem-probe");
            final MethodHandle y = yield;
            Object c = nc.invokeExact(s, (Runnable) () -> {
                try {
                    boolean unused = (boolean) y.invokeExact(s);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            });
            run.invokeExact(c);
            run.invokeExact(c);
            ok = true;
        } catch (Throwable t) {
            ok = false;
        }
        NEW_SCOPE = ns;
        NEW_CONTINUATION = nc;
        RUN = run;
        YIELD = yield;
        AVAILABLE = ok;
    }

    private final Kernel kernel;
    private final Object scope;
    private Task handoff; // the task the last yielder chose; null: back to the driver

    ContinuationDispatcher(Kernel kernel) {
        if (!AVAILABLE) throw new IllegalStateException(
                "jdk.internal.vm.Continuation is not accessible: run with --add-exports java.base/jdk.internal.vm=ALL-UNNAMED");
        this.kernel = kernel;
        try {
            this.scope = (Object) NEW_SCOPE.invokeExact("hotmem-kernel");
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override public void runFromDriver(Task first) {
        Task t = first;
        while (t != null) {
            handoff = null;
            Object c = t.carrier;
            try {
                if (c == null) {
                    final Task task = t;
                    c = (Object) NEW_CONTINUATION.invokeExact(scope, (Runnable) () -> kernel.taskMain(task));
                    t.carrier = c;
                }
                RUN.invokeExact(c);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            t = handoff;
        }
    }

    @Override public void switchTo(Task prev, Task next) {
        handoff = next;
        boolean yielded;
        try {
            yielded = (boolean) YIELD.invokeExact(scope);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (!yielded) throw new IllegalStateException(prev + " could not be switched out (pinned continuation)");
    }

    @Override public void exit(Task prev, Task next) {
        handoff = next;
    }

    @Override public String name() { return "continuation"; }
}
