package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The free lists keep Linux's list order: add_to_free_list() queues at the head,
 * add_to_free_list_tail() at the tail, list_first_entry() is the head, and
 * del_page_from_free_list() unlinks any chunk in O(1), leaving its neighbours in order.
 */
class FreeAreaTest {
    /** Pops the whole list of (order, mt) in list order. */
    private static List<Long> drain(FreeArea fa, int order, MigrateType mt) {
        List<Long> out = new ArrayList<>();
        for (long pfn = fa.first(order, mt); pfn >= 0; pfn = fa.first(order, mt)) {
            assertTrue(fa.remove(pfn, order, mt));
            out.add(pfn);
        }
        return out;
    }

    @Test
    void headAndTailInsertionGiveListOrder() {
        FreeArea fa = new FreeArea(Arch.X86_64.nrOrders());
        fa.add(0x1000, 3, MigrateType.MOVABLE, true);
        fa.add(0x2000, 3, MigrateType.MOVABLE, true);
        fa.add(0x3000, 3, MigrateType.MOVABLE, false);
        fa.add(0x4000, 3, MigrateType.MOVABLE, true);
        fa.add(0x5000, 3, MigrateType.MOVABLE, false);
        assertEquals(0x5000, fa.first(3, MigrateType.MOVABLE));
        assertEquals(5, fa.nrFree(3, MigrateType.MOVABLE));
        assertEquals(5, fa.nrFree(3));
        assertEquals(5 * 8, fa.freePages());
        assertEquals(List.of(0x5000L, 0x3000L, 0x1000L, 0x2000L, 0x4000L), drain(fa, 3, MigrateType.MOVABLE));
        assertEquals(0, fa.freePages());
    }

    @Test
    void removingFromTheMiddleKeepsTheNeighboursInOrder() {
        FreeArea fa = new FreeArea(Arch.X86_64.nrOrders());
        for (long pfn = 0; pfn < 8 * 1024; pfn += 1024) {
            fa.add(pfn, 10, MigrateType.MOVABLE, true);
        }
        assertTrue(fa.remove(3 * 1024, 10, MigrateType.MOVABLE));
        assertTrue(fa.remove(0, 10, MigrateType.MOVABLE)); // the head
        assertTrue(fa.remove(7 * 1024, 10, MigrateType.MOVABLE)); // the tail
        fa.add(0x100000, 10, MigrateType.MOVABLE, true); // the new tail follows the old tail's predecessor
        assertEquals(List.of(1024L, 2048L, 4096L, 5120L, 6144L, 0x100000L), drain(fa, 10, MigrateType.MOVABLE));
    }

    @Test
    void removeFromAnotherListChangesNothing() {
        FreeArea fa = new FreeArea(Arch.X86_64.nrOrders());
        fa.add(512, 9, MigrateType.MOVABLE, true);
        assertFalse(fa.remove(512, 9, MigrateType.ISOLATE));
        assertFalse(fa.remove(512, 8, MigrateType.MOVABLE));
        assertFalse(fa.remove(1024, 9, MigrateType.MOVABLE));
        assertEquals(1, fa.nrFree(9));
        assertEquals(512, fa.freePages());
        assertEquals(512, fa.first(9, MigrateType.MOVABLE));
        assertEquals(-1, fa.first(9, MigrateType.ISOLATE));
    }

    @Test
    void aChunkIsOnOneListAtATime() {
        FreeArea fa = new FreeArea(Arch.X86_64.nrOrders());
        fa.add(2048, 1, MigrateType.UNMOVABLE, false);
        assertThrows(IllegalStateException.class, () -> fa.add(2048, 1, MigrateType.MOVABLE, false));
        assertEquals(1, fa.nrFree(1));
    }

