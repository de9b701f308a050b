package org.hotmem.power;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;
import org.hotmem.mm.Zone;

/**
 * The hibernation snapshot of one machine's memory (kernel/power/snapshot.c): the basic memory
 * bitmaps over the populated zones, the preallocation of copy pages, the atomic copy of every
 * saveable page, and the image stream it hands to the writer (header page, meta pages with the
 * pfn list, data pages).
 *
 * <p>Invariants: {@code extents} are the populated zones' spans when the basic bitmaps were
 * created; every pfn the copy looks up must lie inside one (else the run fails as the kernel's
 * BUG() in memory_bm_set_bit() would); {@code forbidden} holds exactly the pages this snapshot
 * allocated for itself (forbidden + free bits in Linux), which {@link #free()} gives back. After
 * {@link #copy}, {@code pfns[i]} ascend and {@code tokens[i]} is pfn i's content at the copy;
 * {@code zero[i]} marks the all-zero pages 6.12 leaves out of the data pages. Guarded by the
 * hibernation task: everything else is frozen, and the copy runs with nothing else scheduled.
 */
final class Snapshot {
    /** PAGES_FOR_IO: 4 MiB kept free for I/O while writing. */
    static final long PAGES_FOR_IO = 1024;
    /** BM_END_OF_MAP. */
    static final long END_OF_MAP = -1L;
    /** ENCODED_PFN_ZERO_FLAG (6.6+): bit 63 of a meta entry marks an all-zero page. */
    static final long PFN_ZERO_FLAG = 1L << 63;
    private static final int BM_BITS_PER_BLOCK = PageContent.PAGE_SIZE * 8;
    static final int ENTRIES_PER_META_PAGE = PageContent.PAGE_SIZE / 8;

    private final MemoryModel mm;
    private final Kernel kernel;
    private final boolean zeroPages;
    /** The populated zones' [start, end) pfn spans at create_basic_memory_bitmaps(). */
    private final List<long[]> extents = new ArrayList<>();
    /** Pages allocated for the image (copies); never saved. */
    private final BitSet forbidden = new BitSet();
    private final List<Long> copyPages = new ArrayList<>();
    long[] pfns = new long[0];
    long[] tokens = new long[0];
    BitSet zero = new BitSet();
    int nrCopyPages;
    int nrZeroPages;
    /** Pages skipped by cause at the last copy: free, offline (not online / other zone), PageOffline, nosave. */
    long skippedFree;
    long skippedOffline;
    long skippedPageOffline;
    long skippedNosave;
    /** History mode: saveable pages of memory hot-added after the bitmaps, which the copy missed. */
    long missedHotAdded;

    /** A snapshot that was already taken: these pfns with these tokens (tools and benchmarks). */
    static Snapshot of(long[] pfns, long[] tokens, boolean zeroPages) {
        Snapshot s = new Snapshot(zeroPages);
        s.pfns = pfns.clone();
        s.tokens = tokens.clone();
        if (zeroPages) for (int i = 0; i < tokens.length; i++) if (tokens[i] == 0) s.zero.set(i);
        s.nrZeroPages = s.zero.cardinality();
        s.nrCopyPages = pfns.length - s.nrZeroPages;
        return s;
    }

    private Snapshot(boolean zeroPages) {
        this.mm = null;
        this.kernel = null;
        this.zeroPages = zeroPages;
    }

    /** Models create_basic_memory_bitmaps(): the bitmaps cover the populated zones as they are now. */
    Snapshot(MemoryModel mm) {
        this.mm = mm;
        this.kernel = mm.kernel();
        this.zeroPages = mm.version().has(KernelFeature.HIBERNATE_ZERO_PAGES);
        for (Zone z : populatedZones()) extents.add(new long[] {z.startPfn(), z.endPfn()});
    }

    private List<Zone> populatedZones() {
        List<Zone> out = new ArrayList<>();
        for (int n = 0; n < mm.nrNodes(); n++) {
            for (Zone z : mm.node(n).zones()) {
                if (z.populated()) out.add(z);
            }
        }
        return out;
    }

    /** memory_bm_pfn_present(). */
    boolean covered(long pfn) {
        for (long[] e : extents) if (pfn >= e[0] && pfn < e[1]) return true;
        return false;
    }

