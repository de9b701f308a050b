package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.hotmem.kernel.Errno;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

class SysfsWritesTest {
    static final long GIB = 1L << 30;

    @Test
    void stateAcceptsOnlyTheFourExactStrings() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_12);
        for (String bad : new String[] {"foo", "", "ONLINE", "Online", "online ", "1"}) {
            assertEquals(Errno.EINVAL, g.state(42, bad), bad);
        }
        assertEquals("offline", g.block(42, "state"));
        assertNull(g.state(42, "online_movable"));
        assertEquals(Errno.EINVAL, g.state(42, "online"));
        assertEquals(Errno.EINVAL, g.state(42, "online_kernel"));
        assertNull(g.state(42, "offline"));
        assertEquals(Errno.EINVAL, g.state(42, "offline"));
    }

    @Test
    void onlineFileTakesKstrtoboolAndRedundantWritesSucceed() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_1);
        String p = "/sys/devices/system/memory/memory42/online";
        for (String on : new String[] {"1", "y", "Y", "yes", "on", "true", "10"}) {
            assertNull(g.write(p, on), on);
            assertEquals("1", g.block(42, "online"));
        }
        for (String off : new String[] {"0", "n", "N", "no", "off", "false"}) {
            assertNull(g.write(p, off), off);
            assertEquals("0", g.block(42, "online"));
        }
        for (String bad : new String[] {"enable", "disable", "o", "2", "-1", ""}) {
            assertEquals(Errno.EINVAL, g.write(p, bad), bad);
        }
    }

    @Test
    void moduleParametersReadAsRecordedAndValidateWrites() {
        TestGuest g = new TestGuest(KernelVersion.V6_12);
        String d = "/sys/module/memory_hotplug/parameters/";
        assertEquals("N", g.read(d + "memmap_on_memory").strip());
        assertEquals("contig-zones", g.read(d + "online_policy").strip());
        assertEquals("301", g.read(d + "auto_movable_ratio").strip());
        assertEquals("Y", g.read(d + "auto_movable_numa_aware").strip());
        assertEquals(Errno.EINVAL, g.write(d + "online_policy", "bogus"));
        assertNull(g.write(d + "online_policy", "auto-movable"));
        assertEquals(Errno.EINVAL, g.write(d + "auto_movable_ratio", "x"));
        assertEquals("Y", new TestGuest(KernelVersion.V6_1, "memory_hotplug.memmap_on_memory=1").read(d + "memmap_on_memory").strip());
    }

    @Test
    void crashHotplugExistsOnlyIn612() {
        assertEquals(true, new TestGuest(KernelVersion.V6_12).fs.lookup("/sys/devices/system/memory/crash_hotplug") != null);
        assertEquals(null, new TestGuest(KernelVersion.V6_1).fs.lookup("/sys/devices/system/memory/crash_hotplug"));
    }

    @Test
    void addMemoryChecksAlignmentOverlapAndRange() {
        TestGuest g = new TestGuest(KernelVersion.V6_1);
        assertEquals(Errno.EINVAL, g.add(5 * GIB + (64L << 20), 128L << 20, 0));
        assertEquals("Block size [0x8000000] unaligned hotplug range: start 0x144000000, size 0x8000000", g.log().get(0));
        assertEquals(Errno.EEXIST, g.add(4 * GIB, 64L << 20, 0));
        assertEquals(Errno.E2BIG, g.add(5 * GIB, 0, 0));
        assertNull(g.add(5 * GIB, 128L << 20, 0));
        assertEquals(Errno.EEXIST, g.add(5 * GIB, 128L << 20, 0));
        assertEquals("offline", g.block(40, "state"));
    }

    @Test
    void removeMemoryFailsWithEbusyWhileABlockIsOnlineAndRemovesWhenOffline() {
        TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_1);
        assertNull(g.state(41, "online_movable"));
        g.log();
        Errno[] e = new Errno[1];
        g.run(() -> {
            try {
                g.hp.removeMemory(5 * GIB, GIB);
            } catch (org.hotmem.kernel.KernelException x) {
                e[0] = x.errno();
            }
        });
        assertEquals(Errno.EBUSY, e[0]);
        assertEquals("removing memory fails, because memory [0x0000000148000000-0x000000014fffffff] is onlined", g.log().get(0));
        g.run(() -> g.hp.offlineAndRemoveMemory(5 * GIB, GIB));
        assertNull(g.fs.lookup("/sys/devices/system/memory/memory41"));
        assertEquals("Offlined Pages 32768", g.log().get(0));
        assertEquals(0, g.zone(org.hotmem.mm.ZoneType.MOVABLE).spannedPages());
        assertNull(g.add(5 * GIB, GIB, 0));
        assertEquals("offline", g.block(41, "state"));
    }

    /** Found by HotplugPropertyTest seeds 1005, 1014, 1032 and 5661: the store used to online the removed block's sections. */
    @Test
    void storeToABlockRemovedWhileItWaitsForDeviceHotplugLockFailsWithEnodev() {
        for (String file : new String[] {"state", "online"}) {
            TestGuest g = ZoneSpansTest.twoDimms(KernelVersion.V6_12);
            org.hotmem.kernel.fs.KFile f = g.fs.lookupFile("/sys/devices/system/memory/memory40/" + file);
            Errno[] result = {Errno.EPERM};
            g.kernel.spawn("driver", 0, () -> {
                g.hp.lockDeviceHotplug();
                g.kernel.msleep(20); // the shell's write finds the lock taken and restarts
                g.hp.removeMemoryLocked(5 * GIB, GIB);
                g.hp.unlockDeviceHotplug();
            });
            g.kernel.runFor(1_000_000L);
            g.kernel.spawn("sh", 0, () -> {
                try {
                    f.write("online_movable\n");
                    result[0] = null;
                } catch (org.hotmem.kernel.KernelException e) {
                    result[0] = e.errno();
                }
            });
            assertEquals(java.util.Optional.empty(), g.kernel.runUntilIdle());
            assertEquals(Errno.ENODEV, result[0], file);
            assertNull(g.hp.block(40));
            assertEquals(0, g.zone(org.hotmem.mm.ZoneType.MOVABLE).presentPages());
            assertEquals(java.util.List.of(), g.invariants());
        }
    }
}
