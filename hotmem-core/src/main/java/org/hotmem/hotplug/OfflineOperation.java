package org.hotmem.hotplug;

/**
 * The bookkeeping of one offline_pages() call, for tools: how many passes of its migration loop
 * had to be retried and how many pages it migrated. Linux keeps no such counter; hotmem counts
 * what the loop does.
 *
 * <p>A retry is a pass of the inner loop (scan_movable_pages + do_migrate_range) that left at
 * least one page unmigrated, so the loop had to go round again. While the loop sleeps through
 * hopeless passes (see {@link OfflinePages#offlinePages}), the passes it stands for are counted
 * as they elapse: {@link #retries(long)} takes the current virtual time.
 *
 * <p>Guarded by the kernel's single-runner discipline: written by the offlining task, read by
 * anyone between scheduling points.
 */
public final class OfflineOperation {
    final long startPfn;
    final long nrPages;
    final long startNs;
    long endNs = -1;
    long retries;
    long migrated;
    /** While sleeping through identical passes: when the sleep began, and one pass's cost; else -1. */
    long skipSinceNs = -1;
    long skipPassNs;

    OfflineOperation(long startPfn, long nrPages, long startNs) {
        this.startPfn = startPfn;
        this.nrPages = nrPages;
        this.startNs = startNs;
    }

    /** Passes retried so far, counting the ones being slept through up to {@code nowNs}. */
    public long retries(long nowNs) {
        return retries + skippedUntil(nowNs);
    }

    /** Passes stood for by the sleep in progress, as of {@code nowNs}. */
    long skippedUntil(long nowNs) {
        if (skipSinceNs < 0 || skipPassNs <= 0) {
            return 0;
        }
        return (nowNs - skipSinceNs) / skipPassNs;
    }

    /** Pages migrated out of the range by this call. */
    public long migrated() {
        return migrated;
    }

    public long startPfn() {
        return startPfn;
    }

    public long nrPages() {
        return nrPages;
    }

    /** Virtual time the call began (after the range checks). */
    public long startNs() {
        return startNs;
    }

    /** Virtual time it returned (success or error), -1 while running. */
    public long endNs() {
        return endNs;
    }
}
