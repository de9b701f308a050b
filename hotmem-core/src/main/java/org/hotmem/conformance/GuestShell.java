package org.hotmem.conformance;

import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.fs.Kernfs;

/**
 * Runs guest commands on a target the way the recording harness does over its serial line:
 * each command is {@code sh -c COMMAND}, a user task named {@code sh} spawned on the
 * machine's kernel, in which {@link BusyboxSh} does the kernfs reads and writes (so sysfs
 * stores may take locks and sleep). The caller's thread then drives the kernel until the
 * task has finished, or until its timeout ({@link #GUEST_TIMEOUT_NS} unless the step says) of
 * virtual time passed.
 *
 * <p>Invariant: holds no state but its final collaborators; the kernel it drives is used by
 * one caller thread at a time.
 */
public final class GuestShell {
    /** Virtual time after which a command that has not finished counts as timed out. */
    public static final long GUEST_TIMEOUT_NS = 120_000_000_000L;

    private final Kernel kernel;
    private final Kernfs fs;

    public GuestShell(Kernel kernel, Kernfs fs) {
        this.kernel = kernel;
        this.fs = fs;
    }

    /** One command's result; {@code result} is null if it timed out. */
    public record Outcome(ShellResult result, long startNs, long endNs) {
        public boolean timedOut() {
            return result == null;
        }
    }

    /**
     * Runs {@code command} to completion in a new task {@code sh}.
     *
     * @throws IllegalStateException if the model failed inside the command (a bug, not a guest error)
     */
    public Outcome run(String command) {
        return run(command, GUEST_TIMEOUT_NS);
    }

    /** Runs {@code command} in a new task {@code sh}, giving up after {@code timeoutNs} of virtual time. */
    public Outcome run(String command, long timeoutNs) {
        long start = kernel.now();
        ShellResult[] result = new ShellResult[1];
        Throwable[] failure = new Throwable[1];
        boolean[] done = new boolean[1];
        BusyboxSh sh = new BusyboxSh(fs, ns -> kernel.nanosleep(Math.max(1, ns / 1_000_000L) * 1_000_000L));
        kernel.spawnProcess("sh", () -> {
            try {
                result[0] = sh.run(command);
            } catch (Throwable t) {
                failure[0] = t;
            } finally {
                done[0] = true;
            }
        });
        long deadline = start + timeoutNs;
        kernel.runUntil(() -> done[0] || kernel.now() >= deadline);
        if (failure[0] != null) {
            throw new IllegalStateException("model failure in guest command '" + command + "': " + failure[0], failure[0]);
        }
        return new Outcome(done[0] ? result[0] : null, start, kernel.now());
    }
}
