package org.hotmem.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * virtio-balloon's statistics virtqueue as QEMU 7.2 exposes it: the guest's first buffer at probe,
 * {@code guest-stats} read by qom-get, the polling interval
 * that makes the host return the buffer so the guest refills it, and QEMU's refusals.
 * // model: not recorded; the values follow update_balloon_stats() of the model's counters.
 */
class VirtioBalloonStatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEC = 1_000_000_000L;

    private static JsonNode qom(Machine m, String execute, String property, Long value) {
        var args = JSON.createObjectNode().put("path", "/machine/peripheral/balloon0").put("property", property);
        if (value != null) {
            args.put("value", value);
        }
        return m.qmp(execute, args);
    }

    @Test
    void statsArriveAtProbeAndAreRefreshedOnlyWhilePolling() {
        Machine m = Machine.boot(new MachineConfig("1G", "", List.of("-device virtio-balloon-pci,id=balloon0"), KernelVersion.V6_12, 3));
        JsonNode st = qom(m, "qom-get", "guest-stats", null).get("return");
        long first = st.get("last-update").asLong();
        assertTrue(first > 0);
        assertEquals(m.mm().totalManagedPages() * 4096, st.get("stats").get("stat-total-memory").asLong());
        assertEquals(0, st.get("stats").get("stat-swap-in").asLong());
        assertEquals(0, st.get("stats").get("stat-htlb-pgalloc").asLong());
        assertEquals(0, qom(m, "qom-get", "guest-stats-polling-interval", null).get("return").asLong());
        m.runFor(10 * SEC);
        assertEquals(first, qom(m, "qom-get", "guest-stats", null).get("return").get("last-update").asLong(),
                "without polling the device keeps the probe's buffer");

        assertTrue(qom(m, "qom-set", "guest-stats-polling-interval", 2L).has("return"));
        m.runFor(SEC / 10);
        long polled = qom(m, "qom-get", "guest-stats", null).get("return").get("last-update").asLong();
        assertEquals(first + 10, polled, "a new timer fires at once and the guest refills the buffer");
        m.runFor(4 * SEC);
        assertEquals(polled + 4, qom(m, "qom-get", "guest-stats", null).get("return").get("last-update").asLong());
        assertEquals(m.mm().totalFreePages() * 4096,
                qom(m, "qom-get", "guest-stats", null).get("return").get("stats").get("stat-free-memory").asLong(), 1 << 20);

        assertTrue(qom(m, "qom-set", "guest-stats-polling-interval", 0L).has("return"));
        long stopped = qom(m, "qom-get", "guest-stats", null).get("return").get("last-update").asLong();
        m.runFor(10 * SEC);
        assertEquals(stopped, qom(m, "qom-get", "guest-stats", null).get("return").get("last-update").asLong());
    }

    @Test
    void badIntervalsAreRefusedAsQemuRefusesThem() {
        Machine m = Machine.boot(new MachineConfig("1G", "", List.of("-device virtio-balloon-pci,id=balloon0"), KernelVersion.V6_1, 3));
        assertEquals("timer value must be greater than zero",
                qom(m, "qom-set", "guest-stats-polling-interval", -1L).get("error").get("desc").asText());
        assertEquals("timer value is too big",
                qom(m, "qom-set", "guest-stats-polling-interval", 1L << 32).get("error").get("desc").asText());
        var args = JSON.createObjectNode().put("path", "/machine/peripheral/balloon0")
                .put("property", "guest-stats-polling-interval").put("value", "2");
        assertEquals("Invalid parameter type for 'guest-stats-polling-interval', expected: integer",
                m.qmp("qom-set", args).get("error").get("desc").asText());
    }
}
