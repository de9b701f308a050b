package org.hotmem.kernel;

/**
 * Thrown by {@link Kernel#runUntilIdle()}, {@link Kernel#runUntil} and {@link Kernel#runFor}
 * when a task's body threw something other than a {@link KernelException}: the model itself is
 * broken (an oops), so the run stops loudly, naming the task. The kernel stays failed: every
 * later run call throws the same exception.
 */
public final class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Task task;

    TaskFailedException(Task task, Throwable cause) {
        super("task " + task + " failed at " + Dmesg.timestamp(task.kernel.now()) + ": " + cause, cause);
        this.task = task;
    }

    /** The task whose body threw. */
    public Task task() { return task; }
}
