package org.hotmem.mm;

import java.util.Arrays;

/**
 * The list links of the free chunks of one zone: what the {@code buddy_list} list_head inside
 * each free chunk's head struct page holds in Linux (its neighbours on its free list), plus the
 * list it is on. A primitive open-addressing table keyed by the head pfn (linear probing,
 * Fibonacci hashing, deletion by backward shift), so a free chunk costs no object and no
 * per-page word: about 50 bytes per free chunk, whatever the memory around it holds.
 *
 * <p>Invariants: each key (a head pfn, never negative) occurs in at most one slot; an entry
 * lies at its home slot or after it with no empty slot in between; {@code size} counts the
 * entries and stays at most half the capacity (the table doubles before that and halves when
 * it falls under an eighth). Links are pfns ({@link #NONE} at either end of a list), never
 * slot numbers, so entries can move when the table is resized or an entry is deleted. Which
 * neighbours an entry has is {@link FreeArea}'s business; this class only stores them.
 *
 * <p>Guarded by: the zone lock, through {@link FreeArea}.
 */
final class FreeListLinks {
    /** No pfn: the end of a list, or an empty slot. */
    static final long NONE = -1;
    private static final int MIN_CAPACITY = 16;

    private long[] keys;
    private long[] prev;
    private long[] next;
    private byte[] list;
    private int shift;
    private int size;

    FreeListLinks() {
        allocate(MIN_CAPACITY);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, NONE);
        prev = new long[capacity];
        next = new long[capacity];
        list = new byte[capacity];
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private int home(long pfn) {
        return (int) ((pfn * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** The slot holding pfn, or -1. */
    private int slot(long pfn) {
        int mask = keys.length - 1;
        for (int i = home(pfn); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == pfn) {
                return i;
            }
            if (k == NONE) {
                return -1;
            }
        }
    }

    private int slotOf(long pfn) {
        int i = slot(pfn);
        if (i < 0) {
            throw new IllegalStateException("free list links: pfn 0x" + Long.toHexString(pfn) + " is not linked");
        }
        return i;
    }

    int size() {
        return size;
    }

    /** Whether pfn is on a list. */
    boolean contains(long pfn) {
        return slot(pfn) >= 0;
    }

    /** The list pfn is on (an index chosen by the caller), or -1 if it is on none. */
    int list(long pfn) {
        int i = slot(pfn);
        return i < 0 ? -1 : list[i];
    }

    long prev(long pfn) {
        return prev[slotOf(pfn)];
    }

    long next(long pfn) {
        return next[slotOf(pfn)];
    }

    void setPrev(long pfn, long p) {
        prev[slotOf(pfn)] = p;
    }

    void setNext(long pfn, long n) {
        next[slotOf(pfn)] = n;
    }

    /** Adds pfn (not yet linked) on list {@code l} between {@code p} and {@code n}. */
    void insert(long pfn, int l, long p, long n) {
        if ((size + 1) * 2 > keys.length) {
            rehash(keys.length * 2);
        }
        place(pfn, l, p, n);
        size++;
    }

    private void place(long pfn, int l, long p, long n) {
        int mask = keys.length - 1;
        int i = home(pfn);
        while (keys[i] != NONE) {
            if (keys[i] == pfn) {
                throw new IllegalStateException("free list links: pfn 0x" + Long.toHexString(pfn) + " is already linked");
            }
            i = (i + 1) & mask;
        }
        keys[i] = pfn;
        list[i] = (byte) l;
        prev[i] = p;
        next[i] = n;
    }

    /** Drops pfn's entry (its neighbours' links are the caller's to fix first). */
    void delete(long pfn) {
        int mask = keys.length - 1;
        int hole = slotOf(pfn);
        // backward shift: pull later entries of the probe run into the hole when their home allows it
        for (int j = (hole + 1) & mask; keys[j] != NONE; j = (j + 1) & mask) {
            int h = home(keys[j]);
            boolean stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
            if (!stays) {
                keys[hole] = keys[j];
                list[hole] = list[j];
                prev[hole] = prev[j];
                next[hole] = next[j];
                hole = j;
            }
        }
        keys[hole] = NONE;
        size--;
        if (keys.length > MIN_CAPACITY && size * 8 < keys.length) {
            rehash(keys.length / 2);
        }
    }

    private void rehash(int capacity) {
        long[] k = keys;
        long[] p = prev;
        long[] n = next;
        byte[] l = list;
        allocate(capacity);
        for (int i = 0; i < k.length; i++) {
            if (k[i] != NONE) {
                place(k[i], l[i], p[i], n[i]);
            }
        }
    }

    /** Slots allocated (for tests of the resizing policy). */
    int capacity() {
        return keys.length;
    }
}