    /** Models saveable_page(): whether pfn of zone z goes into the image; counts the reason when not. */
    private boolean saveable(Zone z, long pfn, boolean count) {
        if (!mm.pfnValid(pfn) || !mm.pfnOnline(pfn) || mm.zoneIndexOf(pfn) != z.type().ordinal() || mm.zoneOf(pfn) != z) {
            if (count) skippedOffline++;
            return false;
        }
        int kind = mm.kind(pfn);
        if (forbidden.get((int) pfn) || kind == PageState.BUDDY || kind == PageState.FREE_TAIL) {
            if (count) skippedFree++;
            return false;
        }
        if (mm.pageOffline(pfn)) {
            if (count) skippedPageOffline++;
            return false;
        }
        if (kind == PageState.RESERVED && !directMapped(pfn)) {
            if (count) skippedNosave++;
            return false;
        }
        return true;
    }

    /**
     * kernel_page_present() for a PageReserved page: x86 maps only System RAM in the direct map.
     * // model: reserved pages outside boot RAM (holes) are unmapped; every hot-added page is RAM.
     */
    private boolean directMapped(long pfn) {
        long addr = pfn * mm.arch().pageSize();
        List<long[]> ram = mm.bootRam();
        for (long[] r : ram) if (addr >= r[0] && addr < r[1]) return true;
        return addr >= ram.get(ram.size() - 1)[1];
    }

    /** Models count_data_pages(). */
    long countDataPages() {
        long n = 0;
        for (Zone z : populatedZones()) {
            for (long pfn = z.startPfn(); pfn < z.endPfn(); pfn++) {
                if (saveable(z, pfn, false)) n++;
            }
        }
        return n;
    }

    /** Every saveable pfn now, in zone order (the designs of seed 001 split them into pagesets). */
    void forEachSaveable(java.util.function.LongConsumer action) {
        for (Zone z : populatedZones()) {
            for (long pfn = z.startPfn(); pfn < z.endPfn(); pfn++) {
                if (saveable(z, pfn, false)) action.accept(pfn);
            }
        }
    }

    /** Models snapshot_additional_pages() summed over the populated zones (bitmap overhead, doubled). */
    private long metaEstimate() {
        long total = 0;
        for (Zone z : populatedZones()) {
            long nodes = (z.spannedPages() + BM_BITS_PER_BLOCK - 1) / BM_BITS_PER_BLOCK;
            long rtree = nodes + (nodes * 16 + PageContent.PAGE_SIZE - 1) / PageContent.PAGE_SIZE;
            while (nodes > 1) {
                nodes = (nodes + 511) / 512;
                rtree += nodes;
            }
            total += 2 * rtree;
        }
        return total;
    }

    /**
     * Models hibernate_preallocate_memory(): allocates one copy page per saveable page when the
     * image fits in {@code imageSize} bytes and in half of the usable memory; the pages are
     * forbidden for the snapshot. Returns the number of pages allocated.
     * // model: shrink_all_memory() reclaims nothing (hotmem has no page reclaim), so an image
     * // larger than max_size fails here where Linux would first swap anonymous pages out.
     *
     * @throws KernelException ENOMEM after "Image allocation is N pages short"
     */
    long preallocate(long imageSize, long reservedSize) {
        long saveable = countDataPages();
        long free = 0;
        for (Zone z : populatedZones()) free += z.freePages();
        long count = saveable + free - mm.totalreservePages();
        long maxSize = (count - (metaEstimate() + PAGES_FOR_IO)) / 2
                - 2 * ((reservedSize + PageContent.PAGE_SIZE - 1) / PageContent.PAGE_SIZE);
        long want = saveable;
        if (want > maxSize) {
            kernel.dmesg().err("PM: hibernation: Image allocation is " + (want - Math.max(0, maxSize)) + " pages short");
            throw new KernelException(Errno.ENOMEM);
        }
        for (long i = 0; i < want; i++) {
            long pfn = mm.allocPagesAboveMin(Gfp.KERNEL, 0, PageState.KERNEL_OTHER, 0);
            if (pfn < 0) {
                kernel.dmesg().err("PM: hibernation: Image allocation is " + (want - i) + " pages short");
                free();
                throw new KernelException(Errno.ENOMEM);
            }
            forbidden.set((int) pfn);
            copyPages.add(pfn);
        }
        return want;
    }

