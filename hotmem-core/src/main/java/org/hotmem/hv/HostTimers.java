package org.hotmem.hv;

/**
 * The host's notion of time as the hypervisor model sees it. The machine backs it with the
 * guest kernel's virtual clock, so host and guest share one deterministic timeline.
 * QEMU's main-loop timers (QEMU_CLOCK_REALTIME/VIRTUAL) and the latency of an interrupt
 * reaching the guest are both expressed through {@link #schedule}.
 */
public interface HostTimers {
    /** Current virtual time in nanoseconds. */
    long nowNs();

    /** Runs {@code action} once, {@code delayNs} from now, outside any guest task. */
    void schedule(long delayNs, Runnable action);
}
