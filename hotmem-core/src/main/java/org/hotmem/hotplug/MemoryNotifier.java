package org.hotmem.hotplug;

/**
 * A callback on the memory notifier chain (register_memory_notifier / hotplug_memory_notifier).
 * Returns NOTIFY_DONE, NOTIFY_OK, NOTIFY_BAD, NOTIFY_STOP or {@link #fromErrno(int)}.
 */
@FunctionalInterface
public interface MemoryNotifier {
    int NOTIFY_DONE = 0x0000;
    int NOTIFY_OK = 0x0001;
    int NOTIFY_STOP_MASK = 0x8000;
    int NOTIFY_BAD = NOTIFY_STOP_MASK | 0x0002;
    int NOTIFY_STOP = NOTIFY_OK | NOTIFY_STOP_MASK;

    /**
     * Memory notifier events (6.1/6.12 bit values). MEM_PREPARE_ONLINE and MEM_FINISH_OFFLINE
     * exist only on kernels with {@link org.hotmem.mm.KernelFeature#MEM_PREPARE_ONLINE}; for them
     * the range passed includes the block's altmap (what their one consumer, s390's sclp notifier,
     * computes from memory_notify's altmap_start_pfn/altmap_nr_pages).
     */
    enum Event {
        MEM_ONLINE(1), MEM_GOING_OFFLINE(2), MEM_OFFLINE(4), MEM_GOING_ONLINE(8), MEM_CANCEL_ONLINE(16), MEM_CANCEL_OFFLINE(32),
        MEM_PREPARE_ONLINE(64), MEM_FINISH_OFFLINE(128);

        public final int value;

        Event(int value) {
            this.value = value;
        }
    }

    /** The callback. {@code startPfn}/{@code nrPages} are struct memory_notify's fields. */
    int notify(Event event, long startPfn, long nrPages);

    /** notifier_from_errno(-errno). */
    static int fromErrno(int negErrno) {
        return negErrno == 0 ? NOTIFY_OK : NOTIFY_STOP_MASK | (1 - negErrno);
    }

    /** notifier_to_errno(): 0 or a negative errno. */
    static int toErrno(int ret) {
        int r = ret & ~NOTIFY_STOP_MASK;
        return r > NOTIFY_OK ? NOTIFY_OK - r : 0;
    }
}
