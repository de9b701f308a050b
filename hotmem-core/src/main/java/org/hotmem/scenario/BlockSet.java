package org.hotmem.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * Which memory blocks an action or expectation is about: explicit ranges ({@code 40-47,50}), the
 * blocks of a DIMM ({@code dimm: dimm1}), or the blocks currently online in a zone
 * ({@code zone: Movable}). DIMM and zone sets are resolved when the action runs.
 */
public record BlockSet(List<long[]> ranges, String dimm, String zone) {
    /** Memory block ids there can be: 2^MAX_PHYSMEM_BITS (46) / 128 MiB. */
    public static final long MAX_BLOCKS = 1L << (46 - 27);

    static BlockSet parse(Node n) {
        if (n.isScalar()) return new BlockSet(ranges(n), null, null);
        Fields f = Fields.of(n, "blocks: a range like 40-47, or {dimm: ID}, or {zone: Normal|Movable}");
        String dimm = f.string("dimm", null);
        String zone = f.string("zone", null);
        f.done();
        if ((dimm == null) == (zone == null)) throw n.error("expected exactly one of dimm or zone");
        return new BlockSet(List.of(), dimm, zone);
    }

    private static List<long[]> ranges(Node n) {
        List<long[]> out = new ArrayList<>();
        for (String part : n.text().split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                long lo = Long.parseLong(dash < 0 ? p : p.substring(0, dash).trim());
                long hi = dash < 0 ? lo : Long.parseLong(p.substring(dash + 1).trim());
                if (lo < 0 || hi < lo) throw new NumberFormatException();
                if (hi >= MAX_BLOCKS) {
                    throw n.error("expected block numbers below " + MAX_BLOCKS + " (x86-64's 64 TiB of 128 MiB blocks), got "
                            + n.describe());
                }
                out.add(new long[] {lo, hi});
            } catch (NumberFormatException e) {
                throw n.error("expected block numbers like 40-47,50, got " + n.describe());
            }
        }
        return out;
    }

    /** The explicit block ids, in order. */
    public List<Long> ids() {
        List<Long> ids = new ArrayList<>();
        for (long[] r : ranges) for (long b = r[0]; b <= r[1]; b++) ids.add(b);
        return ids;
    }

    @Override public String toString() {
        if (dimm != null) return "dimm " + dimm;
        if (zone != null) return "zone " + zone;
        StringBuilder sb = new StringBuilder();
        for (long[] r : ranges) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(r[0]);
            if (r[1] != r[0]) sb.append('-').append(r[1]);
        }
        return sb.toString();
    }
}