    /**
     * Models swsusp_save() / copy_data_pages(): the marking pass sets a bit for every saveable
     * pfn (orig_bm), then the copying pass reads each marked page (its token), in ascending pfn
     * order, and marks the all-zero ones (6.12).
     *
     * @param staticZones the pre-2013 behaviour (no hotplug exclusion): the copy walks the zone
     *        spans as they were when the bitmaps were made, so memory hot-added since is missed;
     *        otherwise a zone reaching outside the bitmaps is the kernel's BUG()
     * @param betweenPasses runs between the two passes (tests: what only a missing exclusion lets
     *        happen there, e.g. a hot-remove)
     * @throws CopyFault when a marked page is gone by the copying pass (its memory was removed):
     *        the copy reads an unmapped direct-map address
     */
    void copy(boolean staticZones, Runnable betweenPasses) {
        skippedFree = skippedOffline = skippedPageOffline = skippedNosave = missedHotAdded = 0;
        List<Zone> zones = populatedZones();
        long n = 0;
        for (Zone z : zones) {
            if (!staticZones && (!covered(z.startPfn()) || !covered(z.endPfn() - 1))) {
                throw new IllegalStateException("BUG: memory_bm_set_bit(): pfn 0x" + Long.toHexString(z.endPfn() - 1)
                        + " of zone " + z.name() + " is outside the hibernation bitmaps (memory hot-added after"
                        + " create_basic_memory_bitmaps())");
            }
            for (long pfn = z.startPfn(); pfn < z.endPfn(); pfn++) if (covered(pfn) && saveable(z, pfn, false)) n++;
        }
        if (n > Integer.MAX_VALUE - 8) throw new KernelException(Errno.ENOMEM);
        pfns = new long[(int) n];
        tokens = new long[(int) n];
        zero = new BitSet();
        int i = 0;
        for (Zone z : zones) {
            for (long pfn = z.startPfn(); pfn < z.endPfn(); pfn++) {
                if (!covered(pfn)) {
                    if (saveable(z, pfn, false)) missedHotAdded++;
                    continue;
                }
                if (saveable(z, pfn, true)) pfns[i++] = pfn;
            }
        }
        if (betweenPasses != null) betweenPasses.run();
        for (i = 0; i < pfns.length; i++) {
            if (!mm.pfnValid(pfns[i])) throw new CopyFault(pfns[i]);
            tokens[i] = mm.token(pfns[i]);
            if (zeroPages && tokens[i] == 0) zero.set(i);
        }
        sortByPfn();
        nrZeroPages = zero.cardinality();
        nrCopyPages = pfns.length - nrZeroPages;
    }

    /** Zones are walked in zone order; the bitmap hands pfns out in ascending order. */
    private void sortByPfn() {
        for (int i = 1; i < pfns.length; i++) {
            if (pfns[i - 1] > pfns[i]) {
                Integer[] idx = new Integer[pfns.length];
                for (int k = 0; k < idx.length; k++) idx[k] = k;
                java.util.Arrays.sort(idx, (a, b) -> Long.compare(pfns[a], pfns[b]));
                long[] p = new long[pfns.length];
                long[] t = new long[pfns.length];
                BitSet zz = new BitSet();
                for (int k = 0; k < idx.length; k++) {
                    p[k] = pfns[idx[k]];
                    t[k] = tokens[idx[k]];
                    if (zero.get(idx[k])) zz.set(k);
                }
                pfns = p;
                tokens = t;
                zero = zz;
                return;
            }
        }
    }

    /** The copying pass found a marked page whose memory is gone (do_copy_page() faults on its direct-map address). */
    static final class CopyFault extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long pfn;

        CopyFault(long pfn) {
            super("copy of removed pfn 0x" + Long.toHexString(pfn));
            this.pfn = pfn;
        }
    }

    /** Pages preallocated for the copies. */
    long preallocatedPages() { return copyPages.size(); }

    /** nr_meta_pages: one 8-byte entry per saved pfn. */
    int nrMetaPages() {
        return (int) (((long) pfns.length * 8 + PageContent.PAGE_SIZE - 1) / PageContent.PAGE_SIZE);
    }

    /** snapshot_get_image_size(): data + meta + header pages. */
    long imagePages() {
        return nrCopyPages + nrMetaPages() + 1L;
    }

    /** Models swsusp_free(): gives back every page allocated for the image. */
    /** The content the copy saved for pfn, or -1 when the image does not hold pfn. */
    long savedToken(long pfn) {
        int i = java.util.Arrays.binarySearch(pfns, pfn);
        return i >= 0 ? tokens[i] : -1;
    }

    void free() {
        for (long pfn : copyPages) mm.freePages(pfn);
        copyPages.clear();
        forbidden.clear();
    }
}
