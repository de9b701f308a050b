package org.hotmem.power;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;

/**
 * The userspace design of seed 001 (Kyle Moffett): the tasks are frozen only while the kernel's
 * own pages (pageset 1) are copied atomically into preallocated pages and the tasks' LRU pages
 * are write-protected; then the tasks run on while those pages are written. A task's first
 * store to a page not yet written is a write fault that copies the page's snapshot content into
 * a page of a bounded reserve, allocated up front; the writer takes that copy instead. When the
 * reserve is used up the snapshot is lost: the fault cannot keep the old content, so the run
 * aborts with ENOMEM, frees everything and the tasks run on with no image ("COW reserve
 * exhausted"). After the last page the tasks are frozen again for the power-off; whatever they
 * stored after the snapshot point is not in the image (lost when it resumes).
 *
 * <p>Runs in the hibernating task (PF_NOFREEZE, with the hibernation token and
 * device_hotplug_lock); {@link #writeFault} runs in the storing task, before its store.
 * // model: the write protection is the storing task calling writeFault(); no page tables.
 */
public final class CowSnapshot {
    private final Hibernation power;
    private final int reservePages;
    /** While the tasks run on a snapshot: LRU pfns not yet written, and their copies in the reserve. */
    private Map<Long, Long> pending = Map.of();
    private final Map<Long, Long> copies = new HashMap<>();
    private final List<Long> reserve = new ArrayList<>();
    private boolean active;
    private boolean exhausted;
    private long storesAfterSnapshot;

    public CowSnapshot(Hibernation power, int reservePages) {
        if (reservePages < 0) throw new IllegalArgumentException("reserve pages < 0: " + reservePages);
        this.power = power;
        this.reservePages = reservePages;
    }

    /**
     * The write fault of a store to {@code pfn} while the snapshot is being written: the first
     * store to a page not yet written copies its content into the reserve; with the reserve used
     * up the snapshot is lost.
     */
    public void writeFault(long pfn) {
        if (!active) return;
        storesAfterSnapshot++;
        if (!pending.containsKey(pfn) || copies.containsKey(pfn)) return;
        if (copies.size() == reserve.size()) {
            exhausted = true;
            return;
        }
        long copy = reserve.get(copies.size());
        power.mm().restorePageContent(copy, power.mm().token(pfn));
        copies.put(pfn, copy);
    }

    /** Copies pageset 1 with the tasks frozen, writes pageset 2 with them running, then pageset 1; stops at the power-off point. */
    public DesignRun run() {
        Kernel kernel = power.kernel();
        MemoryModel mm = power.mm();
        if (!power.hibernateAcquire()) throw new KernelException(Errno.EBUSY);
        power.hotplug().lockDeviceHotplug();
        List<Long> kernelCopies = new ArrayList<>();
        long t0 = kernel.now();
        Pagesets ps = null;
        try {
            power.freezer().freezeProcesses();
            power.freezer().freezeKernelThreads();
            ps = Pagesets.of(mm);
            if (!allocate(mm, kernelCopies, ps.pageset1().length) || !allocate(mm, reserve, reservePages)) {
                return aborted(ps, kernelCopies, t0, 0, "preallocation: " + (ps.pageset1().length + reservePages)
                        + " pages do not fit (ENOMEM)");
            }
            for (int i = 0; i < kernelCopies.size(); i++) mm.restorePageContent(kernelCopies.get(i), mm.token(ps.pageset1()[i]));
            kernel.consume(power.costs().copyNs((long) kernelCopies.size() * PageContent.PAGE_SIZE));
            Map<Long, Long> notWritten = new HashMap<>();
            for (long pfn : ps.pageset2()) notWritten.put(pfn, pfn);
            pending = notWritten;
            active = true;
            power.freezer().thawKernelThreads();
            power.freezer().thawProcesses();
            long frozen = kernel.now() - t0;

            ImagePacer pacer = new ImagePacer(kernel, power.costs());
            long[] p2 = ps.pageset2();
            long[] written2 = new long[p2.length];
            for (int from = 0; from < p2.length; from += HibernateCompressor.UNC_PAGES) {
                int to = Math.min(p2.length, from + HibernateCompressor.UNC_PAGES);
                for (int i = from; i < to; i++) {
                    Long copy = copies.get(p2[i]);
                    written2[i] = mm.token(copy != null ? copy : p2[i]);
                    pending.remove(p2[i]);
                }
                pacer.writeChunk(written2, from, to);
                if (exhausted) {
                    return aborted(ps, kernelCopies, t0, frozen, "COW reserve exhausted after " + copies.size()
                            + " copies: snapshot aborted (ENOMEM), no image, tasks ran on");
                }
            }
            long[] written1 = Pagesets.tokens(mm, kernelCopies.stream().mapToLong(Long::longValue).toArray());
            pacer.write(written1);
            long t2 = kernel.now();
            active = false;
            power.freezer().freezeProcesses();
            power.freezer().freezeKernelThreads();
            Map<Long, Long> image = new LinkedHashMap<>();
            for (int i = 0; i < written1.length; i++) image.put(ps.pageset1()[i], written1[i]);
            for (int i = 0; i < written2.length; i++) image.put(p2[i], written2[i]);
            return new DesignRun(name(), kernelCopies.size() + (long) reserve.size(), written1.length + (long) written2.length,
                    pacer.devicePages, frozen + kernel.now() - t2, kernel.now() - t0, null, storesAfterSnapshot,
                    image, ps.contents(), mm.totalPresentPages(), pacer.readNs());
        } finally {
            active = false;
            for (long pfn : kernelCopies) mm.freePages(pfn);
            for (long pfn : reserve) mm.freePages(pfn);
            reserve.clear();
            copies.clear();
            power.hotplug().unlockDeviceHotplug();
            power.hibernateRelease();
        }
    }

    /** The design with its reserve, e.g. "COW, 2048-page reserve". */
    private String name() { return "COW, " + reservePages + "-page reserve"; }

    /** Allocates {@code n} pages above the min watermark into {@code into}; false when memory runs out. */
    private static boolean allocate(MemoryModel mm, List<Long> into, int n) {
        for (int i = 0; i < n; i++) {
            long pfn = mm.allocPagesAboveMin(Gfp.KERNEL, 0, PageState.KERNEL_OTHER, 0);
            if (pfn < 0) return false;
            into.add(pfn);
        }
        return true;
    }

    private DesignRun aborted(Pagesets ps, List<Long> kernelCopies, long t0, long frozen, String why) {
        Kernel kernel = power.kernel();
        if (!active) {
            power.freezer().thawKernelThreads();
            power.freezer().thawProcesses();
            frozen = kernel.now() - t0;
        }
        active = false;
        return new DesignRun(name(), kernelCopies.size() + (long) reserve.size(), 0, 0, frozen, kernel.now() - t0,
                why, storesAfterSnapshot, Map.of(), ps.contents(), power.mm().totalPresentPages(), 0);
    }
}
