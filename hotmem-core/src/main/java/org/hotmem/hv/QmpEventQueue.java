package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The QMP monitor's event output with QEMU's rate limiting. Models monitor_qapi_event_emit()
 * and monitor_qapi_event_queue_no_reenter() in monitor/monitor.c: BALLOON_CHANGE (one stream)
 * and MEMORY_DEVICE_SIZE_CHANGE (one stream per qom-path) are limited to one event per second.
 * The first event of a stream goes out at once and arms a 1 s timer; events raised while the
 * timer runs replace each other, and the timer sends the last one (keeping its creation
 * timestamp) and re-arms; a timer that finds nothing pending ends the stream.
 *
 * <p>Invariant: {@link #delivered} holds events in delivery order; each throttle key has at
 * most one pending event. All methods run on the host side (QMP command handlers and host
 * timers), never concurrently: the kernel scheduler runs one thing at a time.
 */
public final class QmpEventQueue {
    static final long RATE_LIMIT_NS = 1_000_000_000L;

    private final HostTimers timers;
    private final long epochBaseSeconds;
    /** Events delivered and not yet drained. */
    private final List<QmpEvent> delivered = new ArrayList<>();
    /** Every event delivered since the machine started, for reports. */
    private final List<QmpEvent> history = new ArrayList<>();
    /** Throttle key -> the event waiting for the timer (null: timer armed, nothing pending). */
    private final Map<String, QmpEvent> throttled = new HashMap<>();

    /** The host's g_get_real_time() in whole seconds: the epoch base plus the virtual time. */
    public long realTimeSeconds() {
        return epochBaseSeconds + timers.nowNs() / 1_000_000_000L;
    }

    public QmpEventQueue(HostTimers timers, long epochBaseSeconds) {
        this.timers = timers;
        this.epochBaseSeconds = epochBaseSeconds;
    }

    /** Raises an event now; it is delivered now or, if rate limited, within a second. */
    public void emit(String name, ObjectNode data) {
        QmpEvent ev = new QmpEvent(name, data, timers.nowNs(), epochBaseSeconds);
        String key = throttleKey(ev);
        if (key == null) {
            deliver(ev);
            return;
        }
        if (throttled.containsKey(key)) {
            throttled.put(key, ev);
            return;
        }
        deliver(ev);
        throttled.put(key, null);
        timers.schedule(RATE_LIMIT_NS, () -> throttleTimer(key));
    }

    private void throttleTimer(String key) {
        QmpEvent pending = throttled.get(key);
        if (pending == null) {
            throttled.remove(key);
            return;
        }
        deliver(pending);
        throttled.put(key, null);
        timers.schedule(RATE_LIMIT_NS, () -> throttleTimer(key));
    }

    private static String throttleKey(QmpEvent ev) {
        return switch (ev.name()) {
            case "BALLOON_CHANGE" -> "BALLOON_CHANGE";
            case "MEMORY_DEVICE_SIZE_CHANGE" -> "MEMORY_DEVICE_SIZE_CHANGE:" + ev.data().path("qom-path").asText();
            default -> null;
        };
    }

    private void deliver(QmpEvent ev) {
        delivered.add(ev);
        history.add(ev);
    }

    /** Events delivered since the last drain, in delivery order. */
    public List<QmpEvent> drain() {
        List<QmpEvent> out = List.copyOf(delivered);
        delivered.clear();
        return out;
    }

    /** Delivered events not yet drained (without draining them). */
    public List<QmpEvent> peek() {
        return List.copyOf(delivered);
    }

    /** Every event delivered so far. */
    public List<QmpEvent> history() {
        return List.copyOf(history);
    }
}
