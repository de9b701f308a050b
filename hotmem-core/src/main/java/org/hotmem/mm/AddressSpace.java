package org.hotmem.mm;

import java.util.Arrays;

/**
 * An owner of movable (LRU) pages: a process's anonymous memory or a file's page cache,
 * reduced to what hotplug needs: slot -> pfn handles and the tokens read through them.
 * Migration updates the handle ({@link MemoryModel#migratePage}), so after any number of
 * offlines {@link #read(int)} still returns what {@link #add(long)} wrote.
 *
 * <p>Slots whose page is pinned long-term (FOLL_LONGTERM) cannot be migrated until
 * unpinned. Guarded by the running task (one task runs at a time) plus the zone lock for
 * the page words.
 */
public final class AddressSpace {
    /** What backs the pages, for the LRU and meminfo accounting (anon / file / shmem). */
    public enum Backing {
        /** Private anonymous memory: AnonPages, the anon LRU. */
        ANON,
        /** Page cache of a regular file: Cached, the file LRU. */
        FILE,
        /** tmpfs / shmem (the initramfs rootfs): Cached and Shmem, on the anon LRU. */
        SHMEM;

        /** The default for an allocation intent: page cache is FILE, everything else ANON. */
        public static Backing of(Gfp gfp) {
            return gfp == Gfp.PAGE_CACHE ? FILE : ANON;
        }
    }

    private final MemoryModel mm;
    private final Backing backing;
    final int id;
    private final String name;
    private final Gfp gfp;
    private final int nid;
    long[] pfns = new long[16];
    private int size;
    /** The owner's pages are PageOffline (balloon_page_insert()); guarded by its creator's setup. */
    private boolean pageOffline;
    /** The owner's migratepage callback (a balloon's), or null; set once by its creator. */
    private MigrateCallback migrateCallback;

    /** What the owner does after one of its pages migrated (a_ops->migratepage's bookkeeping). */
    @FunctionalInterface
    public interface MigrateCallback {
        void migrated(int slot, long oldPfn, long newPfn);
    }

    AddressSpace(MemoryModel mm, int id, String name, Gfp gfp, int nid, Backing backing) {
        this.mm = mm;
        this.backing = backing;
        this.id = id;
        this.name = name;
        this.gfp = gfp;
        this.nid = nid;
    }

    public String name() {
        return name;
    }

    /**
     * Marks every page of this owner PageOffline, as balloon_page_insert() does for balloon
     * pages: movable (balloon compaction migrates them) but logically offline, so hibernation
     * does not save them (saveable_page()).
     */
    public void setPageOffline() {
        pageOffline = true;
    }

    /** Whether this owner's pages are PageOffline. */
    public boolean pageOffline() {
        return pageOffline;
    }

    public int id() {
        return id;
    }

    public Gfp gfp() {
        return gfp;
    }

    public Backing backing() {
        return backing;
    }

    /** Pages currently mapped (slots whose page is not freed). */
    public long nrPages() {
        long n = 0;
        for (int s = 0; s < size; s++) {
            if (pfns[s] >= 0) {
                n++;
            }
        }
        return n;
    }

    /** Number of slots ever added (freed slots keep their index, pfn -1). */
    public int size() {
        return size;
    }

    /**
     * Allocates one page for this owner (a page fault or a page-cache fill) and writes
     * {@code token} into it. Returns the slot.
     *
     * @throws org.hotmem.kernel.KernelException ENOMEM if no zone has a free page
     */
    public int add(long token) {
        if (size == PageState.MAX_SLOT) {
            throw new IllegalStateException("address space " + name + " is full (" + size + " pages)");
        }
        long pfn = mm.allocOwnedPage(this, size, token);
        if (size == pfns.length) {
            pfns = Arrays.copyOf(pfns, size * 2);
        }
        pfns[size] = pfn;
        return size++;
    }

    /** The pfn currently backing {@code slot}, -1 if freed. */
    public long pfn(int slot) {
        return pfns[slot];
    }

    /** Reads the token of {@code slot} through its current pfn. */
    public long read(int slot) {
        long pfn = pfns[slot];
        if (pfn < 0) {
            throw new IllegalStateException(name + ": slot " + slot + " is not mapped");
        }
        return mm.token(pfn);
    }

    /** A store to the page of {@code slot}: its content becomes {@code token}. */
    public void write(int slot, long token) {
        long pfn = pfns[slot];
        if (pfn < 0) {
            throw new IllegalStateException(name + ": slot " + slot + " is not mapped");
        }
        mm.setToken(pfn, token);
    }

    /**
     * Models pin_user_pages(FOLL_LONGTERM) on one page: an extra reference that blocks migration.
     * A page in ZONE_MOVABLE or a CMA pageblock is first migrated to a kernel zone
     * (check_and_migrate_movable_pages(); the target is allocated with __GFP_MOVABLE cleared,
     * memalloc_pin_save()), so long-term pins never stay in ZONE_MOVABLE.
     *
     * @throws org.hotmem.kernel.KernelException ENOMEM if that migration finds no target page:
     *         the pin fails and the page stays where it was, unpinned (pgmigrate_fail counts it)
     */
    public void pinLongterm(int slot) {
        long pfn = pfns[slot];
        if (mm.longtermUnpinnable(pfn)) {
            if (mm.migratePage(pfn, Gfp.LONGTERM_PIN) != 0) {
                mm.counters.pgmigrateFail(1);
                throw new org.hotmem.kernel.KernelException(org.hotmem.kernel.Errno.ENOMEM);
            }
        }
        mm.setPinned(pfns[slot], true);
    }

    /** Models unpin_user_page(). */
    public void unpin(int slot) {
        mm.setPinned(pfns[slot], false);
    }

    /** Frees the page of one slot (munmap / truncate of one page). */
    public void free(int slot) {
        long pfn = pfns[slot];
        if (pfn >= 0) {
            mm.freeOwnedPage(pfn);
            pfns[slot] = -1;
        }
    }

    /** Frees every page (process exit / file deletion). */
    public void freeAll() {
        for (int s = 0; s < size; s++) {
            free(s);
        }
    }

    /** Sets the owner's migratepage callback (balloon compaction's b_dev_info->migratepage). */
    public void setMigrateCallback(MigrateCallback cb) {
        this.migrateCallback = cb;
    }

    void migrated(int slot, long oldPfn, long newPfn) {
        if (migrateCallback != null) {
            migrateCallback.migrated(slot, oldPfn, newPfn);
        }
    }

    void moved(int slot, long newPfn) {
        pfns[slot] = newPfn;
    }

    public int nid() {
        return nid;
    }
}
