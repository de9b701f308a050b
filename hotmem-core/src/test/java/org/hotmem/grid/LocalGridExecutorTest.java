package org.hotmem.grid;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalGridExecutorTest {
    /** Task i returns i; task 0 finishes last (it waits until every other task has finished). */
    record Waiting(int i, CountDownLatch others) implements GridTask<Integer> {
        @Override public Integer call() {
            if (i == 0) {
                try {
                    others.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                others.countDown();
            }
            return i;
        }
    }

    @Test
    void resultsComeInTaskOrderAlthoughTheyFinishOutOfOrder() {
        int n = 6;
        CountDownLatch others = new CountDownLatch(n - 1);
        List<Waiting> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) tasks.add(new Waiting(i, others));
        List<Integer> results = new ArrayList<>();
        List<Integer> progress = new ArrayList<>();
        try (LocalGridExecutor ex = new LocalGridExecutor(3)) {
            ex.run(tasks, results::add, (done, total) -> {
                // when the first progress comes, task 0 is still waiting: nothing has been delivered
                if (done == 1) assertTrue(results.isEmpty(), results.toString());
                progress.add(done);
            });
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), results);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), progress);
    }

    record Failing() implements GridTask<Integer> {
        @Override public Integer call() {
            throw new ArithmeticException("boom");
        }
    }

    @Test
    void aTaskThatThrowsFailsTheRunNamingIt() {
        try (LocalGridExecutor ex = new LocalGridExecutor(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ex.run(List.of(new Failing()), r -> { }, GridExecutor.Progress.NONE));
            assertEquals("task 0 failed: java.lang.ArithmeticException: boom", e.getMessage());
        }
    }

    @Test
    void aResultThatArrivesTwiceIsDeliveredOnce() {
        List<String> out = new ArrayList<>();
        InOrder<String> buffer = new InOrder<>(2, out::add, GridExecutor.Progress.NONE);
        assertTrue(buffer.complete(1, "b"));
        assertFalse(buffer.complete(1, "b"));
        assertTrue(out.isEmpty());
        assertTrue(buffer.complete(0, "a"));
        assertEquals(List.of("a", "b"), out);
        assertTrue(buffer.finished());
    }
}
