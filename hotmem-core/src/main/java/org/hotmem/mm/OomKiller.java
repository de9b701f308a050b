package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelBug;
import org.hotmem.kernel.Mutex;

/**
 * The allocator's last resort (mm/oom_kill.c, __alloc_pages_may_oom() in mm/page_alloc.c):
 * an allocation that found no free page takes {@code oom_lock} (trylock; a task that cannot
 * get it sleeps one jiffy and retries the allocation), calls the OOM notifier chain
 * ({@code oom_notify_list}, {@link MemoryModel#registerOomNotifier}) and, when a notifier freed pages, lets
 * the allocation retry; otherwise the caller is the victim of the OOM killer.
 *
 * <p>A notifier that hits a {@link KernelBug} kills the allocating task inside out_of_memory():
 * the BUG's oops is printed and the task never leaves the kernel, so {@code oom_lock} stays
 * held and every later allocation that needs the OOM path waits for it forever.
 * // model: the dying task's memory is not torn down (the recorded guest never ran another
 * command after the oops, which this reproduces).
 *
 * <p>Invariant: notifiers in registration order; {@code oomLock} guards the chain's calls.
 */
public final class OomKiller {
    /** What {@link #outOfMemory} decided. */
    public enum Outcome {
        /** Pages were freed (or another task holds oom_lock): retry the allocation. */
        RETRY,
        /** Nothing was freed: the caller is killed (oom_kill_process()). */
        KILL
    }

    /** One jiffy (HZ=250 on Debian's kernels). */
    static final long JIFFY_MS = 4;

    private final Kernel kernel;
    private final Mutex oomLock;
    private final List<MemoryModel.OomNotifier> notifiers = new ArrayList<>();

    OomKiller(Kernel kernel) {
        this.kernel = kernel;
        this.oomLock = kernel == null ? null : new Mutex(kernel, "oom_lock");
    }

    /** register_oom_notifier(). */
    void register(MemoryModel.OomNotifier nb) {
        notifiers.add(nb);
    }

    /** unregister_oom_notifier(). */
    void unregister(MemoryModel.OomNotifier nb) {
        notifiers.remove(nb);
    }

    /**
     * Models __alloc_pages_may_oom() → out_of_memory() for the current task's failed
     * allocation: RETRY when another task holds oom_lock (after a jiffy) or a notifier freed
     * pages, KILL otherwise. A notifier's BUG does not return: the task dies in here.
     */
    public Outcome outOfMemory() {
        if (notifiers.isEmpty() && !oomLock.isLocked()) {
            return Outcome.KILL; // model: nothing to call; oom_lock is not taken (no task needed)
        }
        if (!oomLock.trylock()) {
            kernel.scheduleTimeoutUninterruptible(JIFFY_MS * 1_000_000L);
            return Outcome.RETRY;
        }
        long freed = 0;
        try {
            for (MemoryModel.OomNotifier nb : List.copyOf(notifiers)) {
                freed += nb.oomNotify();
            }
        } catch (KernelBug bug) {
            bug.die(kernel); // the task dies with oom_lock held
        }
        oomLock.unlock();
        return freed > 0 ? Outcome.RETRY : Outcome.KILL;
    }
}
