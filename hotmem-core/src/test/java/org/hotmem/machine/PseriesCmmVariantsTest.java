package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.hotmem.drivers.CmmVariant;
import org.hotmem.hv.MachineType;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * The seed 003 variants of the CMM driver (v2 atomic flags, v3 hotplug_mutex) against the 6.1
 * balloon-compaction driver: where loaned pages land, what an offline does with them, and the
 * OOM notifier on an empty list. The deterministic scheduler runs each machine (seed 1).
 */
class PseriesCmmVariantsTest {
    static Machine boot(CmmVariant v) {
        return Machine.builder().machine(MachineType.PSERIES).memory("2G,slots=4,maxmem=8G").kernel(KernelVersion.V6_1)
                .cmdline("movable_node").qemu("-object", "memory-backend-ram,id=mem1,size=1G").cmmVariant(v).boot();
    }

    static long inMemory8(Machine m) {
        return Arrays.stream(m.cmm().loanedPfns()).filter(p -> p >= 32768 && p < 36864).count();
    }

    /** Loans 256 MiB with a Movable DIMM present, then offlines memory8 (its first LMB). */
    static Machine loanThenOfflineMovable(CmmVariant v) {
        Machine m = boot(v);
        m.qmp("device_add", PseriesMachineTest.json(PseriesMachineTest.DIMM1));
        m.runFor(1_000_000_000L);
        PseriesCmmTest.sh(m, "insmod /lib/modules/cmm.ko simulate=1 debug=1");
        PseriesCmmTest.sh(m, "echo 262144 > /sys/devices/system/cmm/cmm0/simulate_loan_target_kb");
        m.runFor(3_000_000_000L);
        assertEquals(4096, m.cmm().loanedPages());
        return m;
    }

    @Test
    void seed003LoansUnmovablePagesOutsideMovableSoAMovableOfflineNeverMeetsThem() {
        for (CmmVariant v : List.of(CmmVariant.ATOMIC_FLAGS, CmmVariant.MUTEX)) {
            Machine m = loanThenOfflineMovable(v);
            assertEquals(0, inMemory8(m), v + ": GFP_NOIO pages never come from ZONE_MOVABLE");
            PseriesCmmTest.log(m);
            assertEquals("[0]", PseriesCmmTest.sh(m, "echo offline > /sys/devices/system/memory/memory8/state"), v.toString());
            List<String> l = PseriesCmmTest.log(m);
            assertTrue(l.contains("cmm: Released 0 pages in the search range."), v + " " + l);
            assertTrue(l.contains("cmm: Memory going offline, searching 0xc000000080000000 (4096 pages)."), v + " " + l);
            assertEquals(4096, m.cmm().loanedPages(), v.toString());
        }
    }

    @Test
    void compactionLoansMovablePagesThatMigrateOutOfTheOfflinedBlock() {
        Machine m = loanThenOfflineMovable(CmmVariant.COMPACTION);
        assertEquals(4096, inMemory8(m), "balloon pages fill ZONE_MOVABLE first");
        assertEquals("[0]", PseriesCmmTest.sh(m, "echo offline > /sys/devices/system/memory/memory8/state"));
        assertEquals(0, inMemory8(m));
        assertEquals(4096, m.cmm().loanedPages(), "migrated, not released");
    }

    @Test
    void seed003FreesWhatItHasOnOomInsteadOfHittingTheBalloonBug() {
        Machine m = Machine.builder().machine(MachineType.PSERIES).memory("2G,slots=4,maxmem=8G").kernel(KernelVersion.V6_1)
                .cmmVariant(CmmVariant.MUTEX).boot();
        assertEquals("[0]", PseriesCmmTest.sh(m, "insmod /lib/modules/cmm.ko simulate=1"));
        String hog = PseriesCmmTest.sh(m, "memhog 2600");
        assertTrue(hog.endsWith("Killed\n[137]"), hog);
        assertTrue(PseriesCmmTest.log(m).stream().noneMatch(x -> x.startsWith("kernel BUG")));
    }
}
