package org.hotmem.grid;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One unit of work for a {@link GridExecutor}: a pure function of its fields, serializable so that
 * it can run on another machine (which has the same hotmem classes), and idempotent by
 * construction: it reads nothing but its fields and writes nothing but its result.
 *
 * @param <R> the result, serializable so that it can come back
 */
public interface GridTask<R extends Serializable> extends Callable<R>, Serializable {
    /** Computes the result. Throws only on a bug (expected failures belong in the result). */
    @Override
    R call();
}
