package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.LongSupplier;

/**
 * The host side of a {@code virtio-balloon-pci} device (hw/virtio/virtio-balloon.c).
 * {@code numPages} is the target the host writes into the config space, {@code actual} what
 * the guest reports back; both count 4 KiB balloon pages. The host's view of the guest RAM
 * is get_current_ram_size(): boot RAM plus pc-dimm memory (virtio-mem memory not included).
 *
 * <p>Invariant: {@code actual} changes only through the guest's config write, and each change
 * emits BALLOON_CHANGE with {@code ram - actual * 4 KiB}.
 *
 * <p>The statistics virtqueue (VIRTIO_BALLOON_F_STATS_VQ, always offered): the guest pushes a
 * buffer of tagged values ({@link #receiveStats}); the device keeps them with the host's time
 * ({@code last-update}) and holds the buffer. With {@code guest-stats-polling-interval} N > 0 a
 * host timer returns the buffer every N seconds (balloon_stats_poll_cb()), which makes the guest
 * refill and push it again; 0 stops the timer. {@code qom-get guest-stats} reads
 * {@code {"last-update": S, "stats": {...}}}, a value never reported reading as 2^64 - 1.
 */
public final class VirtioBalloon {
    public static final int PFN_SHIFT = 12;

    private final String id;
    private final int virtioIndex;
    private final LongSupplier currentRamSize;
    private final HostTimers timers;
    private final QmpEventQueue events;
    private int numPages;
    private int actual;
    private long inflatedPages;
    private Runnable configChangeHandler;
    /** The deflate-on-oom property: offers VIRTIO_BALLOON_F_DEFLATE_ON_OOM. */
    private final boolean deflateOnOom;
    /** QEMU's balloon_stat_names, in VIRTIO_BALLOON_S_* tag order. */
    public static final java.util.List<String> STAT_NAMES = java.util.List.of("stat-swap-in", "stat-swap-out",
            "stat-major-faults", "stat-minor-faults", "stat-free-memory", "stat-total-memory", "stat-available-memory",
            "stat-disk-caches", "stat-htlb-pgalloc", "stat-htlb-pgfail");
    /** s->stats: -1 (as uint64) until reported. */
    private final long[] stats = new long[STAT_NAMES.size()];
    private long statsLastUpdate;
    private long statsPollInterval;
    /** Bumped when the poll timer is (re)armed or destroyed: a stale timer callback does nothing. */
    private long statsTimerGeneration;
    /** s->stats_vq_elem: the guest's buffer is held by the device. */
    private boolean statsBufferHeld;
    /** The guest driver's stats virtqueue callback (stats_request()). */
    private Runnable statsRequestHandler;

    VirtioBalloon(String id, int virtioIndex, LongSupplier currentRamSize, HostTimers timers, QmpEventQueue events,
            boolean deflateOnOom) {
        this.id = id;
        this.deflateOnOom = deflateOnOom;
        this.virtioIndex = virtioIndex;
        this.currentRamSize = currentRamSize;
        this.timers = timers;
        this.events = events;
        java.util.Arrays.fill(stats, -1L);
    }

    /** The guest driver's callback for a returned stats buffer. */
    public void setStatsRequestHandler(Runnable handler) {
        this.statsRequestHandler = handler;
    }

    /**
     * The guest pushed its stats buffer: models virtio_balloon_receive_stats(): tag/value pairs
     * (unknown tags ignored), last-update stamped, the buffer held, the poll timer rearmed.
     */
    public void receiveStats(int[] tags, long[] values) {
        for (int i = 0; i < tags.length; i++) {
            if (tags[i] >= 0 && tags[i] < stats.length) {
                stats[tags[i]] = values[i];
            }
        }
        statsLastUpdate = events.realTimeSeconds();
        statsBufferHeld = true;
        if (statsPollInterval > 0) {
            armStatsTimer(statsPollInterval * 1_000_000_000L);
        }
    }

