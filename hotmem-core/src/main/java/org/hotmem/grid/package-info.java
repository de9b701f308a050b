/**
 * Where independent tasks run: the executor seam under sweeps (and, later, explorations).
 *
 * <p>A {@link org.hotmem.grid.GridTask} is a pure function of what it carries (scenario bytes,
 * parameters, a seed or schedule range) to a result: running it twice, anywhere, gives the same
 * result, so an executor may re-run a task whose worker was lost. A
 * {@link org.hotmem.grid.GridExecutor} runs a list of tasks and hands back their results in task
 * order, whatever order they finished in, so the output of a sweep does not depend on where it ran.
 * {@link org.hotmem.grid.LocalGridExecutor} is a thread pool in this JVM (the default);
 * distributed engines plug in as a {@link org.hotmem.grid.GridBackend} found by
 * {@link java.util.ServiceLoader} (the Hazelcast one lives in the hotmem-cluster module, so this
 * package and hotmem-core stay free of it).
 */
package org.hotmem.grid;
