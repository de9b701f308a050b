package org.hotmem.hotplug;

import java.util.ArrayList;
import java.util.List;

/**
 * The memory notifier chain of drivers/base/memory.c ({@code memory_chain}, a blocking notifier
 * head): registration by priority and memory_notify(), which {@link MemoryHotplug} and
 * {@link OfflinePages} call at each MEM_* step of onlining and offlining.
 *
 * <p>Invariants: {@code notifiers} is sorted by priority, highest first, callbacks of equal
 * priority in registration order; {@code priorities.get(i)} is the priority of
 * {@code notifiers.get(i)}. A call of the chain works on a snapshot, so a callback that
 * (un)registers does not disturb the walk in progress.
 *
 * <p>Locking: Linux guards the chain with its own rwsem (blocking_notifier_head.rwsem: writers
 * register, the call runs under the read side). Here registration has no scheduling point and the
 * walk copies the list first, so the kernel's single-runner discipline guards both fields; the
 * callers of {@link #memoryNotify} hold mem_hotplug_lock (write), never zone->lock.
 */
final class MemoryNotifierChain {
    private final List<Integer> priorities = new ArrayList<>();
    private final List<MemoryNotifier> notifiers = new ArrayList<>();

    /** Models register_memory_notifier()/hotplug_memory_notifier(nb, pri): higher priority first, ties in registration order. */
    void register(MemoryNotifier nb, int priority) {
        int pos = 0;
        while (pos < priorities.size() && priorities.get(pos) >= priority) {
            pos++;
        }
        priorities.add(pos, priority);
        notifiers.add(pos, nb);
    }

    /** Models unregister_memory_notifier(). */
    void unregister(MemoryNotifier nb) {
        int i = notifiers.indexOf(nb);
        if (i >= 0) {
            notifiers.remove(i);
            priorities.remove(i);
        }
    }

    /** Models memory_notify(): blocking_notifier_call_chain, stopping at NOTIFY_STOP_MASK. Returns the last value. */
    int memoryNotify(MemoryNotifier.Event ev, long pfn, long nr) {
        int ret = MemoryNotifier.NOTIFY_DONE;
        for (MemoryNotifier nb : List.copyOf(notifiers)) {
            ret = nb.notify(ev, pfn, nr);
            if ((ret & MemoryNotifier.NOTIFY_STOP_MASK) != 0) {
                break;
            }
        }
        return ret;
    }
}
