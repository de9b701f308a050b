package org.hotmem.mm;

/**
 * pg_data_t: one NUMA node with its zones. Node span = hull of its non-empty zone spans.
 * Guarded by mem_hotplug_lock (write) for writers (node_size_lock is not needed since 5.14).
 */
public final class Node {
    final int nid;
    /** By zone type; the types the {@link Arch} does not configure stay empty for good. */
    final Zone[] zones = new Zone[ZoneType.values().length];
    /** node_zones[]: the zones the architecture is configured with, in zone_idx() order. */
    final Zone[] configured;
    long startPfn;
    long spannedPages;
    long presentPages;
    boolean online;
    /** N_MEMORY and N_NORMAL_MEMORY (node_states_set_node() / node_states_clear_node()). */
    boolean memory;
    boolean normalMemory;

    /** The machine's geometry. */
    final Arch arch;

    /** A node of a machine with geometry {@code arch}. */
    Node(int nid, Arch arch) {
        this.nid = nid;
        this.arch = arch;
        for (ZoneType t : ZoneType.values()) {
            zones[t.ordinal()] = new Zone(this, t, arch.nrOrders());
        }
        configured = arch.zones().stream().map(t -> zones[t.ordinal()]).toArray(Zone[]::new);
        for (int i = 0; i < configured.length; i++) {
            configured[i].idx = i;
        }
    }

    public int nid() {
        return nid;
    }

    public Zone zone(ZoneType t) {
        return zones[t.ordinal()];
    }

    /** The node's configured zones in zone_idx() order (all five on x86-64). */
    public Zone[] zones() {
        return configured.clone();
    }

    public long startPfn() {
        return startPfn;
    }

    public long spannedPages() {
        return spannedPages;
    }

    public long presentPages() {
        return presentPages;
    }

    public boolean isOnline() {
        return online;
    }

    /** Models check_for_memory() (boot) and node_states_clear_node(): the states from the present pages. */
    void checkForMemory() {
        memory = presentPages > 0;
        normalMemory = zones[ZoneType.DMA.ordinal()].populated() || zones[ZoneType.DMA32.ordinal()].populated()
                || zones[ZoneType.NORMAL.ordinal()].populated();
    }

    /** Models update_pgdat_span(): the hull of the non-empty zones (0/0 if none). */
    void updateSpan() {
        long start = Long.MAX_VALUE;
        long end = 0;
        for (Zone z : zones) {
            if (z.isEmpty()) {
                continue;
            }
            start = Math.min(start, z.startPfn);
            end = Math.max(end, z.endPfn());
        }
        if (end == 0) {
            startPfn = 0;
            spannedPages = 0;
        } else {
            startPfn = start;
            spannedPages = end - start;
        }
    }
}
