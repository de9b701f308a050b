package org.hotmem.drivers;

import java.util.Arrays;
import java.util.List;
import org.hotmem.kernel.KernelBug;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.MemoryModel;

/**
 * A balloon's page list as mm/balloon_compaction.c keeps it (struct balloon_dev_info):
 * balloon_page_alloc() takes a movable page (GFP_HIGHUSER_MOVABLE | __GFP_NORETRY: no OOM,
 * ZONE_MOVABLE first), balloon_page_enqueue() puts it at the head of {@code pages} and counts
 * BALLOON_INFLATE, balloon_page_dequeue() takes the newest and counts BALLOON_DEFLATE. Balloon
 * pages are PageOffline pages of a movable owner, so offlining migrates them; the owner's
 * migratepage callback does the driver's bookkeeping.
 *
 * <p>balloon_page_dequeue() on an empty list with no page isolated for migration is a
 * {@code BUG()} (mm/balloon_compaction.c:191 in 6.1): thrown as a {@link KernelBug}.
 * // model: migration moves a page in one step, so isolated_pages is 0 whenever a task runs.
 *
 * <p>Invariant: {@code slots[0..count)} are the owner slots of the enqueued pages, oldest
 * first. Guarded by {@code pages_lock}, which every caller takes through these methods (one
 * task runs at a time, and no method sleeps).
 */
public final class BalloonDevInfo {
    static final String BUG_WHERE = "mm/balloon_compaction.c:191";

    private final MemoryModel mm;
    private final AddressSpace pages;
    private int[] slots = new int[1024];
    private int count;
    private long nextToken = 0xc3300000_00000000L;

    /** Models balloon_devinfo_init(): {@code name} names the owner of the pages. */
    public BalloonDevInfo(MemoryModel mm, String name) {
        this.mm = mm;
        this.pages = mm.newAddressSpace(name, Gfp.MOVABLE_ANON);
        pages.setPageOffline();
    }

    /** The owner of the balloon's pages (its migratepage callback is the driver's). */
    public AddressSpace pages() {
        return pages;
    }

    /** Models balloon_page_alloc(): the new page's slot, or -1 when no page is free (__GFP_NORETRY). */
    public int alloc() {
        try {
            return pages.add(nextToken++);
        } catch (KernelException e) {
            return -1;
        }
    }

    /** Models balloon_page_enqueue(). */
    public void enqueue(int slot) {
        if (count == slots.length) {
            slots = Arrays.copyOf(slots, count * 2);
        }
        slots[count++] = slot;
        mm.vmCounters().balloonInflate(1);
    }

    /**
     * Models balloon_page_dequeue(): the newest page's slot (still allocated: the caller frees
     * it), or a BUG when the list is empty.
     */
    public int dequeue() {
        if (count == 0) {
            throw new KernelBug(BUG_WHERE, List.of("balloon_page_dequeue+0xcc/0xe0", "cmm_free_pages+0xac/0x160 [cmm]",
                    "cmm_oom_notify+0x5c/0xf0 [cmm]", "blocking_notifier_call_chain+0x98/0xf0", "out_of_memory+0x2c4/0x750",
                    "__alloc_pages+0xd34/0x1240"));
        }
        mm.vmCounters().balloonDeflate(1);
        return slots[--count];
    }

    /** Pages in the balloon. */
    public int size() {
        return count;
    }

    /** The pfn of the i-th enqueued page (oldest first). */
    public long pfn(int i) {
        return pages.pfn(slots[i]);
    }
}
