package org.hotmem.kernel;

/**
 * How a task's sequential code is suspended and resumed: the baton that makes exactly one task
 * (or the driver) run at a time. The scheduling decision is always made by the kernel; a
 * dispatcher only carries it out, so the carrier threads' own scheduling never decides anything.
 */
interface Dispatcher {
    /** On the driver's thread: run {@code first} (and whoever it hands the CPU to) until the CPU comes back to the driver. */
    void runFromDriver(Task first);

    /** In {@code prev}'s context: give the CPU to {@code next} (null: to the driver); returns when {@code prev} runs again. */
    void switchTo(Task prev, Task next);

    /** In {@code prev}'s context, as its last act: give the CPU to {@code next} (null: to the driver). */
    void exit(Task prev, Task next);

    /** The mechanism's name, for reports. */
    String name();
}
