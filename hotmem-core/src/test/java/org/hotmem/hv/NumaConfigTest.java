package org.hotmem.hv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** -numa options: the topology QEMU builds and its exact refusals. */
class NumaConfigTest {
    private static final String TWO_BACKENDS = "-object memory-backend-ram,id=m0,size=2G -object memory-backend-ram,id=m1,size=2G";
    private final ManualTimers timers = new ManualTimers();

    private Qemu qemu(String m, String args) {
        return Qemu.start(m, List.of(args), timers, 1_700_000_000L);
    }

    private String refusal(String m, String args) {
        return assertThrows(QemuConfigException.class, () -> qemu(m, args)).getMessage();
    }

    private static String qmp(Qemu q, String cmd, String args) throws Exception {
        return q.qmp(cmd, (ObjectNode) new ObjectMapper().readTree(args)).toString();
    }

    @Test
    void twoNodesWithBackendsShareTheRamInOrder() {
        Qemu q = qemu("4G,slots=8,maxmem=16G", TWO_BACKENDS + " -numa node,nodeid=0,memdev=m0,cpus=0 -numa node,nodeid=1,memdev=m1");
        assertEquals(2, q.numa().nodeCount());
        assertEquals(2L << 30, q.numa().nodeMemory(1));
        assertEquals(0, q.numa().cpuNode());
        assertEquals(List.of(0), q.srat().cpuProximity());
        assertEquals(1, q.srat().memory().get(q.srat().memory().size() - 1).proximityDomain());
    }

    @Test
    void memoryHotplugWithoutNumaOptionsGetsOneImplicitNode() {
        assertEquals(1, qemu("4G,slots=8,maxmem=16G", "").numa().nodeCount());
        assertEquals(0, qemu("4G", "").numa().nodeCount());
    }

    @Test
    void nodeIdsDefaultToTheNextOneAndMayNotRepeat() {
        assertEquals("-numa node,nodeid=0,memdev=m1: Duplicate NUMA nodeid: 0",
                refusal("4G", TWO_BACKENDS + " -numa node,memdev=m0 -numa node,nodeid=0,memdev=m1"));
        assertEquals("numa: Node ID missing: 1",
                refusal("4G", TWO_BACKENDS + " -numa node,nodeid=0,memdev=m0 -numa node,nodeid=2,memdev=m1"));
        assertEquals("-numa node,nodeid=128: Max number of NUMA nodes reached: 128", refusal("4G", "-numa node,nodeid=128"));
        assertEquals("-numa node,nodeid=70000: Parameter 'nodeid' expects uint16_t", refusal("4G", "-numa node,nodeid=70000"));
        assertEquals("-numa node,nodeid=x: Parameter 'nodeid' expects a uint64 value", refusal("4G", "-numa node,nodeid=x"));
    }

    @Test
    void nodeMemoryMustAddUpToTheRamSize() {
        assertEquals("total memory for NUMA nodes (0x80000000) should equal RAM size (0x100000000)",
                refusal("4G", "-object memory-backend-ram,id=m0,size=2G -numa node,memdev=m0 -numa node"));
        assertEquals("total memory for NUMA nodes (0x0) should equal RAM size (0x40000000)",
                refusal("1G", "-numa node -numa node"));
    }

    @Test
    void badOptionsGetQemusText() {
        assertEquals("-numa node,mem=1G: Parameter -numa node,mem is not supported by this machine type\n"
                + "Use -numa node,memdev instead", refusal("1G", "-numa node,mem=1G"));
        assertEquals("-numa node,memdev=nosuch: memdev=nosuch is ambiguous", refusal("1G", "-numa node,memdev=nosuch"));
        assertEquals("-numa node,foo=1: Invalid parameter 'foo'", refusal("1G", "-numa node,foo=1"));
        assertEquals("-numa nodes: Parameter 'type' does not accept value 'nodes'", refusal("1G", "-numa nodes"));
        assertEquals("-numa nodeid=0: Parameter 'type' is missing", refusal("1G", "-numa nodeid=0"));
        assertEquals("-numa node,cpus=1: CPU index (1) should be smaller than maxcpus (1)", refusal("1G", "-numa node,cpus=1"));
        assertEquals("memory backend m0 can't be used multiple times.",
                refusal("2G", "-object memory-backend-ram,id=m0,size=1G -numa node,memdev=m0 -numa node,memdev=m0"));
    }

    @Test
    void distancesAreValidatedAndCompletedSymmetrically() {
        String nodes = TWO_BACKENDS + " -numa node,memdev=m0 -numa node,memdev=m1";
        Qemu q = qemu("4G", nodes + " -numa dist,src=0,dst=1,val=21");
        assertEquals(21, q.numa().distance(1, 0));
        assertEquals(10, q.numa().distance(1, 1));
        assertEquals("-numa dist,src=0,dst=0,val=20: Local distance of node 0 should be 10.",
                refusal("4G", nodes + " -numa dist,src=0,dst=0,val=20"));
        assertEquals("-numa dist,src=0,dst=1,val=9: NUMA distance (9) is invalid, it shouldn't be less than 10.",
                refusal("4G", nodes + " -numa dist,src=0,dst=1,val=9"));
        assertEquals("-numa dist,src=0,dst=2,val=20: Source/Destination NUMA node is missing. Please use '-numa node'"
                + " option to declare it first.", refusal("4G", nodes + " -numa dist,src=0,dst=2,val=20"));
    }

    @Test
    void aDimmNodeMustExist() throws Exception {
        Qemu q = qemu("4G,slots=8,maxmem=16G", TWO_BACKENDS + " -numa node,memdev=m0 -numa node,memdev=m1");
        qmp(q, "object-add", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"d\",\"size\":1073741824}");
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"'DIMM property node has value 2' which exceeds the"
                + " number of numa nodes: 2\"}}", qmp(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"x\",\"memdev\":\"d\",\"node\":2}"));
        assertEquals("{\"return\":{}}", qmp(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"x\",\"memdev\":\"d\",\"node\":1}"));
        assertEquals(1, q.acpiMemoryHotplug().proximity(0));
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"can't use already busy memdev: m0\"}}",
                qmp(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"y\",\"memdev\":\"m0\"}"));
    }
}
