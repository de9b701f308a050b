package org.hotmem.conformance;

import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.power.Hibernation;

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
    /** The machine's disks for mkswap/swapon, or null. */
    private final Hibernation power;
    /** The machine's programs beyond busybox's applets. */
    private final java.util.Map<String, org.hotmem.kernel.UserProgram> programs;

    public GuestShell(Kernel kernel, Kernfs fs) {
        this(kernel, fs, null);
    }

    /** A shell whose mkswap and swapon reach {@code power}'s block devices. */
    public GuestShell(Kernel kernel, Kernfs fs, Hibernation power) {
        this(kernel, fs, power, java.util.Map.of());
    }

    /** As above, with the machine's further programs (insmod, rmmod, memhog). */
    public GuestShell(Kernel kernel, Kernfs fs, Hibernation power, java.util.Map<String, org.hotmem.kernel.UserProgram> programs) {
        this.kernel = kernel;
        this.fs = fs;
        this.power = power;
        this.programs = programs;
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
        Pending p = start(command);
        long deadline = p.startNs + timeoutNs;
        kernel.runUntil(() -> p.done() || kernel.now() >= deadline);
        return p.outcome();
    }

    /**
     * Sends {@code command} without waiting ({@code guest-async:}): a new task {@code sh} that
     * runs as the kernel is driven, also across a hibernation (it is the task that wrote
     * {@code disk} and continues when its kernel is restored).
     */
    public Pending start(String command) {
        Pending p = new Pending(command, kernel);
        BusyboxSh sh = new BusyboxSh(fs, ns -> kernel.nanosleep(Math.max(1, ns / 1_000_000L) * 1_000_000L), power, programs);
        kernel.spawnProcess("sh", () -> {
            try {
                p.result = sh.run(command);
            } catch (Throwable t) {
                p.failure = t;
            } finally {
                p.done = true;
            }
        });
        return p;
    }

    /** A command that was sent; its result is set by the task {@code sh} when it finishes. */
    public static final class Pending {
        private final String command;
        private final Kernel kernel;
        private final long startNs;
        private ShellResult result;
        private Throwable failure;
        private boolean done;

        private Pending(String command, Kernel kernel) {
            this.command = command;
            this.kernel = kernel;
            this.startNs = kernel.now();
        }

        /** Whether the command has finished. */
        public boolean done() {
            return done;
        }

        /**
         * The outcome so far (a null result while it runs), ending at its kernel's uptime now.
         *
         * @throws IllegalStateException if the model failed inside the command (a bug, not a guest error)
         */
        public Outcome outcome() {
            if (failure != null) {
                throw new IllegalStateException("model failure in guest command '" + command + "': " + failure, failure);
            }
            return new Outcome(done ? result : null, startNs, kernel.now());
        }
    }
}
