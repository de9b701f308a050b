package org.hotmem.explore;

import java.util.ArrayList;
import java.util.List;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.SeqLock;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneDevice;

/**
 * The invariants an explored run checks at every scheduling decision after the actors start,
 * i.e. wherever another task could run and see the state: the states a race can expose
 * mid-operation. {@link org.hotmem.hotplug.MemoryInvariants} (every page walked) runs once the
 * machine has settled; these are the cheap ones, each O(zones) or O(references held), so a
 * decision costs a few hundred field reads:
 *
 * <ul>
 * <li><b>lockdep</b>: no report (made where the lock is taken);</li>
 * <li><b>page accounting and the buddy's counters</b>: per zone, the free chunks counted by order
 *     add up to the zone's free pages, and free ≤ managed ≤ present ≤ spanned;</li>
 * <li><b>zone spans vs the seqlock protocol</b>: a zone's span (zone_start_pfn, spanned_pages)
 *     only changes inside a zone_span_writelock() section (its sequence moved) — or both fields at
 *     once, atomically; a zone that reads as empty (spanned 0) whose start moved while the
 *     sequence did not is the torn span a lockless reader (zone_span_seqbegin() … retry, as
 *     page_outside_zone_boundaries()) would take;</li>
 * <li><b>no access to a freed memmap</b>: every device page reference an actor holds
 *     (get_dev_pagemap()) points at a pfn whose memmap exists (pfn_valid()).</li>
 * </ul>
 *
 * A task stuck forever, a snapshot that lost pages and a FORBIDDEN outcome are judged by
 * {@link RaceRun} at the end. State: the spans and sequences seen at the previous decision; the
 * first violation (with its decision and time), after which nothing more is checked. Guarded by
 * the kernel's single-runner discipline (called from the scheduler).
 */
final class SchedulingPointChecks {
    private final Kernel kernel;
    private final MemoryModel mm;
    private final List<Zone> zones = new ArrayList<>();
    private final SeqLock[] seq;
    private final int[] lastSeq;
    private final long[] lastStart;
    private final long[] lastSpanned;
    /** Device page references held by actors: pfns (pfn_valid() must hold while held), -1 when none. */
    private final long[] heldPfns;
    private String violation;

    SchedulingPointChecks(Kernel kernel, MemoryModel mm, int actors) {
        this.kernel = kernel;
        this.mm = mm;
        for (int nid = 0; nid < mm.nrNodes(); nid++) zones.addAll(List.of(mm.node(nid).zones()));
        ZoneDevice zd = mm.zoneDevice();
        seq = new SeqLock[zones.size()];
        lastSeq = new int[zones.size()];
        lastStart = new long[zones.size()];
        lastSpanned = new long[zones.size()];
        for (int i = 0; i < zones.size(); i++) {
            seq[i] = zd.spanSeqlock(zones.get(i));
            remember(i);
        }
        heldPfns = new long[actors];
        java.util.Arrays.fill(heldPfns, -1);
    }

    /** Actor {@code actor} holds a reference to device page {@code pfn} ({@code -1}: none any more). */
    void holding(int actor, long pfn) { heldPfns[actor] = pfn; }

    /** The first violation seen, with where; null when none. */
    String violation() { return violation; }

    /** Checks the state at scheduling decision {@code decision}; records the first violation. */
    void check(int decision) {
        if (violation != null) return;
        String bad = find();
        if (bad != null) {
            violation = "invariant at decision " + decision + " (" + org.hotmem.kernel.Dmesg.timestamp(kernel.now()) + "): " + bad;
        }
    }

    private String find() {
        if (!kernel.lockdep().reports().isEmpty()) return "lockdep: " + kernel.lockdep().reports().get(0).title();
        int orders = mm.arch().nrOrders();
        for (int i = 0; i < zones.size(); i++) {
            Zone z = zones.get(i);
            long chunks = 0;
            for (int o = 0; o < orders; o++) chunks += z.nrFree(o) << o;
            if (chunks != z.freePages()) return z.name() + ": free chunks add up to " + chunks + " pages, NR_FREE_PAGES is " + z.freePages();
            if (z.freePages() > z.managedPages() || z.managedPages() > z.presentPages() || z.presentPages() > z.spannedPages()) {
                return z.name() + ": expected free <= managed <= present <= spanned, got " + z.freePages() + ", " + z.managedPages()
                        + ", " + z.presentPages() + ", " + z.spannedPages();
            }
            int s = seq[i].sequence();
            if ((s & 1) == 0) {
                if (s == lastSeq[i] && z.spannedPages() == 0 && lastSpanned[i] == 0 && z.startPfn() != lastStart[i]) {
                    return String.format("%s: zone_start_pfn 0x%x written outside zone_span_writelock() with spanned_pages 0:"
                            + " a lockless span reader sees a torn span", z.name(), z.startPfn());
                }
                remember(i);
            }
        }
        for (int a = 0; a < heldPfns.length; a++) {
            if (heldPfns[a] >= 0 && !mm.pfnValid(heldPfns[a])) {
                return String.format("pfn 0x%x: its memmap was freed while a page reference was held (use after free)", heldPfns[a]);
            }
        }
        return null;
    }

    private void remember(int i) {
        Zone z = zones.get(i);
        lastSeq[i] = seq[i].sequence();
        lastStart[i] = z.startPfn();
        lastSpanned[i] = z.spannedPages();
    }
}