    @Test
    void tableGrowsAndShrinksWithTheChunksItHolds() {
        FreeListLinks links = new FreeListLinks();
        int initial = links.capacity();
        // pfns on a 2^20 stride: the worst case for a hash of the low bits
        for (long i = 0; i < 100_000; i++) {
            links.insert(i << 20, 0, FreeListLinks.NONE, FreeListLinks.NONE);
        }
        assertEquals(100_000, links.size());
        assertTrue(links.capacity() >= 200_000 && links.capacity() <= 4 * 200_000, "capacity " + links.capacity());
        for (long i = 0; i < 100_000; i++) {
            if (i % 1000 != 0) {
                links.deleteAt(links.slotOf(i << 20));
            }
        }
        assertEquals(100, links.size());
        assertTrue(links.capacity() <= 8 * 100 * 2, "capacity after deletes " + links.capacity());
        assertTrue(links.capacity() >= initial);
        for (long i = 0; i < 100_000; i++) {
            assertEquals(i % 1000 == 0, links.contains(i << 20), "pfn " + (i << 20));
        }
    }

    /**
     * Random adds (head or tail), removals of arbitrary chunks and pops of the first, on pfns with
     * strides that collide in a naive hash, against a reference of plain deques.
     */
    @Test
    void randomOperationsMatchAReferenceList() {
        long seed = 20261203L;
        SplittableRandom rnd = new SplittableRandom(seed);
        FreeArea fa = new FreeArea(Arch.X86_64.nrOrders());
        int orders = 4;
        MigrateType[] mts = {MigrateType.MOVABLE, MigrateType.UNMOVABLE, MigrateType.ISOLATE};
        @SuppressWarnings("unchecked")
        Deque<Long>[][] ref = new Deque[orders][mts.length];
        for (Deque<Long>[] r : ref) {
            for (int m = 0; m < r.length; m++) {
                r[m] = new ArrayDeque<>();
            }
        }
        List<long[]> present = new ArrayList<>(); // {pfn, order, mt index}
        Set<Long> known = new HashSet<>();
        long[] strides = {1, 512, 1024, 1L << 15, 1L << 22};
        long expectedFree = 0;
        for (int step = 0; step < 100_000; step++) {
            int op = rnd.nextInt(10);
            if (op < 4 || present.isEmpty()) {
                long pfn = strides[rnd.nextInt(strides.length)] * rnd.nextInt(1 << 12);
                if (!known.add(pfn)) {
                    continue;
                }
                int o = rnd.nextInt(orders);
                int m = rnd.nextInt(mts.length);
                boolean tail = rnd.nextBoolean();
                fa.add(pfn, o, mts[m], tail);
                if (tail) {
                    ref[o][m].addLast(pfn);
                } else {
                    ref[o][m].addFirst(pfn);
                }
                present.add(new long[] {pfn, o, m});
                expectedFree += 1L << o;
            } else if (op < 8) {
                long[] p = present.remove(rnd.nextInt(present.size()));
                assertTrue(fa.remove(p[0], (int) p[1], mts[(int) p[2]]), "seed " + seed + " step " + step);
                ref[(int) p[1]][(int) p[2]].remove(p[0]);
                known.remove(p[0]);
                expectedFree -= 1L << p[1];
            } else {
                int o = rnd.nextInt(orders);
                int m = rnd.nextInt(mts.length);
                Long want = ref[o][m].peekFirst();
                assertEquals(want == null ? -1 : want, fa.first(o, mts[m]), "seed " + seed + " step " + step);
                if (want != null) {
                    assertTrue(fa.remove(want, o, mts[m]));
                    ref[o][m].removeFirst();
                    present.removeIf(p -> p[0] == want);
                    known.remove(want);
                    expectedFree -= 1L << o;
                }
            }
            assertEquals(expectedFree, fa.freePages(), "seed " + seed + " step " + step);
        }
        for (int o = 0; o < orders; o++) {
            for (int m = 0; m < mts.length; m++) {
                assertEquals(ref[o][m].size(), fa.nrFree(o, mts[m]), "seed " + seed);
                assertEquals(List.copyOf(ref[o][m]), drain(fa, o, mts[m]), "seed " + seed + " order " + o + " " + mts[m]);
            }
        }
    }
}