    private void armStatsTimer(long delayNs) {
        long gen = ++statsTimerGeneration;
        timers.schedule(delayNs, () -> {
            if (gen != statsTimerGeneration) {
                return;
            }
            // balloon_stats_poll_cb()
            if (!statsBufferHeld) {
                armStatsTimer(statsPollInterval * 1_000_000_000L); // the guest has not sent its stats yet
                return;
            }
            statsBufferHeld = false;
            if (statsRequestHandler != null) {
                statsRequestHandler.run();
            }
        });
    }

    /** Models balloon_stats_set_poll_interval(): QEMU's range checks, then the timer created, changed or destroyed. */
    public void setStatsPollInterval(long value) {
        if (value < 0) {
            throw QmpException.generic("timer value must be greater than zero");
        }
        if (value > 0xffff_ffffL) {
            throw QmpException.generic("timer value is too big");
        }
        if (value == statsPollInterval) {
            return;
        }
        boolean enabled = statsPollInterval > 0;
        statsPollInterval = value;
        if (value == 0) {
            statsTimerGeneration++; // balloon_stats_destroy_timer()
            return;
        }
        // a changed interval rearms the timer for it; a new timer fires at once
        armStatsTimer(enabled ? value * 1_000_000_000L : 0);
    }

    public long statsPollInterval() {
        return statsPollInterval;
    }

    /** qom-get guest-stats: models balloon_stats_get_all(). */
    public ObjectNode guestStats() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("last-update", statsLastUpdate);
        ObjectNode st = o.putObject("stats");
        for (int i = 0; i < stats.length; i++) {
            st.put(STAT_NAMES.get(i), new java.math.BigInteger(Long.toUnsignedString(stats[i])));
        }
        return o;
    }

    public String id() {
        return id;
    }

    public int virtioIndex() {
        return virtioIndex;
    }

    /** Whether the device offers VIRTIO_BALLOON_F_DEFLATE_ON_OOM (the deflate-on-oom property). */
    public boolean deflateOnOom() {
        return deflateOnOom;
    }

    /** Models virtio_balloon_to_target(): clamps to the RAM size and asks for the difference. */
    void toTarget(long target) {
        long ram = currentRamSize.getAsLong();
        if (target > ram) {
            target = ram;
        }
        if (target != 0) {
            numPages = (int) ((ram - target) >>> PFN_SHIFT);
            Runnable h = configChangeHandler;
            if (h != null) {
                timers.schedule(AcpiMemoryHotplug.GPE_LATENCY_NS, h);
            }
        }
    }

    /** query-balloon: models virtio_balloon_stat(). */
    ObjectNode stat() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("actual", currentRamSize.getAsLong() - ((long) actual << PFN_SHIFT));
        return o;
    }

    // ---- guest side ----

    public void setConfigChangeHandler(Runnable handler) {
        this.configChangeHandler = handler;
    }

    /** Config space num_pages: the number of 4 KiB pages the host wants in the balloon. */
    public int numPages() {
        return numPages;
    }

    /** Config space actual, as last written by the guest. */
    public int actual() {
        return actual;
    }

    /** Guest config write of actual: models virtio_balloon_set_config() (BALLOON_CHANGE on change). */
    public void setActual(int value) {
        int old = actual;
        actual = value;
        if (value != old) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("actual", currentRamSize.getAsLong() - ((long) value << PFN_SHIFT));
            events.emit("BALLOON_CHANGE", data);
        }
    }

    /** The inflate virtqueue: the host takes (discards) these guest pages. */
    public void inflate(long[] pfns, int count) {
        inflatedPages += count;
    }

    /** The deflate virtqueue: the guest takes these pages back. */
    public void deflate(long[] pfns, int count) {
        inflatedPages -= count;
    }

    /**
     * A new QEMU process with this device on its command line (the restart a resumed image runs
     * on): virtio_balloon_device_realize() starts with num_pages and actual 0 and holds no pages.
     */
    void realizedAgain() {
        numPages = 0;
        actual = 0;
        inflatedPages = 0;
    }

    /** Pages the host currently holds as ballooned. */
    public long inflatedPages() {
        return inflatedPages;
    }
}
