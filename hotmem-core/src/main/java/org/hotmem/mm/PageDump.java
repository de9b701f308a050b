package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * Models dump_page() output for the pages hotmem can dump: reserved pages, kernel page
 * tables / slab pages and mapped anonymous (LRU) pages, in the 6.1 format
 * ("page:(____ptrval____) refcount:...") or the 6.12 format ("page: refcount:..." plus a
 * "page_type:" line for typed pages). An anonymous page is mapped once (mapcount 1), holds the
 * migration's isolation reference and, when long-term pinned, GUP_PIN_COUNTING_BIAS (1024) more:
 * refcount 2 or 1026, as recorded; its "anon flags:" name the flags an anonymous page written by
 * its owner carries.
 */
final class PageDump {
    private PageDump() {
    }

    private static final long VMEMMAP_BASE = 0xffffea0000000000L;
    private static final int LASTCPUPID_SHIFT = 30;
    private static final int ZONES_SHIFT_POS = 51;

    static List<String> dump(MemoryModel mm, long pfn, String reason) {
        List<String> out = new ArrayList<>();
        boolean folio = mm.version.has(KernelFeature.DUMP_PAGE_FOLIO_FORMAT);
        int info = mm.info(pfn);
        int kind = PageState.kind(info);
        if (kind == PageState.LRU) {
            return anon(mm, pfn, reason, folio);
        }
        int zone = mm.zoneOf(pfn).idx;
        boolean reserved = kind == PageState.RESERVED;
        long reservedBit = folio ? 1L << 13 : 1L << 12;
        long flags = ((long) zone << ZONES_SHIFT_POS) | (0x1fffffL << LASTCPUPID_SHIFT) | (reserved ? reservedBit : 0);
        int refcount = (kind == PageState.BUDDY || kind == PageState.FREE_TAIL) ? 0 : 1;
        String head = (folio ? "page: " : "page:(____ptrval____) ") + "refcount:" + refcount
                + " mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x" + Long.toHexString(pfn);
        out.add(head);
        StringBuilder names = new StringBuilder();
        if (reserved) {
            names.append("reserved|");
        }
        names.append("node=").append(mm.zoneOf(pfn).node().nid()).append("|zone=").append(zone).append("|lastcpupid=0x1fffff");
        out.add(String.format("flags: 0x%x(%s)", flags, names));
        String pageType = null;
        long typeWord = 0xffffffffL;
        if (kind == PageState.KERNEL) {
            int sub = mm.ownerWord(pfn) & 0xff;
            if (sub == PageState.KERNEL_PAGE_TABLE) {
                pageType = "f2(table)";
                typeWord = folio ? 0xf2000000L : 0xffffffffL;
            } else if (sub == PageState.KERNEL_SLAB) {
                pageType = "f5(slab)";
                typeWord = folio ? 0xf5000000L : 0xffffffffL;
            }
        }
        if (folio && pageType != null) {
            out.add("page_type: " + pageType);
        }
        long self = VMEMMAP_BASE + pfn * 64 + 8;
        String w1 = reserved ? String.format("%016x %016x", self, self) : "0000000000000000 dead000000000122";
        out.add(String.format("raw: %016x %s 0000000000000000", flags, w1));
        out.add(String.format("raw: 0000000000000000 0000000000000000 %08x%08x 0000000000000000", refcount, typeWord));
        out.add("page dumped because: " + reason);
        return out;
    }

    /** GUP_PIN_COUNTING_BIAS: what a FOLL_PIN reference adds to the refcount. */
    private static final int GUP_PIN_COUNTING_BIAS = 1024;
    /** PG_uptodate | PG_dirty | PG_swapbacked: bits 2, 3, 19 in 6.1; 3, 4, 17 in 6.12 (the folio-era page-flags layout). */
    private static final long ANON_FLAGS_61 = 0x8000cL;
    private static final long ANON_FLAGS_612 = 0x20018L;

    private static List<String> anon(MemoryModel mm, long pfn, String reason, boolean folio) {
        int zone = mm.zoneOf(pfn).idx;
        int refcount = 2 + (mm.isPinned(pfn) ? GUP_PIN_COUNTING_BIAS : 0);
        long flags = ((long) zone << ZONES_SHIFT_POS) | (0x1fffffL << LASTCPUPID_SHIFT) | (folio ? ANON_FLAGS_612 : ANON_FLAGS_61);
        String names = "uptodate|dirty|swapbacked|node=" + mm.zoneOf(pfn).node().nid() + "|zone=" + zone + "|lastcpupid=0x1fffff";
        long self = VMEMMAP_BASE + pfn * 64 + 8;
        return List.of(
                (folio ? "page: " : "page:(____ptrval____) ") + "refcount:" + refcount
                        + " mapcount:1 mapping:0000000000000000 index:0x0 pfn:0x" + Long.toHexString(pfn),
                String.format("anon flags: 0x%x(%s)", flags, names),
                String.format("raw: %016x %016x %016x 0000000000000000", flags, self, self),
                String.format("raw: 0000000000000000 0000000000000000 %08x00000000 0000000000000000", refcount),
                "page dumped because: " + reason);
    }
}
