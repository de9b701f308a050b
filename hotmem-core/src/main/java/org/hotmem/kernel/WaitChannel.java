package org.hotmem.kernel;

/** Something a task can sleep on; says what, for deadlock and hung-task reports. */
interface WaitChannel {
    /** For example {@code mutex device_hotplug_lock (held by kworker/0:1/7)}. */
    String describeWait();

    /** The kernel function the task sleeps in, for a task dump's call trace, or null. */
    default String symbol() { return null; }
}
