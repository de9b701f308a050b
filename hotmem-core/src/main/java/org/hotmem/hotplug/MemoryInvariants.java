package org.hotmem.hotplug;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.MemSection;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MigrateType;
import org.hotmem.mm.PageState;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneType;

/**
 * Consistency checks of the memory model and the block devices, usable after every
 * operation in tests and scenario runs. Run only while no hotplug operation is in flight.
 *
 * <ul>
 * <li>every page of an online section is in exactly one state; free chunks are aligned,
 *     inside one zone, and their sizes add up to the zone's free count;</li>
 * <li>every LRU page is referenced by exactly the owner slot it names, and every owner slot
 *     points at an LRU page naming it;</li>
 * <li>present pages of each zone = pages of its online blocks (vmemmap included) plus boot
 *     pages; spans cover every online block of the zone;</li>
 * <li>pages of offline hot-added blocks are poisoned; no lockdep report was made;</li>
 * <li>memory that holds nothing costs no per-page words: every pageblock of an offline section
 *     (but one holding self-hosted vmemmap) and every pageblock inside a free chunk of
 *     pageblock order or more is stored as a pattern (see MemoryModel#runEnd).</li>
 * </ul>
 */
public final class MemoryInvariants {
    private MemoryInvariants() {
    }

    /** Returns the list of violations (empty when all hold). */
    public static List<String> check(MemoryHotplug hp) {
        List<String> bad = new ArrayList<>();
        MemoryModel mm = hp.mm();
        long[] free = new long[mm.nrNodes() * ZoneType.values().length];
        for (MemSection s : mm.presentSections()) {
            long base = s.startPfn();
            for (long pfn = base; pfn < base + mm.arch().pagesPerSection(); ) {
                int kind = mm.kind(pfn);
                if (!s.isOnline() && kind != PageState.POISONED && kind != PageState.VMEMMAP && kind != PageState.ZONE_DEVICE) {
                    bad.add(String.format("pfn 0x%x: section offline but page kind %d", pfn, kind));
                    break;
                }
                if (kind == PageState.BUDDY) {
                    int o = mm.buddyOrder(pfn);
                    if ((pfn & ((1L << o) - 1)) != 0) {
                        bad.add(String.format("pfn 0x%x: free chunk of order %d misaligned", pfn, o));
                    }
                    int zi = mm.zoneOf(pfn).id();
                    for (long p = pfn + 1; p < pfn + (1L << o); p = mm.runEnd(p)) {
                        if (mm.kind(p) != PageState.FREE_TAIL || mm.zoneOf(p).id() != zi) {
                            bad.add(String.format("pfn 0x%x: chunk at 0x%x broken", p, pfn));
                            break;
                        }
                    }
                    for (long pb = pfn; o >= mm.arch().pageblockOrder() && pb < pfn + (1L << o); pb += mm.arch().pageblockPages()) {
                        if (!holdsNothingPerPage(mm, pb)) {
                            bad.add(String.format("pfn 0x%x: pageblock of the free chunk at 0x%x holds per-page words", pb, pfn));
                        }
                    }
                    free[zi] += 1L << o;
                    MigrateType listType = mm.buddyListType(pfn);
                    MigrateType pbType = mm.pageblockMigratetype(pfn);
                    if ((listType == MigrateType.ISOLATE) != (pbType == MigrateType.ISOLATE)) {
                        bad.add(String.format("pfn 0x%x: on %s list in a %s pageblock", pfn, listType, pbType));
                    }
                    pfn += 1L << o;
                    continue;
                } else if (kind == PageState.FREE_TAIL) {
                    bad.add(String.format("pfn 0x%x: free tail without a head", pfn));
                } else if (kind == PageState.LRU) {
                    int slot = PageState.slot(mm.info(pfn));
                    AddressSpace as = findOwner(mm, mm.ownerWord(pfn));
                    if (as == null || slot >= as.size() || as.pfn(slot) != pfn) {
                        bad.add(String.format("pfn 0x%x: LRU page not referenced by its owner slot %d", pfn, slot));
                    }
                }
                pfn = mm.runEnd(pfn);
            }
            for (long pb = base; !s.isOnline() && pb < base + mm.arch().pagesPerSection(); pb += mm.arch().pageblockPages()) {
                if (!holdsNothingPerPage(mm, pb) && !holdsVmemmap(mm, pb)) {
                    bad.add(String.format("pfn 0x%x: offline pageblock holds per-page words", pb));
                }
            }
        }
        for (Zone z : allZones(mm)) {
            if (z.freePages() != free[z.id()]) {
                bad.add(z.name() + ": freePages " + z.freePages() + " but chunks add up to " + free[z.id()]);
            }
        }
        for (AddressSpace as : mm.owners()) {
            for (int slot = 0; slot < as.size(); slot++) {
                long pfn = as.pfn(slot);
                if (pfn >= 0 && (mm.kind(pfn) != PageState.LRU || PageState.slot(mm.info(pfn)) != slot)) {
                    bad.add(String.format("%s slot %d points at pfn 0x%x which is not its page", as.name(), slot, pfn));
                }
            }
        }
        long[] hotPresent = new long[mm.nrNodes() * ZoneType.values().length];
        for (MemoryBlock b : hp.blocks().values()) {
            if (b.early) {
                continue;
            }
            if (b.state() == MemoryBlock.State.ONLINE) {
                Zone z = b.zone();
                if (z == null) {
                    bad.add(b.name() + ": online without a zone");
                    continue;
                }
                hotPresent[z.id()] += b.nrPages();
                if (b.startPfn() < z.startPfn() || b.startPfn() + b.nrPages() > z.endPfn()) {
                    bad.add(b.name() + ": online in " + z.name() + " but outside its span");
                }
            }
        }
        for (Zone z : allZones(mm)) {
            long boot = 0;
            for (MemoryBlock b : hp.blocks().values()) {
                if (b.early && b.state() == MemoryBlock.State.ONLINE) {
                    boot += presentInZone(mm, b, z);
                }
            }
            if (z.presentPages() != boot + hotPresent[z.id()]) {
                bad.add(z.name() + ": present " + z.presentPages() + " != boot " + boot + " + hot-added online " + hotPresent[z.id()]);
            }
            if (z.managedPages() > z.presentPages()) {
                bad.add(z.name() + ": managed > present");
            }
        }
        if (!mm.kernel().lockdep().reports().isEmpty()) {
            bad.add("lockdep: " + mm.kernel().lockdep().reports());
        }
        return bad;
    }

