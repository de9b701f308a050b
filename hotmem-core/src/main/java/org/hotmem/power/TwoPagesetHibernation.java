package org.hotmem.power;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;

/**
 * TuxOnIce's design in seed 001 (Nigel Cunningham): with every task frozen, pageset 2 (the
 * tasks' LRU pages, which nothing touches while they are frozen) is written first straight from
 * its frames; then the atomic copy of pageset 1 (the kernel's pages) goes into those frames,
 * whose content is already on the device, and is written after it. Only the part of pageset 1
 * larger than pageset 2 needs memory of its own. The resume reads pageset 1 back, restores it
 * atomically, then reads pageset 2 into the tasks' pages.
 *
 * <p>Runs in the hibernating task (PF_NOFREEZE, holding the hibernation token and
 * device_hotplug_lock, so the pagesets' pfns stay valid). Guarded by that task.
 */
public final class TwoPagesetHibernation {
    private final Hibernation power;

    public TwoPagesetHibernation(Hibernation power) {
        this.power = power;
    }

    /** Freezes, writes pageset 2, copies pageset 1 into its frames, writes pageset 1; stops at the power-off point. */
    public DesignRun run() {
        Kernel kernel = power.kernel();
        MemoryModel mm = power.mm();
        if (!power.hibernateAcquire()) throw new KernelException(org.hotmem.kernel.Errno.EBUSY);
        power.hotplug().lockDeviceHotplug();
        long t0 = kernel.now();
        List<Long> extra = new ArrayList<>();
        try {
            power.freezer().freezeProcesses();
            power.freezer().freezeKernelThreads();
            Pagesets ps = Pagesets.of(mm);
            ImagePacer pacer = new ImagePacer(kernel, power.costs());
            long[] written2 = Pagesets.tokens(mm, ps.pageset2());
            pacer.write(written2);
            // the atomic copy of pageset 1 into pageset 2's frames, then into free pages
            long[] dest = new long[ps.pageset1().length];
            for (int i = 0; i < dest.length; i++) {
                if (i < ps.pageset2().length) {
                    dest[i] = ps.pageset2()[i];
                } else {
                    long pfn = mm.allocPagesAboveMin(Gfp.KERNEL, 0, PageState.KERNEL_OTHER, 0);
                    if (pfn < 0) {
                        return failed(ps, extra, t0, pacer, "pageset 1 does not fit: " + (dest.length - i) + " pages short (ENOMEM)");
                    }
                    extra.add(pfn);
                    dest[i] = pfn;
                }
                mm.restorePageContent(dest[i], mm.token(ps.pageset1()[i]));
            }
            kernel.consume(power.costs().copyNs((long) dest.length * PageContent.PAGE_SIZE));
            long[] written1 = Pagesets.tokens(mm, dest);
            pacer.write(written1);
            long downtime = kernel.now() - t0;
            Map<Long, Long> image = new LinkedHashMap<>();
            for (int i = 0; i < dest.length; i++) image.put(ps.pageset1()[i], written1[i]);
            for (int i = 0; i < written2.length; i++) image.put(ps.pageset2()[i], written2[i]);
            return new DesignRun("two pagesets", extra.size(), ps.pageset1().length + (long) ps.pageset2().length,
                    pacer.devicePages, downtime, downtime, null, 0, image, ps.contents(), mm.totalPresentPages(), pacer.readNs());
        } finally {
            for (long pfn : extra) mm.freePages(pfn);
            power.hotplug().unlockDeviceHotplug();
            power.hibernateRelease();
        }
    }

    /**
     * The atomic copy ran out of memory after overwriting part of pageset 2's frames: the abort
     * reads pageset 2 back from the device into the tasks' pages before thawing them.
     */
    private DesignRun failed(Pagesets ps, List<Long> extra, long t0, ImagePacer pacer, String why) {
        Kernel kernel = power.kernel();
        kernel.consume(pacer.readNs());
        for (long pfn : ps.pageset2()) power.mm().restorePageContent(pfn, ps.contents().get(pfn));
        power.freezer().thawKernelThreads();
        power.freezer().thawProcesses();
        return new DesignRun("two pagesets", extra.size(), ps.pageset2().length, pacer.devicePages, kernel.now() - t0, kernel.now() - t0, why, 0,
                Map.of(), ps.contents(), power.mm().totalPresentPages(), 0);
    }
}
