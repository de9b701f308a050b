/**
 * Scenarios: YAML files that describe a machine, workloads, a timeline of hypervisor and guest
 * actions at virtual times, and expectations; the runner that plays them on a
 * {@link org.hotmem.machine.Machine}; reports (text, JSON, HTML) and parameter sweeps.
 *
 * <p>Layering: this package sits above {@code machine}; nothing below imports it. A run is a pure
 * function {@code (Scenario, seed) -> RunResult}: no wall-clock time, no shared mutable state.
 */
package org.hotmem.scenario;