    private static List<Zone> allZones(MemoryModel mm) {
        List<Zone> out = new ArrayList<>();
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            out.addAll(List.of(mm.node(nid).zones()));
        }
        return out;
    }

    /** Whether the pageblock at pb is stored without per-page words (see MemoryModel#runEnd). */
    private static boolean holdsNothingPerPage(MemoryModel mm, long pb) {
        return mm.runEnd(pb + 1) == pb + mm.arch().pageblockPages();
    }

    private static boolean holdsVmemmap(MemoryModel mm, long pb) {
        for (long pfn = pb; pfn < pb + mm.arch().pageblockPages(); pfn = mm.runEnd(pfn)) {
            if (mm.kind(pfn) == PageState.VMEMMAP) {
                return true;
            }
        }
        return false;
    }

    /** Boot blocks: present pages in zone z = System RAM pages of the block that the zone spans. */
    private static long presentInZone(MemoryModel mm, MemoryBlock b, Zone z) {
        if (z.isEmpty()) {
            return 0;
        }
        long n = 0;
        for (long[] r : mm.bootRam()) {
            long s = Math.max(Math.max(b.startPfn(), r[0] >>> mm.arch().pageShift()), z.startPfn());
            long e = Math.min(Math.min(b.startPfn() + b.nrPages(), r[1] >>> mm.arch().pageShift()), z.endPfn());
            for (long pb = s & -mm.arch().pageblockPages(); pb < e; pb += mm.arch().pageblockPages()) {
                long lo = Math.max(pb, s);
                long hi = Math.min(pb + mm.arch().pageblockPages(), e);
                if (lo < hi && mm.zoneIndexOf(pb) >= 0 && mm.zoneOf(pb) == z) {
                    n += hi - lo;
                }
            }
        }
        return n;
    }

    private static AddressSpace findOwner(MemoryModel mm, int id) {
        for (AddressSpace as : mm.owners()) {
            if (as.id() == id) {
                return as;
            }
        }
        return null;
    }
}
