package org.hotmem.kernel;

/**
 * Models {@code struct ratelimit_state} and {@code ___ratelimit()} (lib/ratelimit.c): at most
 * {@code burst} messages per {@code interval} of virtual time; the interval starts at the first
 * call after the previous one ended. When a new interval starts after calls were suppressed, the
 * kernel first prints {@code "FUNC: N callbacks suppressed"} (KERN_WARNING).
 *
 * <p>Invariants: {@code printed <= burst}; {@code missed} counts the calls refused since the
 * last "callbacks suppressed" line. Guarded by the kernel's single-runner discipline (the
 * state's spinlock in Linux).
 */
public final class Ratelimit {
    /** DEFAULT_RATELIMIT_INTERVAL (5 * HZ). */
    public static final long DEFAULT_INTERVAL_NS = 5_000_000_000L;
    /** DEFAULT_RATELIMIT_BURST. */
    public static final int DEFAULT_BURST = 10;

    private final String func;
    private final long intervalNs;
    private final int burst;
    private long begin = -1;
    private int printed;
    private long missed;

    /** A state named after the function whose messages it limits ({@code __func__} of the caller). */
    public Ratelimit(String func, long intervalNs, int burst) {
        this.func = func;
        this.intervalNs = intervalNs;
        this.burst = burst;
    }

    /** DEFINE_RATELIMIT_STATE(name, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST). */
    public static Ratelimit defaults(String func) {
        return new Ratelimit(func, DEFAULT_INTERVAL_NS, DEFAULT_BURST);
    }

    /** Models __ratelimit(): true if the caller may print now; logs the suppressed count first when an interval ends. */
    public boolean allow(Kernel kernel) {
        long now = kernel.now();
        if (begin < 0) {
            begin = now;
        }
        if (now >= begin + intervalNs) {
            if (missed > 0) {
                kernel.dmesg().warn(func + ": " + missed + " callbacks suppressed");
                missed = 0;
            }
            begin = now;
            printed = 0;
        }
        if (printed < burst) {
            printed++;
            return true;
        }
        missed++;
        return false;
    }

    /**
     * Accounts {@code n} calls made at a time when the burst is used up (all refused), without
     * making them one by one.
     */
    public void refuse(long n) {
        missed += n;
    }

    /** When the current interval ends and messages may be printed again (virtual ns); never before the first call. */
    public long reopensAt() {
        return begin < 0 ? Long.MAX_VALUE : begin + intervalNs;
    }
}
