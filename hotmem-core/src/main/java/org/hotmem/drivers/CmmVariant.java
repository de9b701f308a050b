package org.hotmem.drivers;

/**
 * Which hotplug awareness the pseries CMM driver has (seed 003 and its successor). The real
 * module has no parameter for it: each variant is the cmm.ko of a different kernel.
 */
public enum CmmVariant {
    /**
     * Seed 003 v2 (Oct 2009): atomics {@code hotplug_active} / {@code hotplug_occurred};
     * unmovable loaned pages (GFP_NOIO | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC), the
     * MEM_ISOLATE_COUNT isolation notifier and MEM_GOING_OFFLINE release of the range's pages.
     * cmm_alloc_pages() stops on {@code hotplug_active} only.
     */
    ATOMIC_FLAGS("atomic-flags"),
    /**
     * Seed 003 v3 as merged in 2.6.33: {@code hotplug_mutex} held from MEM_GOING_OFFLINE to
     * MEM_OFFLINE / MEM_CANCEL_OFFLINE, {@code hotplug_occurred} under it; cmm_alloc_pages()
     * stops when it cannot take the mutex or an offline has occurred. Same pages and notifiers as v2.
     */
    MUTEX("mutex"),
    /** Linux 5.7+ (the recorded 6.1): balloon compaction, movable loaned pages migrate during offline. */
    COMPACTION("compaction");

    private final String cliName;

    CmmVariant(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line ({@code --cmm-variant}). */
    public String cliName() {
        return cliName;
    }

    /** The variant named {@code name} on the command line. */
    public static CmmVariant ofCliName(String name) {
        for (CmmVariant v : values()) {
            if (v.cliName.equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown CMM variant '" + name + "' (atomic-flags, mutex or compaction)");
    }

    /** Whether loaned pages are unmovable kernel pages (seed 003) rather than balloon pages. */
    boolean unmovablePages() {
        return this != COMPACTION;
    }
}
