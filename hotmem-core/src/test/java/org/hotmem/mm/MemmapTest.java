package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * A section's memmap stores a pageblock as a pattern until a write breaks it, and returns to
 * the pattern on a whole-pageblock write; reads are the same in either form.
 */
class MemmapTest {
    private static final int PAGES = 4096;
    private static final int PB_SHIFT = 9;

    @Test
    void aNewMemmapIsPoisonedAndHoldsNoPerPageWords() {
        Memmap m = new Memmap(PAGES, PB_SHIFT);
        for (int i = 0; i < PAGES; i++) {
            assertEquals(PageState.POISONED, m.info(i));
            assertEquals(0, m.owner(i));
            assertEquals(0, m.token(i));
        }
        assertEquals(0, m.materialisedPageblocks());
        assertEquals(512, m.runEnd(0));
    }

    @Test
    void writingWhatThePatternSaysKeepsThePattern() {
        Memmap m = new Memmap(PAGES, PB_SHIFT);
        m.fill(0, 1024, Memmap.word(PageState.BUDDY, 10), Memmap.word(PageState.FREE_TAIL, 0));
        m.set(0, PageState.BUDDY, 10);
        m.set(700, PageState.FREE_TAIL, 0);
        m.setToken(5, 0);
        assertEquals(0, m.materialisedPageblocks());
        assertEquals(1, m.runEnd(0)); // the head differs from the rest
        assertEquals(512, m.runEnd(1));
        assertEquals(1024, m.runEnd(512)); // a pageblock of free tails only
    }

    @Test
    void aDifferentWordMaterialisesOnlyItsPageblockAndAWholeFillDropsIt() {
        Memmap m = new Memmap(PAGES, PB_SHIFT);
        m.fill(0, PAGES, Memmap.word(PageState.RESERVED, 0), Memmap.word(PageState.RESERVED, 0));
        m.set(513, PageState.LRU | (7 << PageState.SLOT_SHIFT), 3);
        m.setToken(513, 0xabcL);
        assertEquals(1, m.materialisedPageblocks());
        assertEquals(PageState.RESERVED, m.info(512));
        assertEquals(PageState.LRU | (7 << PageState.SLOT_SHIFT), m.info(513));
        assertEquals(3, m.owner(513));
        assertEquals(0xabcL, m.token(513));
        assertEquals(0, m.token(514));
        assertEquals(514, m.runEnd(513));
        m.fill(512, 1024, Memmap.word(PageState.POISONED, 0), Memmap.word(PageState.POISONED, 0));
        assertEquals(0, m.materialisedPageblocks());
        assertEquals(0, m.token(513));
        assertEquals(PageState.POISONED, m.info(513));
    }

    @Test
    void aPartialFillWritesPagesAndLeavesTheRest() {
        Memmap m = new Memmap(PAGES, PB_SHIFT);
        m.fill(256, 1300, Memmap.word(PageState.BUDDY, 8), Memmap.word(PageState.FREE_TAIL, 0));
        assertEquals(2, m.materialisedPageblocks()); // [256, 512) and [1024, 1300) are partial
        assertEquals(PageState.POISONED, m.info(255));
        assertEquals(PageState.BUDDY, m.info(256));
        assertEquals(8, m.owner(256));
        assertEquals(PageState.FREE_TAIL, m.info(257));
        assertEquals(PageState.FREE_TAIL, m.info(512)); // a whole pageblock not at the start: tails only
        assertEquals(1024, m.runEnd(513));
        assertEquals(PageState.FREE_TAIL, m.info(1299));
        assertEquals(PageState.POISONED, m.info(1300));
    }

    /** Random writes against a plain per-page reference; the seed is printed with any failure. */
    @Test
    void readsMatchAPlainArrayUnderRandomWrites() {
        long seed = 4242L;
        SplittableRandom rnd = new SplittableRandom(seed);
        Memmap m = new Memmap(PAGES, PB_SHIFT);
        int[] info = new int[PAGES];
        int[] owner = new int[PAGES];
        long[] token = new long[PAGES];
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(4);
            if (op == 0) {
                int from = rnd.nextInt(PAGES);
                int to = Math.min(PAGES, from + rnd.nextInt(1500));
                int k1 = rnd.nextInt(4);
                int k2 = rnd.nextInt(4);
                m.fill(from, to, Memmap.word(k1, 5), Memmap.word(k2, 0));
                for (int i = from; i < to; i++) {
                    info[i] = i == from ? k1 : k2;
                    owner[i] = i == from ? 5 : 0;
                    token[i] = 0;
                }
            } else if (op == 1) {
                int i = rnd.nextInt(PAGES);
                int inf = rnd.nextInt(9);
                m.set(i, inf, i);
                info[i] = inf;
                owner[i] = i;
            } else if (op == 2) {
                int i = rnd.nextInt(PAGES);
                long t = rnd.nextInt(3);
                m.setToken(i, t);
                token[i] = t;
            } else if (step % 50 == 0) {
                for (int i = 0; i < PAGES; ) {
                    if (info[i] != m.info(i) || owner[i] != m.owner(i) || token[i] != m.token(i)) {
                        fail("seed " + seed + " step " + step + " page " + i);
                    }
                    int end = m.runEnd(i);
                    for (int j = i + 1; j < end; j++) {
                        if (info[j] != info[i] || owner[j] != owner[i] || token[j] != 0) {
                            fail("seed " + seed + " step " + step + ": run from " + i + " to " + end + " differs at " + j);
                        }
                    }
                    i = end;
                }
            }
        }
    }
}
