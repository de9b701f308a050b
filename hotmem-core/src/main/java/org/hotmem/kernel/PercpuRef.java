package org.hotmem.kernel;

/**
 * A reference count with a kill switch (struct percpu_ref, lib/percpu-refcount.c), as
 * dev_pagemap->ref. The per-CPU fast path is not modelled: one counter stands for the sum.
 *
 * <p>Invariants: {@code count} starts at 1 (the initial reference), never goes below 0, and
 * the release callback runs exactly once, when it reaches 0, which can only happen after
 * {@link #kill()} dropped the initial reference. After kill, {@link #tryGetLive()} fails.
 * Guarded by the kernel's single-runner discipline (Linux: atomic operations).
 */
public final class PercpuRef {
    private final Runnable release;
    private long count = 1;
    private boolean dead;

    /** Models percpu_ref_init(ref, release, 0, GFP_KERNEL). */
    public PercpuRef(Runnable release) {
        this.release = release;
    }

    /** Models percpu_ref_get_many(). */
    public void getMany(long n) {
        if (count == 0) {
            throw new IllegalStateException("percpu_ref_get on a released ref");
        }
        count += n;
    }

    /** Models percpu_ref_tryget_live(): a reference unless the ref was killed. */
    public boolean tryGetLive() {
        if (dead) {
            return false;
        }
        count++;
        return true;
    }

    /** Models percpu_ref_put_many(): the last put runs the release callback. */
    public void putMany(long n) {
        if (n > count) {
            throw new IllegalStateException("percpu_ref_put underflow: " + n + " > " + count);
        }
        count -= n;
        if (count == 0) {
            release.run();
        }
    }

    /** Models percpu_ref_put(). */
    public void put() {
        putMany(1);
    }

    /** Models percpu_ref_kill(): no new live references; drops the initial one. */
    public void kill() {
        if (dead) {
            throw new IllegalStateException("percpu_ref_kill called more than once");
        }
        dead = true;
        putMany(1);
    }

    /** Models percpu_ref_is_dying(). */
    public boolean isDying() {
        return dead;
    }

    /** The references held (the initial one included until kill). */
    public long count() {
        return count;
    }
}
