package org.hotmem.mm;

/**
 * The list links of the free chunks of one zone: what the {@code buddy_list} list_head inside
 * each free chunk's head struct page holds in Linux (its neighbours on its free list), plus the
 * list it is on. A primitive open-addressing table keyed by the head pfn (linear probing,
 * Fibonacci hashing, deletion by backward shift), one {@code long[]} with the four words of an
 * entry side by side (pfn, previous, next, list) so that a lookup touches one cache line: a free
 * chunk costs no object and no per-page word, about 64 bytes of table whatever the memory
 * around it holds.
 *
 * <p>Invariants: each key (a head pfn, never negative) occurs in at most one slot; an entry
 * lies at its home slot or after it with no empty slot in between; {@code size} counts the
 * entries and stays at most half the capacity (the table doubles before that and halves when
 * it falls under an eighth). Links are pfns ({@link #NONE} at either end of a list), never
 * slot numbers, so entries can move when the table is resized or an entry is deleted; a slot
 * number from {@link #find} is valid until the next {@link #insert} or {@link #deleteAt}.
 * Which neighbours an entry has is {@link FreeArea}'s business; this class only stores them.
 *
 * <p>Guarded by: the zone lock, through {@link FreeArea}.
 */
final class FreeListLinks {
    /** No pfn: the end of a list, or an empty slot. */
    static final long NONE = -1;
    private static final int MIN_CAPACITY = 16;
    private static final int KEY = 0;
    private static final int PREV = 1;
    private static final int NEXT = 2;
    private static final int LIST = 3;
    private static final int WORDS = 4;

    /** Slot i is words [4i, 4i + 4): pfn (NONE if empty), previous, next, list. */
    private long[] table;
    private int mask;
    private int shift;
    private int size;

    FreeListLinks() {
        allocate(MIN_CAPACITY);
    }

    private void allocate(int capacity) {
        table = new long[capacity * WORDS];
        for (int i = 0; i < table.length; i += WORDS) {
            table[i + KEY] = NONE;
        }
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private int home(long pfn) {
        return (int) ((pfn * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** The slot holding pfn, or -1. */
    int find(long pfn) {
        for (int i = home(pfn); ; i = (i + 1) & mask) {
            long k = table[i * WORDS + KEY];
            if (k == pfn) {
                return i;
            }
            if (k == NONE) {
                return -1;
            }
        }
    }

    /** The slot holding pfn. */
    int slotOf(long pfn) {
        int i = find(pfn);
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
        return find(pfn) >= 0;
    }

    int listAt(int slot) {
        return (int) table[slot * WORDS + LIST];
    }

    long prevAt(int slot) {
        return table[slot * WORDS + PREV];
    }

    long nextAt(int slot) {
        return table[slot * WORDS + NEXT];
    }

    void setPrev(long pfn, long p) {
        table[slotOf(pfn) * WORDS + PREV] = p;
    }

    void setNext(long pfn, long n) {
        table[slotOf(pfn) * WORDS + NEXT] = n;
    }

    /** Adds pfn (not yet linked) on list {@code l} between {@code p} and {@code n}. */
    void insert(long pfn, int l, long p, long n) {
        if ((size + 1) * 2 > mask + 1) {
            rehash((mask + 1) * 2);
        }
        place(pfn, l, p, n);
        size++;
    }

    private void place(long pfn, long l, long p, long n) {
        int i = home(pfn);
        while (table[i * WORDS + KEY] != NONE) {
            if (table[i * WORDS + KEY] == pfn) {
                throw new IllegalStateException("free list links: pfn 0x" + Long.toHexString(pfn) + " is already linked");
            }
            i = (i + 1) & mask;
        }
        int w = i * WORDS;
        table[w + KEY] = pfn;
        table[w + PREV] = p;
        table[w + NEXT] = n;
        table[w + LIST] = l;
    }

    /** Drops the entry in slot (its neighbours' links are the caller's to fix first). */
    void deleteAt(int slot) {
        int hole = slot;
        // backward shift: pull later entries of the probe run into the hole when their home allows it
        for (int j = (hole + 1) & mask; table[j * WORDS + KEY] != NONE; j = (j + 1) & mask) {
            int h = home(table[j * WORDS + KEY]);
            boolean stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
            if (!stays) {
                System.arraycopy(table, j * WORDS, table, hole * WORDS, WORDS);
                hole = j;
            }
        }
        table[hole * WORDS + KEY] = NONE;
        size--;
        if (mask + 1 > MIN_CAPACITY && size * 8 < mask + 1) {
            rehash((mask + 1) / 2);
        }
    }

    private void rehash(int capacity) {
        long[] old = table;
        allocate(capacity);
        for (int w = 0; w < old.length; w += WORDS) {
            if (old[w + KEY] != NONE) {
                place(old[w + KEY], old[w + LIST], old[w + PREV], old[w + NEXT]);
            }
        }
    }

    /** Slots allocated (for tests of the resizing policy). */
    int capacity() {
        return mask + 1;
    }
}
