package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.ZoneType;
import org.hotmem.power.SwapArea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's historical bug, one hand-written schedule per case.
 * <ul>
 * <li>Hot-add: a DIMM is plugged while hibernation is between freezing user space and the atomic
 *     copy, its memory is onlined movable by the (non-freezable) ACPI hotplug worker, and a page
 *     is allocated in it. Without the hotplug exclusion (before the 2013 rework) the copy walks
 *     the zones as the bitmaps saw them, misses the new memory, and the image resumes with that
 *     page's content lost. With the exclusion the hot-add waits for device_hotplug_lock until
 *     hibernation is over.
 * <li>Hot-remove: an online DIMM is unplugged between the copy loop's marking pass and its
 *     copying pass. Without the exclusion the ACPI worker offlines and removes it there, so
 *     saved pfns are invalid when the copy reads them: the page fault on the unmapped direct map
 *     that Linux would have, no image, and a fresh boot. With the exclusion the remove waits, the
 *     image is complete and resumes with every token.
 * </ul>
 */
class HibernationHotplugExclusionTest {
    @TempDir Path dir;

    static final String MEM = "memhp_default_state=online_movable resume=/dev/vda";

    record Outcome(Machine image, AddressSpace as, int slot, boolean hotAddedBeforeCopy, long missed) {}

    Outcome hibernateWithRacingHotAdd(boolean exclusion, HostState host, Path disk) {
        SwapArea.createImage(disk, 256L << 20);
        String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
        Machine m = Machine.boot(new MachineConfig("1G,slots=4,maxmem=4G", MEM, List.of(drive), KernelVersion.V6_12, 21), host);
        m.power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        m.power().setHotplugExclusion(exclusion);
        AddressSpace as = m.mm().newAddressSpace("driver", Gfp.MOVABLE_ANON);
        int[] slot = {-1};
        boolean[] movableBeforeCopy = {false};
        m.power().setBeforeCopy(() -> {
            MachineTest.addDimm(m, "1", 256L << 20); // the host plugs a DIMM now
            m.kernel().msleep(3_000);                  // the ACPI hotplug worker runs (or waits for the lock)
            movableBeforeCopy[0] = m.mm().node(0).zone(ZoneType.MOVABLE).populated();
            slot[0] = as.add(0x5eed_0000_0000_0001L); // a kernel-side user of the newest memory
        });
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        assertTrue(m.poweredOff());
        return new Outcome(m, as, slot[0], movableBeforeCopy[0], m.power().lastReport().missedHotAdded());
    }

    static MachineConfig restartWithDimm(Path disk) {
        String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
        return new MachineConfig("1G,slots=4,maxmem=4G", MEM, List.of(drive, "-object memory-backend-ram,id=mem1,size=268435456",
                "-device pc-dimm,id=dimm1,memdev=mem1"), KernelVersion.V6_12, 22);
    }

    @Test
    void withoutTheExclusionAHotAddDuringTheCopyWindowIsMissedAndThePageIsLostAfterResume() {
        HostState host = new HostState();
        Path disk = dir.resolve("hist.img");
        Outcome o = hibernateWithRacingHotAdd(false, host, disk);
        assertTrue(o.hotAddedBeforeCopy(), "without device_hotplug_lock the hot-add completes inside the window");
        assertTrue(o.missed() > 0, "the copy missed the hot-added memory");
        Machine resumed = Machine.boot(restartWithDimm(disk), host);
        assertSame(o.image(), resumed, "the image resumes: nothing in it says memory is missing");
        assertEquals(MemoryModel.LOST_CONTENT, o.as().read(o.slot()), "the page in the hot-added memory lost its content");
    }

    @Test
    void withTheExclusionTheHotAddWaitsUntilHibernationIsOverAndNothingIsLost() {
        HostState host = new HostState();
        Path disk = dir.resolve("fixed.img");
        Outcome o = hibernateWithRacingHotAdd(true, host, disk);
        assertFalse(o.hotAddedBeforeCopy(), "the hot-add waits for device_hotplug_lock");
        assertEquals(0, o.missed());
        String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
        // the DIMM was plugged on the host, so QEMU is restarted with it; the image does not have it online
        Machine resumed = Machine.boot(new MachineConfig("1G,slots=4,maxmem=4G", MEM, List.of(drive), KernelVersion.V6_12, 22), host);
        assertSame(o.image(), resumed);
        assertEquals(0x5eed_0000_0000_0001L, o.as().read(o.slot()));
        resumed.runFor(5_000_000_000L);
        assertTrue(resumed.mm().node(0).zone(ZoneType.MOVABLE).populated(), "the waiting hot-add completes after the resume");
    }

