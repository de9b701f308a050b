/**
 * Sweeps on a Hazelcast cluster: the {@link org.hotmem.grid.GridBackend} named {@code hazelcast}.
 * {@link org.hotmem.cluster.MemberConfig} builds a member's configuration (by default an embedded
 * member on 127.0.0.1 that finds its peers by a TCP-IP member list, multicast off);
 * {@link org.hotmem.cluster.HazelcastGridExecutor} hands tasks to the members that run hotmem
 * tasks and streams the results back in task order; {@link org.hotmem.cluster.HazelcastBackend}
 * is the entry point ({@code --cluster}, {@code hotmem worker}). Only this module depends on
 * Hazelcast: hotmem-core knows the seam, not the engine.
 */
package org.hotmem.cluster;
