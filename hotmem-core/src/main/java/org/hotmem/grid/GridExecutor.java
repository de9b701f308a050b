package org.hotmem.grid;

import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs independent {@link GridTask}s, wherever it likes, and streams their results back in task
 * order: {@code inOrder} receives result 0, then 1, ... each exactly once, on the calling thread,
 * as soon as it and all before it are done. A task that throws fails the whole run with an
 * {@link IllegalStateException}; a task whose worker was lost is re-run elsewhere (tasks are
 * idempotent), which the caller never sees except in the log.
 */
public interface GridExecutor extends AutoCloseable {
    <R extends Serializable> void run(List<? extends GridTask<R>> tasks, Consumer<? super R> inOrder, Progress progress);

    /** Where tasks run, for a one-line summary: "2 threads", "hazelcast cluster hotmem, 3 members". */
    String describe();

    /** Releases threads or leaves the cluster. */
    @Override
    void close();

    /** Hears of each finished task (in completion order), on the calling thread of {@link #run}. */
    interface Progress {
        void update(int done, int total);

        Progress NONE = (done, total) -> { };
    }
}
