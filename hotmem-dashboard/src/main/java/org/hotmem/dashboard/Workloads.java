package org.hotmem.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;
import org.hotmem.kernel.KernelException;
import org.hotmem.machine.Machine;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.PageState;

/**
 * The workloads a dashboard user starts and stops: each is one process's memory, faulted in at
 * once. Kinds:
 * <ul>
 * <li>{@code anon}: anonymous memory (GFP_HIGHUSER_MOVABLE: migratable, ZONE_MOVABLE first);
 * <li>{@code pinned}: anonymous memory then pinned long-term (pin_user_pages(FOLL_LONGTERM), as
 *     an RDMA or vfio buffer: the pages leave ZONE_MOVABLE first and then block migration, so an
 *     offline of their block retries until they are released or the writer gets a signal);
 * <li>{@code kernel}: unmovable kernel allocations (GFP_KERNEL, as a driver's buffers: an offline
 *     of their block fails at isolation with EBUSY).
 * </ul>
 * Stopping one frees its memory (process exit, unpinning first; kfree of the kernel pages).
 *
 * <p>Confined to the live machine's owner thread: every method runs inside
 * {@link org.hotmem.machine.LiveMachine#call}.
 */
final class Workloads {
    enum Kind { ANON, PINNED, KERNEL }

    /**
     * One running workload: its user memory (an address space, and how many of its pages are
     * pinned) or its kernel pages (alloc_page(GFP_KERNEL) each).
     */
    record Workload(String name, Kind kind, long bytes, AddressSpace space, int pinned, long[] kernelPages) {}

    private final Map<String, Workload> running = new LinkedHashMap<>();
    private int next = 1;

    /**
     * Starts a workload of {@code bytes} on node {@code nid}; returns its name.
     *
     * @throws KernelException ENOMEM when the memory cannot be faulted in or pinned (nothing stays allocated)
     */
    String start(Machine m, Kind kind, long bytes, int nid) {
        long pageSize = MachineView.pageSize(m);
        int pages = (int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes / pageSize));
        String name = kind.name().toLowerCase() + next;
        Workload w = kind == Kind.KERNEL ? kernel(m, name, pages, pageSize) : user(m, name, kind, pages, pageSize, nid);
        next++;
        running.put(name, w);
        return name;
    }

    /** Faults in {@code pages} of anonymous memory on {@code nid} and, for {@link Kind#PINNED}, pins them long-term. */
    private static Workload user(Machine m, String name, Kind kind, int pages, long pageSize, int nid) {
        AddressSpace space = m.mm().newAddressSpace(name, Gfp.MOVABLE_ANON, nid);
        int pinned = 0;
        try {
            for (long i = 0; i < pages; i++) {
                space.add(i + 1);
            }
            if (kind == Kind.PINNED) {
                for (; pinned < space.size(); pinned++) {
                    space.pinLongterm(pinned);
                }
            }
        } catch (KernelException e) {
            release(space, pinned);
            throw e;
        }
        return new Workload(name, kind, (long) pages * pageSize, space, pinned, null);
    }

    /** alloc_page(GFP_KERNEL) {@code pages} times: unmovable pages, highest zone of the zonelist first. */
    private static Workload kernel(Machine m, String name, int pages, long pageSize) {
        long[] pfns = new long[pages];
        int n = 0;
        try {
            for (; n < pages; n++) {
                pfns[n] = m.mm().allocPages(Gfp.KERNEL, 0, PageState.KERNEL_OTHER);
            }
        } catch (KernelException e) {
            for (int i = 0; i < n; i++) {
                m.mm().freePages(pfns[i]);
            }
            throw e;
        }
        return new Workload(name, Kind.KERNEL, (long) pages * pageSize, null, 0, pfns);
    }

    /** Stops workload {@code name} (false when there is none): unpins, then frees its pages. */
    boolean stop(Machine m, String name) {
        Workload w = running.remove(name);
        if (w == null) {
            return false;
        }
        if (w.kernelPages() != null) {
            for (long pfn : w.kernelPages()) {
                m.mm().freePages(pfn);
            }
        } else {
            release(w.space(), w.pinned());
        }
        return true;
    }

    Iterable<Workload> running() {
        return running.values();
    }

    private static void release(AddressSpace space, int pinned) {
        for (int i = 0; i < pinned; i++) {
            space.unpin(i);
        }
        space.freeAll();
    }
}
