package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.hotmem.power.DesignRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three designs of seed 001 on the documented workload (README, "hibernate --compare"):
 * every assertion relates figures of the runs to each other or to the workload, none is a
 * recorded number.
 */
class HibernateCompareTest {
    @TempDir static Path dir;
    static List<HibernateCompare.Row> rows;
    static HibernateCompare.Workload w = HibernateCompare.Workload.documented();

    @BeforeAll
    static void compare() {
        rows = HibernateCompare.run(w, dir);
        System.out.print(HibernateCompare.table(rows));
    }

    static DesignRun run(int i) { return rows.get(i).run(); }

    @Test
    void swsuspPreallocatesACopyOfEverySavedPageAndResumesIntact() {
        DesignRun a = run(0);
        assertNull(a.failure());
        assertEquals(a.snapshotPoint().size(), a.extraPages(), "one preallocated copy page per saveable page");
        assertTrue(a.pagesWritten() > w.anonPages());
        assertEquals("resumed, intact", rows.get(0).resumed());
        assertTrue(rows.get(0).resumeNs() > 0);
    }

    @Test
    void twoPagesetsNeedOnlyThePartOfPageset1LargerThanPageset2() {
        DesignRun b = run(1);
        assertNull(b.failure());
        long pageset2 = b.snapshotPoint().size() - pageset1(b);
        assertEquals(Math.max(0, pageset1(b) - pageset2), b.extraPages());
        assertTrue(b.extraPages() < run(0).extraPages() / 10, b.extraPages() + " vs " + run(0).extraPages());
        assertEquals(b.snapshotPoint().size(), b.pagesWritten(), "every saveable page written once");
        assertEquals("resumed, intact", rows.get(1).resumed());
    }

    /** Pageset 1: the saved pages that are not the tasks' LRU pages, counted from the copy of the large-reserve COW run. */
    static long pageset1(DesignRun b) {
        DesignRun c = run(2);
        return c.extraPages() - w.reserves().get(0);
    }

    @Test
    void copyOnWriteKeepsTheTasksRunningAndLosesTheirLaterStoresOnResume() {
        DesignRun c = run(2);
        assertNull(c.failure());
        assertTrue(c.downtimeNs() < run(0).downtimeNs() / 2 && c.downtimeNs() < run(1).downtimeNs() / 2,
                c.downtimeNs() + " vs " + run(0).downtimeNs() + ", " + run(1).downtimeNs());
        assertTrue(c.powerOffNs() > c.downtimeNs());
        // the worker stored at its rate while the tasks ran: about storesPerSec per second of running time
        double running = (c.powerOffNs() - c.downtimeNs()) / 1e9;
        assertEquals(w.storesPerSec() * running, c.lostWrites(), w.storesPerSec() * running * 0.1 + 50);
        assertEquals("resumed, intact", rows.get(2).resumed(), "the image holds the snapshot point, not the later stores");
    }

    @Test
    void aCowReserveSmallerThanThePagesStoredToBeforeTheirWriteAbortsTheSnapshot() {
        DesignRun small = run(3);
        int reserve = w.reserves().get(1);
        assertEquals("COW reserve exhausted after " + reserve + " copies: snapshot aborted (ENOMEM), no image, tasks ran on",
                small.failure());
        assertEquals("no image", rows.get(3).resumed());
        assertEquals("no image", rows.get(3).unplugged());
    }

    @Test
    void noDesignResumesInAMachineWhoseMemoryChanged() {
        for (HibernateCompare.Row r : rows) {
            if (!r.run().completed()) continue;
            assertEquals("refused: Image mismatch: memory size", r.unplugged(), r.run().design());
            assertEquals("refused: Image mismatch: memory size", r.plugged(), r.run().design());
        }
    }
}
