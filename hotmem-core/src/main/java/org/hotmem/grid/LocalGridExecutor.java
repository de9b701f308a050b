package org.hotmem.grid;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The default {@link GridExecutor}: a fixed pool of daemon threads in this JVM. Tasks start in
 * task order; each finished task posts its index and result to a queue that the calling thread
 * drains into an {@link InOrder} buffer, so progress and results are delivered on that thread.
 *
 * <p>Invariant: {@code pool} is owned by this executor and shut down by {@link #close()}.
 */
public final class LocalGridExecutor implements GridExecutor {
    private final int threads;
    private final ExecutorService pool;

    public LocalGridExecutor(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, "hotmem-grid");
            t.setDaemon(true);
            return t;
        });
    }

    private record Done(int index, Object result, Throwable failure) {}

    @Override
    @SuppressWarnings("unchecked")
    public <R extends Serializable> void run(List<? extends GridTask<R>> tasks, Consumer<? super R> inOrder, Progress progress) {
        BlockingQueue<Done> finished = new LinkedBlockingQueue<>();
        InOrder<R> buffer = new InOrder<>(tasks.size(), inOrder, progress);
        for (int i = 0; i < tasks.size(); i++) {
            int index = i;
            GridTask<R> task = tasks.get(i);
            pool.execute(() -> {
                try {
                    finished.add(new Done(index, task.call(), null));
                } catch (Throwable t) {
                    finished.add(new Done(index, null, t));
                }
            });
        }
        try {
            while (!buffer.finished()) {
                Done d = finished.take();
                if (d.failure() != null) throw new IllegalStateException("task " + d.index() + " failed: " + d.failure(), d.failure());
                buffer.complete(d.index(), (R) d.result());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String describe() {
        return threads + (threads == 1 ? " thread" : " threads");
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
