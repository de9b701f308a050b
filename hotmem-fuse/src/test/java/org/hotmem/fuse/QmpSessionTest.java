package org.hotmem.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hotmem.machine.QmpServer;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * A QMP client that is not ours (socat driven by a shell script) hot-adds a DIMM over the
 * socket while a script in the mount waits for its blocks and onlines them, then removes it: the
 * guest offlines and removes the blocks during the eject and QEMU reports DEVICE_DELETED.
 */
class QmpSessionTest {
    @Test
    void socatHotAddsAndRemovesADimmWhileAGuestScriptOnlinesIt() throws Exception {
        try (LiveGuest g = LiveGuest.boot("1G,slots=8,maxmem=8G", "memhp_default_state=offline", List.of(),
                KernelVersion.V6_12, 10)) {
            Path tmp = Files.createTempDirectory("qmp");
            Path sock = tmp.resolve("qmp.sock");
            Path onlinedMark = tmp.resolve("onlined");
            try (QmpServer server = QmpServer.start(g.live, "unix:" + sock + ",server,wait=off")) {
                String guestScript = """
                        m=/sys/devices/system/memory
                        while [ ! -e $m/memory35/state ]; do sleep 0.02; done
                        for b in 32 33 34 35; do echo online_movable > $m/memory$b/state && echo "memory$b $(cat $m/memory$b/state)"; done
                        touch %s
                        while [ -e $m/memory32 ]; do sleep 0.02; done; echo removed
                        """.formatted(onlinedMark);
                Process guest = g.start(guestScript);
                String qmpScript = """
                        {
                          echo '{"execute": "qmp_capabilities"}'
                          echo '{"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "mem1", "size": 536870912}}'
                          echo '{"execute": "device_add", "arguments": {"driver": "pc-dimm", "id": "dimm1", "memdev": "mem1"}, "id": "add"}'
                          while [ ! -e %s ]; do sleep 0.02; done
                          echo '{"execute": "device_del", "arguments": {"id": "dimm1"}, "id": "del"}'
                          sleep 1.5
                        } | socat -t 2 - UNIX-CONNECT:%s
                        """.formatted(onlinedMark, sock);
                LiveGuest.Result qmp = g.sh(qmpScript);
                LiveGuest.Result onlined = LiveGuest.finish(guest, guestScript);
                assertEquals("""
                        memory32 online
                        memory33 online
                        memory34 online
                        memory35 online
                        removed
                        """, onlined.output());
                List<String> lines = List.of(qmp.output().split("\n"));
                assertEquals(QmpServerTestGreeting.GREETING + "\r", lines.get(0));
                assertEquals("{\"return\": {}}\r", lines.get(1));
                assertEquals("{\"return\": {}}\r", lines.get(2));
                assertEquals("{\"return\": {}, \"id\": \"add\"}\r", lines.get(3));
                assertTrue(lines.contains("{\"return\": {}, \"id\": \"del\"}\r"), qmp.output());
                int deleted = indexOf(lines, "\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"dimm1\"");
                assertTrue(deleted > lines.indexOf("{\"return\": {}, \"id\": \"del\"}\r"), qmp.output());
                assertTrue(indexOf(lines, "\"event\": \"ACPI_DEVICE_OST\"") > 3, qmp.output());
            }
        }
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    /** The greeting text, as the core's QmpServerTest pins it. */
    static final class QmpServerTestGreeting {
        static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
                + "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}";
    }
}
