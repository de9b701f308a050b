package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One QMP event: its name, its data and the (virtual) time it was created. QEMU stamps an
 * event when it is raised; a rate-limited event may be delivered later with its original
 * timestamp (monitor_qapi_event_queue_no_reenter() in monitor/monitor.c).
 *
 * @param epochBaseSeconds host wall-clock seconds that virtual time 0 corresponds to
 */
public record QmpEvent(String name, ObjectNode data, long timestampNs, long epochBaseSeconds) {

    /** The event as QMP sends it: {"timestamp": {"seconds", "microseconds"}, "event", "data"}. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ObjectNode ts = o.putObject("timestamp");
        ts.put("seconds", epochBaseSeconds + timestampNs / 1_000_000_000L);
        ts.put("microseconds", (timestampNs % 1_000_000_000L) / 1000);
        o.put("event", name);
        if (data != null) {
            o.set("data", data);
        }
        return o;
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
