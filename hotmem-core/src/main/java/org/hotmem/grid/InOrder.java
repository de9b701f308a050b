package org.hotmem.grid;

import java.util.function.Consumer;

/**
 * A reorder buffer for {@link GridExecutor}s: results arrive by task index in any order and leave in index order.
 *
 * <p>Invariant: every index below {@code next} has been delivered and its slot cleared; a slot at
 * or above {@code next} holds its result once it arrived. Confined to the thread that runs the
 * executor's {@code run}.
 */
public final class InOrder<R> {
    private final Consumer<? super R> sink;
    private final GridExecutor.Progress progress;
    private final Object[] ready;
    private final boolean[] arrived;
    private int next;
    private int done;

    public InOrder(int tasks, Consumer<? super R> sink, GridExecutor.Progress progress) {
        this.sink = sink;
        this.progress = progress;
        this.ready = new Object[tasks];
        this.arrived = new boolean[tasks];
    }

    /** Records the result of task {@code index}; false (and ignored) if it had already arrived. */
    @SuppressWarnings("unchecked")
    public boolean complete(int index, R result) {
        if (arrived[index]) return false;
        arrived[index] = true;
        ready[index] = result;
        progress.update(++done, ready.length);
        while (next < ready.length && arrived[next]) {
            R r = (R) ready[next];
            ready[next++] = null;
            sink.accept(r);
        }
        return true;
    }

    public boolean arrived(int index) {
        return arrived[index];
    }

    public boolean finished() {
        return next == ready.length;
    }
}
