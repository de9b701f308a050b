package org.hotmem.mm;

/**
 * The memmap of one section: for every page its info word, owner word (see {@link PageState})
 * and content token, stored per pageblock in one of two forms.
 * <ul>
 *   <li><b>Pattern:</b> the first page of the pageblock has one (info, owner) pair and every
 *       other page another, all tokens 0. That is what memory holding nothing looks like: an
 *       uninitialised (poisoned) or reserved range, self-hosted vmemmap, or a pageblock inside
 *       a free chunk of pageblock order or more (a Buddy head and free tails, or free tails
 *       only). A pattern pageblock costs two longs, however many pages it has.
 *   <li><b>Materialised:</b> three arrays of one word per page (the token array only once a
 *       page of the pageblock has a non-zero token), 16 bytes per page, as soon as a write
 *       breaks the pattern (a page allocated, a smaller free chunk queued).
 * </ul>
 * Whole-pageblock writes ({@link #fill}) return a pageblock to the pattern form and drop its
 * arrays, so memory that becomes free or is poisoned again stops costing per-page words. This is
 * hotmem's storage only: what the model charges the guest for struct pages is
 * {@link SparseVmemmap}'s, as in Linux, whichever form the pages are in here.
 *
 * <p>Invariants: a pageblock is in exactly one form ({@code info[pb] == null} iff pattern, and then
 * {@code owner[pb]} and {@code token[pb]} are null too); reading a page gives the same words in
 * either form; a token array exists only for a materialised pageblock.
 *
 * <p>Guarded by: as the pages it describes (see {@link MemSection}).
 */
final class Memmap {
    private final int pbShift;
    private final int pbMask;
    private final int[][] info;
    private final int[][] owner;
    private final long[][] token;
    /** Pattern form: the words (owner << 32 | info) of the pageblock's first page and of the others. */
    private final long[] head;
    private final long[] rest;

    /** A memmap of {@code pages} poisoned pages in pageblocks of 2^pbShift pages. */
    Memmap(int pages, int pbShift) {
        this.pbShift = pbShift;
        this.pbMask = (1 << pbShift) - 1;
        int pbs = pages >>> pbShift;
        info = new int[pbs][];
        owner = new int[pbs][];
        token = new long[pbs][];
        head = new long[pbs];
        rest = new long[pbs];
    }

    static long word(int info, int owner) {
        return ((long) owner << 32) | (info & 0xffffffffL);
    }

    private long patternWord(int pb, int i) {
        return (i & pbMask) == 0 ? head[pb] : rest[pb];
    }

    int info(int i) {
        int pb = i >>> pbShift;
        int[] a = info[pb];
        return a != null ? a[i & pbMask] : (int) patternWord(pb, i);
    }

    int owner(int i) {
        int pb = i >>> pbShift;
        int[] a = owner[pb];
        return a != null ? a[i & pbMask] : (int) (patternWord(pb, i) >>> 32);
    }

    long token(int i) {
        long[] t = token[i >>> pbShift];
        return t == null ? 0 : t[i & pbMask];
    }

    /** Sets the info and owner words of page i (its token stays). */
    void set(int i, int inf, int own) {
        int pb = i >>> pbShift;
        if (info[pb] == null) {
            if (patternWord(pb, i) == word(inf, own)) {
                return;
            }
            materialise(pb);
        }
        info[pb][i & pbMask] = inf;
        owner[pb][i & pbMask] = own;
    }

    void setToken(int i, long t) {
        int pb = i >>> pbShift;
        if (token[pb] == null) {
            if (t == 0) {
                return;
            }
            if (info[pb] == null) {
                materialise(pb);
            }
            token[pb] = new long[pbMask + 1];
        }
        token[pb][i & pbMask] = t;
    }

    private void materialise(int pb) {
        int n = pbMask + 1;
        int[] inf = new int[n];
        int[] own = new int[n];
        java.util.Arrays.fill(inf, (int) rest[pb]);
        java.util.Arrays.fill(own, (int) (rest[pb] >>> 32));
        inf[0] = (int) head[pb];
        own[0] = (int) (head[pb] >>> 32);
        info[pb] = inf;
        owner[pb] = own;
    }

    /**
     * Pages [from, to): page {@code from} gets the words {@code first}, the others {@code others}
     * (see {@link #word}), every token 0. Pageblocks the range covers whole take the pattern form.
     */
    void fill(int from, int to, long first, long others) {
        int i = from;
        while (i < to) {
            int pb = i >>> pbShift;
            int pbStart = pb << pbShift;
            int pbEnd = pbStart + pbMask + 1;
            long w = i == from ? first : others;
            if (i == pbStart && to >= pbEnd) {
                info[pb] = null;
                owner[pb] = null;
                token[pb] = null;
                head[pb] = w;
                rest[pb] = others;
                i = pbEnd;
                continue;
            }
            set(i, (int) w, (int) (w >>> 32));
            setToken(i, 0);
            i++;
        }
    }

    /**
     * The end of the run of pages from i that are known to carry page i's words and token 0
     * without looking at them one by one: the end of i's pageblock when it is in the pattern
     * form and i is not its distinct first page, else i + 1.
     */
    int runEnd(int i) {
        int pb = i >>> pbShift;
        if (info[pb] != null || ((i & pbMask) == 0 && head[pb] != rest[pb])) {
            return i + 1;
        }
        return (pb + 1) << pbShift;
    }

    /** Pageblocks in the materialised form. */
    int materialisedPageblocks() {
        int n = 0;
        for (int[] a : info) {
            if (a != null) {
                n++;
            }
        }
        return n;
    }

    /** Bytes of storage held: the pattern words and every materialised array (array headers not counted). */
    long bytes() {
        long n = (long) head.length * 2 * Long.BYTES + (long) info.length * 3 * 4; // patterns + array references
        for (int pb = 0; pb < info.length; pb++) {
            if (info[pb] != null) {
                n += (long) (pbMask + 1) * 2 * Integer.BYTES;
            }
            if (token[pb] != null) {
                n += (long) (pbMask + 1) * Long.BYTES;
            }
        }
        return n;
    }
}
