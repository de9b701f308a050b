package org.hotmem.kernel;

import java.util.concurrent.locks.LockSupport;

/**
 * One Java thread (virtual or platform) per task; a volatile baton names the one participant
 * (a task or the driver) allowed to run, and each handoff unparks exactly that participant's
 * thread, task to task directly, without a central dispatcher thread.
 *
 * <p>Invariant: only the thread whose participant is {@code baton} runs model code; all others
 * are parked. The volatile write/read of {@code baton} orders every model write before the
 * handoff with every model read after it.
 */
final class ThreadDispatcher implements Dispatcher {
    private static final Object DRIVER = new Object();
    private final Kernel kernel;
    private final boolean virtual;
    private volatile Object baton; // the participant allowed to run
    private Thread driver;         // written by the driver before it hands the baton out

    ThreadDispatcher(Kernel kernel, boolean virtual) {
        this.kernel = kernel;
        this.virtual = virtual;
    }

    @Override public void runFromDriver(Task first) {
        driver = Thread.currentThread();
        give(first);
        await(DRIVER);
    }

    @Override public void switchTo(Task prev, Task next) {
        give(next == null ? DRIVER : next);
        await(prev);
    }

    @Override public void exit(Task prev, Task next) {
        give(next == null ? DRIVER : next);
    }

    @Override public String name() { return virtual ? "virtual-thread" : "platform-thread"; }

    private void give(Object to) {
        if (to == null) to = DRIVER;
        Thread th = to == DRIVER ? driver : threadOf((Task) to);
        baton = to;
        LockSupport.unpark(th);
    }

    private Thread threadOf(Task t) {
        Thread th = (Thread) t.carrier;
        if (th == null) {
            Runnable main = () -> {
                await(t);
                try {
                    kernel.taskMain(t);
                } catch (Throwable e) { // never leave the driver parked forever
                    kernel.fail(t, e);
                    give(null);
                }
            };
            String name = "hotmem-" + t.name + "/" + t.pid;
            th = virtual ? Thread.ofVirtual().name(name).unstarted(main)
                         : Thread.ofPlatform().name(name).daemon(true).unstarted(main);
            t.carrier = th;
            th.start();
        }
        return th;
    }

    private void await(Object me) {
        while (baton != me) LockSupport.park(this);
    }
}
