package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.hotmem.conformance.GuestShell;
import org.hotmem.hv.MachineType;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/** The pseries machine: boot layout, DLPAR hot-add and hot-remove of pc-dimms. */
class PseriesMachineTest {
    static Machine boot(String cmdline, String... qemu) {
        return Machine.builder().machine(MachineType.PSERIES).memory("2G,slots=4,maxmem=8G").kernel(KernelVersion.V6_1)
                .cmdline(cmdline).qemu(qemu).boot();
    }

    static String sh(Machine m, String cmd) {
        GuestShell.Outcome o = new GuestShell(m.kernel(), m.fs()).run(cmd);
        return o.result().output();
    }

    static ObjectNode json(String s) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void probe() {
        Machine m = boot("", "-object", "memory-backend-ram,id=mem1,size=1G");
        System.out.println(sh(m, "zonesum"));
        System.out.println(sh(m, "cat /proc/meminfo").substring(0, 80));
        m.drainKernelLog();
        System.out.println(m.qmp("device_add", json("{\"driver\": \"pc-dimm\", \"id\": \"dimm1\", \"memdev\": \"mem1\"}")));
        m.runFor(2_000_000_000L);
        System.out.println(sh(m, "memblocks"));
        System.out.println(sh(m, "zonesum"));
        System.out.println(sh(m, "echo offline > /sys/devices/system/memory/memory9/state"));
        System.out.println(m.qmp("device_del", json("{\"id\": \"dimm1\"}")));
        m.runFor(2_000_000_000L);
        System.out.println(m.drainEvents());
        System.out.println(sh(m, "zonesum"));
        System.out.println(String.join("\n", m.drainKernelLog()));
    }
}
