package org.hotmem.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hotmem.hotplug.HotplugParams;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.Memremap;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.BootE820;
import org.hotmem.mm.DevPagemap;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MemoryType;
import org.hotmem.mm.MmBootOptions;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneType;
import org.junit.jupiter.api.Test;

/**
 * Hibernation's saveable-page walk (count_data_pages() → saveable_page()) meets the pmem
 * range of memmap=512M!4G inside ZONE_NORMAL's span once the pmem driver mapped it with
 * memremap_pages(): the pages have a memmap (pfn_valid) but pfn_to_online_page() is NULL, so
 * none of them is saved; only their memmap, which lives in RAM, is.
 */
class SaveableSkipsDeviceMemoryTest {
    @Test
    void devicePagesInsideANormalSpanAreNotSaveable() {
        Kernel kernel = Kernel.withSeed(7);
        Kernfs fs = new Kernfs();
        String cmdline = "memmap=512M!4G";
        MemoryModel mm = MemoryModel.boot(BootE820.pc4G(), MmBootOptions.fromCmdline(cmdline), KernelVersion.V6_12, kernel, fs);
        MemoryHotplug hp = new MemoryHotplug(mm, fs, HotplugParams.fromCmdline(cmdline, KernelVersion.V6_12));
        Memremap mr = new Memremap(hp);
        long before = new Snapshot(mm).countDataPages();
        long memmapBefore = mm.hotplugMemmapPages();

        long start = 4L << 30;
        boolean[] done = new boolean[1];
        kernel.spawn("nd_pmem", 0, () -> {
            mr.memremapPages(DevPagemap.of(MemoryType.MEMORY_DEVICE_FS_DAX, start, 512L << 20), 0);
            done[0] = true;
        });
        kernel.runUntil(() -> done[0]);

        long pfn = start >>> org.hotmem.mm.Arch.X86_64.pageShift();
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        assertTrue(normal.populated() && normal.startPfn() <= pfn && pfn < normal.endPfn(), "the walk over Normal visits the pmem pfns");
        assertTrue(mm.pfnValid(pfn));
        assertFalse(mm.pfnOnline(pfn));
        assertFalse(mm.node(0).zone(ZoneType.DEVICE).populated(), "the Device zone has no present pages: no walk of its own");
        long memmap = mm.hotplugMemmapPages() - memmapBefore;
        assertEquals(4 * 512, memmap, "the memmap of 4 sections, allocated from RAM (no altmap)");
        assertEquals(before + memmap, new Snapshot(mm).countDataPages(), "only the memmap (kernel pages in RAM) is new");
    }
}