    record RemoveOutcome(Machine m, AddressSpace as, int slot, boolean removedInCopy) {}

    /** A 256 MiB DIMM onlined movable holds a page; hibernation with the host's device_del inside the copy loop. */
    RemoveOutcome hibernateWithRacingHotRemove(boolean exclusion, HostState host, Path disk) {
        SwapArea.createImage(disk, 256L << 20);
        String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
        Machine m = Machine.boot(new MachineConfig("1G,slots=4,maxmem=4G", MEM, List.of(drive), KernelVersion.V6_12, 23), host);
        m.power().mkswap("/dev/vda");
        m.power().swapon("/dev/vda");
        m.power().setHotplugExclusion(exclusion);
        MachineTest.addDimm(m, "1", 256L << 20);
        m.runFor(5_000_000_000L); // memhp_default_state=online_movable: the DIMM's two blocks come online
        assertTrue(m.mm().node(0).zone(ZoneType.MOVABLE).populated());
        AddressSpace as = m.mm().newAddressSpace("app", Gfp.MOVABLE_ANON);
        int slot = as.add(0x5eed_0000_0000_0002L);
        assertTrue(m.mm().zoneOf(as.pfn(slot)).type() == ZoneType.MOVABLE, "the page lives in the DIMM");
        boolean[] removed = {false};
        m.power().setDuringCopy(() -> {
            MachineTest.qmp(m, "device_del", "{\"id\":\"dimm1\"}"); // the host unplugs the DIMM now
            m.kernel().msleep(5_000);                                  // the ACPI hotplug worker runs (or waits for the lock)
            removed[0] = !m.mm().node(0).zone(ZoneType.MOVABLE).populated();
        });
        assertNull(HibernationRoundTripTest.write(m, "/sys/power/state", "disk"));
        return new RemoveOutcome(m, as, slot, removed[0]);
    }

    @Test
    void withoutTheExclusionAHotRemoveInsideTheCopyLoopLeavesSavedPfnsInvalidAndTheCopyFaults() {
        HostState host = new HostState();
        Path disk = dir.resolve("hist-remove.img");
        RemoveOutcome o = hibernateWithRacingHotRemove(false, host, disk);
        assertTrue(o.removedInCopy(), "without device_hotplug_lock the remove completes inside the copy loop");
        List<String> log = MachineTest.strip(o.m().kernel().dmesg().lines());
        assertTrue(log.contains("BUG: unable to handle page fault for address: ffff888100000000"), log.toString());
        assertTrue(log.contains("#PF: error_code(0x0000) - not-present page"));
        assertFalse(log.contains("PM: Image saving done"), "the machine hung in the copy: no image");
        assertTrue(o.m().poweredOff(), "nothing runs after the oops");
        String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
        Machine next = Machine.boot(new MachineConfig("1G,slots=4,maxmem=4G", MEM, List.of(drive), KernelVersion.V6_12, 24), host);
        assertNotSame(o.m(), next, "no image on the disk: a fresh boot");
        assertTrue(MachineTest.strip(next.drainKernelLog()).contains("PM: Image not found (code -22)"));
    }

    @Test
    void withTheExclusionTheHotRemoveWaitsAndTheImageResumesWithEveryToken() {
        HostState host = new HostState();
        Path disk = dir.resolve("fixed-remove.img");
        RemoveOutcome o = hibernateWithRacingHotRemove(true, host, disk);
        assertFalse(o.removedInCopy(), "the remove waits for device_hotplug_lock");
        assertTrue(o.m().poweredOff());
        assertTrue(MachineTest.strip(o.m().kernel().dmesg().lines()).contains("PM: Image saving done"));
        // QEMU exited with the unplug still pending; it starts again with the DIMM on its command line
        Machine resumed = Machine.boot(restartWithDimm(disk), host);
        assertSame(o.m(), resumed, "the image holds the DIMM's memory, which is there again");
        assertEquals(0x5eed_0000_0000_0002L, o.as().read(o.slot()));
    }
}
