package org.hotmem.kernel;

import java.util.List;

/**
 * A BUG() in kernel code: the oops lines are printed and the task that hit it dies in the
 * kernel (make_task_dead()). Thrown by the code that hits the BUG and caught where the model
 * decides how the task ends ({@link #die}). The lines are the recorded oops's own
 * (../shared/linux-recorder-ppc: register dumps and addresses are left out).
 */
public final class KernelBug extends RuntimeException {
    private final String where;
    private final List<String> trace;

    /**
     * @param where "mm/balloon_compaction.c:191"
     * @param trace the call trace, innermost first ("balloon_page_dequeue+0xcc/0xe0", ...)
     */
    public KernelBug(String where, List<String> trace) {
        super("kernel BUG at " + where + "!");
        this.where = where;
        this.trace = List.copyOf(trace);
    }

    public String where() {
        return where;
    }

    /**
     * Prints the oops (die() in arch/powerpc/kernel/traps.c) and ends the current task inside
     * the kernel with irqs off: it never runs again and keeps every lock it holds.
     */
    public void die(Kernel kernel) {
        Dmesg log = kernel.dmesg();
        log.printk(LogLevel.WARNING, "------------[ cut here ]------------");
        log.printk(LogLevel.CRIT, getMessage());
        log.printk(LogLevel.EMERG, "Oops: Exception in kernel mode, sig: 5 [#1]");
        log.printk(LogLevel.EMERG, "NIP [" + trace.get(0) + "]");
        log.printk(LogLevel.WARNING, "Call Trace:");
        for (String t : trace) {
            log.printk(LogLevel.WARNING, t);
        }
        log.printk(LogLevel.WARNING, "---[ end trace 0000000000000000 ]---");
        Task t = kernel.current();
        log.printk(LogLevel.INFO, "note: " + t.comm() + "[" + t.pid() + "] exited with irqs disabled");
        kernel.scheduleTimeoutUninterruptible(Long.MAX_VALUE / 4); // model: the dead task never runs again
        throw new IllegalStateException("a task that died in a BUG ran again");
    }
}
