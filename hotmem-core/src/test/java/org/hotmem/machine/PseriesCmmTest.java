package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hotmem.conformance.GuestShell;
import org.hotmem.hv.MachineType;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * The pseries CMM driver's OOM notifier: Linux 6.1's BUG when it must free more than is
 * loaned (the allocating task dies holding oom_lock and the guest answers no more), and the
 * fixed driver, which frees what it has and lets the OOM killer act.
 */
class PseriesCmmTest {
    static Machine boot(boolean fixed) {
        return Machine.builder().machine(MachineType.PSERIES).memory("2G,slots=4,maxmem=8G").kernel(KernelVersion.V6_1)
                .cmmFixedOom(fixed).boot();
    }

    static GuestShell.Outcome run(Machine m, String cmd, long timeoutNs) {
        return new GuestShell(m.kernel(), m.fs(), m.power(), m.programs()).run(cmd, timeoutNs);
    }

    static String sh(Machine m, String cmd) {
        GuestShell.Outcome o = run(m, cmd, 120_000_000_000L);
        return o.result().output() + "[" + o.result().rc() + "]";
    }

    static List<String> log(Machine m) {
        return m.drainKernelLog().stream().map(l -> l.replaceFirst("^\\[[^]]*\\] ", "")).toList();
    }

    @Test
    void withNothingLoanedAnOomHitsTheBalloonBugAndTheGuestHangs() {
        Machine m = boot(false);
        assertEquals("[0]", sh(m, "insmod /lib/modules/cmm.ko simulate=1"));
        log(m);
        assertTrue(run(m, "memhog 2600", 20_000_000_000L).timedOut());
        List<String> l = log(m);
        assertTrue(l.contains("kernel BUG at mm/balloon_compaction.c:191!"), l.toString());
        assertTrue(l.stream().anyMatch(x -> x.matches("note: memhog\\[\\d+\\] exited with irqs disabled")), l.toString());
        assertTrue(run(m, "cat /sys/devices/system/cmm/cmm0/loaned_kb", 5_000_000_000L).timedOut(),
                "a new command waits for oom_lock forever");
    }

    @Test
    void theFixedDriverFreesWhatItHasLoanedAndTheOomKillerTakesMemhog() {
        Machine m = boot(true);
        assertEquals("[0]", sh(m, "insmod /lib/modules/cmm.ko simulate=1 oom_kb=1048576"));
        assertEquals("[0]", sh(m, "echo 65536 > /sys/devices/system/cmm/cmm0/simulate_loan_target_kb"));
        m.runFor(3_000_000_000L);
        assertEquals("65536\n[0]", sh(m, "cat /sys/devices/system/cmm/cmm0/loaned_kb"));
        log(m);
        String hog = sh(m, "memhog 2600");
        assertTrue(hog.startsWith("memhog: 64 MiB touched\n") && hog.endsWith(" MiB touched\nKilled\n[137]"), hog);
        List<String> l = log(m);
        assertTrue(l.stream().anyMatch(x -> x.startsWith("Out of memory: Killed process")), l.toString());
        assertEquals("cmm loaned_kb=0 loaned_target_kb=0 oom_freed_kb=65536\n",
                sh(m, "cmmstat").lines().findFirst().orElseThrow() + "\n");
        assertEquals("0\n[0]", sh(m, "cat /sys/devices/system/cmm/cmm0/loaned_kb"));
    }

    @Test
    void loaningWaitsHotplugDelayAfterAnOfflineAndTheBalloonPagesMigrate() {
        Machine m = Machine.builder().machine(MachineType.PSERIES).memory("2G,slots=4,maxmem=8G").kernel(KernelVersion.V6_1)
                .cmdline("movable_node").qemu("-object", "memory-backend-ram,id=mem1,size=1G").boot();
        m.qmp("device_add", org.hotmem.machine.PseriesMachineTest.json(PseriesMachineTest.DIMM1));
        m.runFor(1_000_000_000L);
        sh(m, "insmod /lib/modules/cmm.ko simulate=1 debug=1 hotplug_delay=10");
        sh(m, "echo 262144 > /sys/devices/system/cmm/cmm0/simulate_loan_target_kb");
        m.runFor(3_000_000_000L);
        long inMemory8 = java.util.Arrays.stream(m.cmm().loanedPfns()).filter(p -> p >= 32768 && p < 36864).count();
        assertEquals(4096, inMemory8, "balloon pages fill ZONE_MOVABLE first");
        assertEquals("[0]", sh(m, "echo offline > /sys/devices/system/memory/memory8/state"));
        assertEquals(0, java.util.Arrays.stream(m.cmm().loanedPfns()).filter(p -> p >= 32768 && p < 36864).count());
        assertEquals(4096, m.cmm().loanedPages());
        sh(m, "echo 327680 > /sys/devices/system/cmm/cmm0/simulate_loan_target_kb");
        long t0 = m.kernel().now();
        m.runFor(9_000_000_000L);
        assertEquals("262144\n[0]", sh(m, "cat /sys/devices/system/cmm/cmm0/loaned_kb"), "still paused");
        m.runFor(4_000_000_000L);
        assertEquals("327680\n[0]", sh(m, "cat /sys/devices/system/cmm/cmm0/loaned_kb"));
        List<String> l = log(m);
        assertTrue(l.contains("cmm: Hotplug operation has occurred, loaning activity suspended for 10 seconds."), l.toString());
        assertTrue(m.kernel().now() > t0);
    }
}
