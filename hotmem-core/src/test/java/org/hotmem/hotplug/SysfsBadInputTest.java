package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hotmem.kernel.Errno;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/** Malformed writes to the memory hotplug attributes get Linux's errno and change nothing. */
class SysfsBadInputTest {
    private static final String P = "/sys/module/memory_hotplug/parameters/";
    private static final String M = "/sys/devices/system/memory/";

    @Test
    void autoMovableRatioIsParamSetUint() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        assertNull(g.write(P + "auto_movable_ratio", "+5"));
        assertEquals("5", g.read(P + "auto_movable_ratio").strip());
        assertEquals(Errno.ERANGE, g.write(P + "auto_movable_ratio", "123456789012345"));
        assertEquals(Errno.ERANGE, g.write(P + "auto_movable_ratio", "99999999999999999999999junk"));
        assertEquals(Errno.EINVAL, g.write(P + "auto_movable_ratio", "-1"));
        assertEquals(Errno.EINVAL, g.write(P + "auto_movable_ratio", " 7"));
        assertEquals("5", g.read(P + "auto_movable_ratio").strip());
        assertNull(g.write(P + "auto_movable_ratio", "0x12c"));
        assertEquals("300", g.read(P + "auto_movable_ratio").strip());
    }

    @Test
    void ueventTakesOnlyLinuxActionsAndLogsTheRefusal() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        for (String ok : new String[] {"add", "change", "online", "remove", "change 0a1b2c3d-0000-4000-8000-00000000abcd A=1 B=c"}) {
            assertNull(g.write(M + "memory1/uevent", ok), ok);
        }
        assertEquals(Errno.EINVAL, g.write(M + "memory1/uevent", "bogus"));
        assertTrue(g.log().contains("synth uevent: /devices/system/memory/memory1: unknown uevent action string"));
        assertEquals(Errno.EINVAL, g.write(M + "memory1/uevent", "add not-a-uuid"));
        assertEquals(Errno.EINVAL, g.write(M + "memory1/uevent", "add 0a1b2c3d-0000-4000-8000-00000000abcd A"));
        assertEquals(Errno.EINVAL, g.write(M + "uevent", ""));
        assertEquals(Errno.EINVAL, g.write(M + "uevent", "Add"));
        assertNull(g.write(M + "uevent", "add"));
    }

    @Test
    void aWriteLongerThanAPageReachesTheStoreInPageSizedPieces() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        // the first 4096 bytes are a valid ratio padded with NULs; the rest is a second write(2) of garbage
        String text = "42" + "\0".repeat(4094) + "x";
        assertEquals(Errno.EINVAL, g.writeRaw(P + "auto_movable_ratio", text));
        assertEquals("42", g.read(P + "auto_movable_ratio").strip());
        assertEquals(Errno.EINVAL, g.writeRaw(M + "memory1/state", "offline" + " ".repeat(5000)));
        assertEquals("online", g.block(1, "state"));
    }

    @Test
    void theKernelParametersFromTheCommandLineUseTheSameSetFunctions() {
        HotplugParams p = HotplugParams.fromCmdline("memory_hotplug.auto_movable_ratio=+0x10 memory_hotplug.online_policy=bogus "
                + "memory_hotplug.memmap_on_memory=force memhp_default_state=nonsense", KernelVersion.V6_1);
        assertEquals(16, p.autoMovableRatio());
        assertEquals(HotplugParams.OnlinePolicy.CONTIG_ZONES, p.onlinePolicy());
        assertEquals(HotplugParams.MemmapOnMemory.N, p.memmapOnMemory(), "6.1's memmap_on_memory is a bool");
        assertEquals(OnlineType.OFFLINE, p.defaultOnlineType());
        assertEquals(HotplugParams.MemmapOnMemory.FORCE,
                HotplugParams.fromCmdline("memory_hotplug.memmap_on_memory=force", KernelVersion.V6_12).memmapOnMemory());
    }
}
