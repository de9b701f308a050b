package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hotmem.drivers.SclpMemory;
import org.hotmem.hotplug.InaccessibleMemoryException;
import org.hotmem.kernel.Errno;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * s390 standby memory (sclp_cmd.c, no recording possible: see {@link S390Machine}): standby
 * increments are offline memory blocks at boot whose memory is not accessible, assigned by
 * onlining and unassigned by offlining, in the one-stage (MEM_GOING_ONLINE, 6.1) and the
 * two-stage (MEM_PREPARE_ONLINE with the memmap on the standby memory, 6.12) protocol.
 */
class S390StandbyMemoryTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;
    static final String MEM = "/sys/devices/system/memory/memory";

    static String block(S390Machine m, int n, String attr) {
        return m.read(MEM + n + "/" + attr).strip();
    }

    static long meminfoKb(S390Machine m, String label) {
        for (String l : m.read("/proc/meminfo").split("\n")) {
            if (l.startsWith(label + ":")) {
                return Long.parseLong(l.substring(label.length() + 1).replace("kB", "").strip());
            }
        }
        throw new AssertionError("no " + label);
    }

    @Test
    void standbyBlocksArePresentOfflineAndInaccessibleAtBoot() {
        for (KernelVersion v : KernelVersion.values()) {
            S390Machine m = S390Machine.boot("2G,maxmem=4G", v, "", 1);
            // 4 GiB in at most 1020 increments: 8 MiB each; blocks of max(rzm, 256 MiB sections)
            assertEquals(8 * MIB, m.sclp().rzm(), v.name());
            assertEquals(512, m.sclp().rnmax());
            assertEquals("10000000", m.read("/sys/devices/system/memory/block_size_bytes").strip());
            assertTrue(m.dmesg().contains("sclp_cmd: Standby memory at 0x80000000 (2048M of 2048M usable)"), m.dmesg().toString());
            for (int b = 0; b < 16; b++) {
                assertEquals(b < 8 ? "online" : "offline", block(m, b, "state"), "memory" + b);
            }
            // the standby blocks' sections are registered, their memory is not backed
            assertFalse(m.sclp().accessible(2 * GIB, 8 * MIB));
            assertTrue(m.sclpMemory().isStandby(257));
            // zone layout: ZONE_DMA is the first 2 GiB (MAX_DMA_ADDRESS), standby memory above it goes to Normal or Movable
            assertEquals("DMA", block(m, 7, "valid_zones"));
            assertEquals("Normal Movable", block(m, 8, "valid_zones"));
            assertTrue(meminfoKb(m, "MemTotal") < 2 * GIB / 1024, "standby memory is not counted");
            assertTrue(m.invariants().isEmpty(), m.invariants().toString());
        }
    }

    @Test
    void onliningAssignsTheIncrementsAndOffliningUnassignsThem() {
        for (KernelVersion v : KernelVersion.values()) {
            S390Machine m = S390Machine.boot("2G,maxmem=4G", v, "memory_hotplug.memmap_on_memory=1", 1);
            long total = meminfoKb(m, "MemTotal");
            assertNull(m.write(MEM + "9/state", "online_movable"), v.name());
            assertEquals("online", block(m, 9, "state"));
            assertEquals("Movable", block(m, 9, "valid_zones"));
            // block 9 = increments 289..320
            assertTrue(m.sclp().accessible(2 * GIB + 256 * MIB, 256 * MIB));
            assertFalse(m.sclp().accessible(2 * GIB, 8 * MIB), "block 8 stays standby");
            assertFalse(m.sclpMemory().isStandby(289));
            assertFalse(m.sclpMemory().isStandby(320));
            // two-stage (6.12): the memmap lives on the block itself (4 MiB of 256 MiB); one-stage: in assigned memory
            long memmapKb = v == KernelVersion.V6_12 ? 4096 : 0;
            assertEquals(total + 256 * 1024 - memmapKb, meminfoKb(m, "MemTotal"), v.name());
            assertNull(m.write(MEM + "9/state", "offline"));
            assertFalse(m.sclp().accessible(2 * GIB + 256 * MIB, 8 * MIB));
            assertTrue(m.sclpMemory().isStandby(289));
            assertEquals(total, meminfoKb(m, "MemTotal"));
            assertTrue(m.invariants().isEmpty(), m.invariants().toString());
        }
    }

    @Test
    void twoStageKeepsTheMemmapOfStandbyMemoryOutOfAssignedMemory() {
        // the memmap of 2 GiB of standby memory: 32 MiB of struct pages
        long plain = meminfoKb(S390Machine.boot("2G", KernelVersion.V6_12, "", 1), "MemFree");
        long oneStage = meminfoKb(S390Machine.boot("2G,maxmem=4G", KernelVersion.V6_12, "memory_hotplug.memmap_on_memory=1",
                SclpMemory.Protocol.ONE_STAGE, false, 1), "MemFree");
        long twoStage = meminfoKb(S390Machine.boot("2G,maxmem=4G", KernelVersion.V6_12, "memory_hotplug.memmap_on_memory=1", 1),
                "MemFree");
        assertEquals(32 * 1024, plain - oneStage, 1024);
        assertEquals(0, plain - twoStage, 1024);
    }

    @Test
    void aMemmapOnStandbyMemoryWithoutTheTwoStageProtocolWritesUnassignedStorage() {
        // seed 002: add_memory() writes a memmap on memory before any notifier could assign it
        InaccessibleMemoryException e = assertThrows(InaccessibleMemoryException.class,
                () -> S390Machine.boot("2G,maxmem=4G", KernelVersion.V6_1, "memory_hotplug.memmap_on_memory=1",
                        SclpMemory.Protocol.ONE_STAGE, true, 1));
        assertTrue(e.getMessage().contains("sparse_add_section() writes [mem 0x80000000-0x803fffff]"), e.getMessage());
        // 6.1 has no MEM_PREPARE_ONLINE to assign the storage before the memmap is initialised
        assertThrows(IllegalArgumentException.class, () -> S390Machine.boot("2G,maxmem=4G", KernelVersion.V6_1, "",
                SclpMemory.Protocol.TWO_STAGE, true, 1));
    }

    @Test
    void aRefusedAssignFailsTheOnlineAndLeavesTheBlockStandby() {
        for (KernelVersion v : KernelVersion.values()) {
            S390Machine m = S390Machine.boot("2G,maxmem=4G", v, "", 1);
            m.sclp().refuseAssign(260, true);
            assertEquals(Errno.EPERM, m.write(MEM + "8/state", "online"), v.name());
            assertTrue(m.dmesg().contains("sclp_cmd: assign storage failed (cmd=0x000d0001, response=0x0340, rn=0x0104)"),
                    m.dmesg().toString());
            assertEquals("offline", block(m, 8, "state"));
            for (int rn = 257; rn <= 288; rn++) {
                if (v == KernelVersion.V6_1) {
                    // one-stage: MEM_CANCEL_ONLINE unassigns the whole block again
                    assertFalse(m.sclp().isAssigned(rn), "rn " + rn);
                    assertTrue(m.sclpMemory().isStandby(rn), "rn " + rn);
                } else {
                    // two-stage: a vetoed MEM_PREPARE_ONLINE gets no MEM_FINISH_OFFLINE, so what was
                    // assigned stays assigned; after the failure (rc accumulated) incr->standby stays set
                    assertEquals(rn != 260, m.sclp().isAssigned(rn), "rn " + rn);
                    assertEquals(rn >= 260, m.sclpMemory().isStandby(rn), "rn " + rn);
                }
            }
            m.sclp().refuseAssign(260, false);
            assertNull(m.write(MEM + "8/state", "online"));
            assertTrue(m.invariants().isEmpty(), m.invariants().toString());
        }
    }

    @Test
    void aBootBlockWithUnalignedStandbyIncrementsIsNeverAddedOrOfflined() {
        for (KernelVersion v : KernelVersion.values()) {
            // 2 GiB + 8 MiB assigned: block 8 is boot memory for its first increment; its other 31
            // standby increments are lost to align_to_block_size()
            S390Machine m = S390Machine.boot("2056M,maxmem=4G", v, "", 1);
            assertTrue(m.dmesg().contains("sclp_cmd: Standby memory at 0x80800000 (1792M of 2040M usable)"), m.dmesg().toString());
            assertEquals("online", block(m, 8, "state"));
            assertEquals("offline", block(m, 9, "state"));
            // offline_pages() refuses the holes before the notifier's standby check could (-EPERM) run
            assertEquals(Errno.EINVAL, m.write(MEM + "8/state", "offline"), v.name());
            assertEquals("online", block(m, 8, "state"));
            assertTrue(m.sclpMemory().isStandby(258));
        }
    }
}
