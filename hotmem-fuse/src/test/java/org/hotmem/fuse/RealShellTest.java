package org.hotmem.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.hotmem.conformance.Bundled;
import org.hotmem.conformance.ScnScript;
import org.hotmem.conformance.ScnStep;
import org.hotmem.conformance.StepKind;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real programs (busybox sh and its tools, the recorder's memblocks/zonesum scripts) against the FUSE mount. */
class RealShellTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEM = "/sys/devices/system/memory";
    private static LiveGuest guest;

    @BeforeAll
    static void boot() {
        ScnScript s = Bundled.scenario("boot-layout");
        guest = LiveGuest.boot(s.memory(), s.cmdline(), s.qemuArgs(), KernelVersion.V6_12, 1);
    }

    @AfterAll
    static void unmount() {
        if (guest != null) {
            guest.close();
        }
    }

    /**
     * Every guest step of the recorded boot-layout scenario (listings, attribute formats, the
     * recorder's memblocks and zonesum scripts, the refused offlines of boot blocks with the
     * shell's "write error"), through the real shell: same output and exit status as Linux 6.12.
     */
    @Test
    void bootLayoutStepsMatchTheRecordingOfLinux612() throws Exception {
        ScnScript s = Bundled.scenario("boot-layout");
        List<JsonNode> recorded = new ArrayList<>();
        for (String line : Bundled.expected("6.12", "boot-layout").split("\n")) {
            recorded.add(JSON.readTree(line));
        }
        int compared = 0;
        for (ScnStep step : s.steps()) {
            if (step.kind() != StepKind.GUEST) {
                continue;
            }
            JsonNode rec = recorded.stream().filter(r -> r.path("step").asInt() == step.number()).findFirst().orElseThrow();
            LiveGuest.Result r = guest.sh(step.arg());
            assertEquals(rec.get("output").asText(), r.output(), "step " + step.number() + ": " + step.arg());
            assertEquals(rec.get("rc").asInt(), r.rc(), "rc of step " + step.number() + ": " + step.arg());
            compared++;
        }
        assertTrue(compared > 20, "compared " + compared + " steps");
    }

    @Test
    void aLoopOverEveryBlockSeesEachStateFile() {
        LiveGuest.Result r = guest.sh("n=0; for b in " + MEM + "/memory*/state; do s=$(cat $b); n=$((n+1)); "
                + "[ \"$s\" = online ] || echo \"$b $s\"; done; echo $n blocks online");
        assertEquals(0, r.rc());
        int blocks = guest.live.call(m -> m.hotplug().blocks().size()).join();
        assertEquals(blocks + " blocks online\n", r.output());
    }

    @Test
    void readOnlyAttributesRefuseWritingEvenForRoot() {
        LiveGuest.Result r = guest.sh("echo 1 > " + MEM + "/memory32/phys_index");
        assertEquals("sh: can't create " + MEM + "/memory32/phys_index: Permission denied\n", r.output());
        assertEquals(1, r.rc());
        r = guest.sh("echo 1 > " + MEM + "/memory32/no_such_attribute");
        assertEquals("sh: can't create " + MEM + "/memory32/no_such_attribute: Permission denied\n", r.output());
    }

    /** Sizes as the recorded guest's {@code ls -l} shows them (badinput-sysfs): attributes 4096, symlinks 0. */
    @Test
    void sizesModesAndSymlinksAreSysfsOnes() {
        LiveGuest.Result r = guest.sh("cd " + MEM + "/memory32 && stat -c '%s %A %n' state phys_index node0 subsystem"
                + " && readlink node0 && readlink subsystem && ls -d ../../node/node0/memory32 && cat node0/meminfo | head -1");
        assertEquals("""
                4096 -rw-r--r-- state
                4096 -r--r--r-- phys_index
                0 lrwxrwxrwx node0
                0 lrwxrwxrwx subsystem
                ../../node/node0
                ../../../../bus/memory
                ../../node/node0/memory32
                Node 0 MemTotal:        4006692 kB
                """.replaceAll("MemTotal: +[0-9]+", "MemTotal:"), r.output().replaceAll("MemTotal: +[0-9]+", "MemTotal:"));
    }

    @Test
    void procfsFilesReadWholeWithCatAndWithRead() {
        LiveGuest.Result r = guest.sh("cat /proc/zoneinfo | md5sum; dd if=/proc/zoneinfo bs=64 2>/dev/null | md5sum;"
                + " head -1 /proc/meminfo; grep -c '^Node' /proc/buddyinfo");
        String[] l = r.output().split("\n");
        assertEquals(l[0], l[1], "cat (sendfile) and small reads give the same text");
        assertTrue(l[2].startsWith("MemTotal:"), l[2]);
        long zones = guest.live.inTask("cat", m -> m.fs().lookupFile("/proc/buddyinfo").read()).future().join()
                .lines().filter(x -> x.startsWith("Node")).count();
        assertEquals(String.valueOf(zones), l[3]);
    }
}
