package org.hotmem.hotplug;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.KernelStrings;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.PageState;

/**
 * The hard_offline_page / soft_offline_page attributes (memory_failure(MF_SW_SIMULATED) and
 * soft_offline_page() in mm/memory-failure.c), for the pages hotmem models: a free page is
 * taken off the buddy and marked PG_hwpoison; a soft-offlined LRU page is migrated first; a
 * soft-offlined kernel or reserved page is "unhandlable" (EIO); a hard offline outside the online
 * memory is "memory outside kernel control" (ENXIO), with memory_failure()'s messages.
 * model: hard-offlining an in-use page (which would unmap and kill its users) is refused with EBUSY.
 * Each poisoned page bumps its block's nr_hwpoison, so a later online fails with EHWPOISON.
 */
final class PoisonPage {
    private final MemoryHotplug hp;

    PoisonPage(MemoryHotplug hp) {
        this.hp = hp;
    }

    /** The stores' kstrtoull(buf, 0): any failure, ERANGE included, is EINVAL. */
    private static long parseAddr(String buf) {
        try {
            return KernelStrings.kstrtoull(buf, 0);
        } catch (KernelException e) {
            throw new KernelException(Errno.EINVAL);
        }
    }

    void hardOffline(String buf) {
        poison(parseAddr(buf) >>> hp.mm.arch().pageShift(), false);
    }

    void softOffline(String buf) {
        poison(parseAddr(buf) >>> hp.mm.arch().pageShift(), true);
    }

    private void poison(long pfn, boolean soft) {
        MemoryModel mm = hp.mm;
        if (!mm.pfnValid(pfn) || !mm.pfnOnline(pfn)) {
            if (soft) { // soft_offline_page(): -ENXIO for an invalid pfn, -EIO for one not online, silently
                throw new KernelException(mm.pfnValid(pfn) ? Errno.EIO : Errno.ENXIO);
            }
            hp.log.err(String.format("Memory failure: %#x: memory outside kernel control", pfn));
            throw new KernelException(Errno.ENXIO);
        }
        hp.getOnlineMems();
        try {
            if ((mm.info(pfn) & PageState.HWPOISON) != 0) {
                if (soft) {
                    return;
                }
                throw new KernelException(Errno.EHWPOISON);
            }
            int kind = mm.kind(pfn);
            if (soft && kind != PageState.LRU && kind != PageState.BUDDY && kind != PageState.FREE_TAIL) {
                // get_any_page(): neither free nor on the LRU, !HWPoisonHandlable()
                hp.log.err(String.format("Memory failure: %#x: unhandlable page.", pfn));
                throw new KernelException(Errno.EIO);
            }
            if (kind == PageState.LRU && soft) {
                if (mm.migratePage(pfn) != 0) {
                    throw new KernelException(Errno.EBUSY);
                }
                kind = mm.kind(pfn);
            }
            if (kind != PageState.BUDDY && kind != PageState.FREE_TAIL) {
                throw new KernelException(Errno.EBUSY);
            }
            mm.poisonFreePage(pfn);
            MemoryBlock b = hp.block((int) (pfn / hp.mm.arch().pagesPerBlock()));
            if (b != null) {
                b.nrHwpoison++;
            }
        } finally {
            hp.putOnlineMems();
        }
    }
}
