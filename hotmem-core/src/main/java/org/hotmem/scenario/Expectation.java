package org.hotmem.scenario;

/** Something the scenario states must hold; checked after the run. */
public sealed interface Expectation {
    int line();

    /** An action ends with {@code result} (ok, an errno name, a QMP error class, or timeout) within a virtual time. */
    record ActionResult(String action, String result, long within, int line) implements Expectation {}

    /** A summary metric is within bounds (null bound: unchecked). */
    record Metric(String metric, Double atLeast, Double atMost, Double equals, int line) implements Expectation {}

    /** At the end, every block of the set is in {@code state} (and {@code zone}, if given). */
    record Blocks(BlockSet blocks, String state, String zone, int line) implements Expectation {}
}
