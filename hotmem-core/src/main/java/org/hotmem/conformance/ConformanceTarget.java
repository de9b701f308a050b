package org.hotmem.conformance;

import org.hotmem.hv.QmpMonitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.power.Hibernation;

/**
 * What the conformance runner needs of a booted machine (the {@code Machine} contract in
 * DESIGN.md): its kernel, its kernfs, QMP, events, the kernel log and virtual time. Guest
 * commands run as user tasks spawned on {@link #kernel()} ({@link #runGuest}); a target whose
 * guest commands run elsewhere (a real shell against a live machine) overrides {@link #now},
 * {@link #runGuest} and {@link #runFor} and needs no kernel of its own.
 */
public interface ConformanceTarget extends AutoCloseable {
    /** The guest kernel (tasks, virtual clock). */
    Kernel kernel();

    /** The machine's sysfs/procfs tree. */
    Kernfs fs();

    /** The machine's hibernation core with its virtio disks (the guest's mkswap and swapon), or null. */
    default Hibernation power() {
        return null;
    }

    /** The guest's programs beyond busybox's applets (insmod, rmmod, memhog), by name. */
    default java.util.Map<String, org.hotmem.kernel.UserProgram> programs() {
        return java.util.Map.of();
    }

    /**
     * Executes one QMP command; {@code args} is the arguments object ({@code {}} when the
     * scenario gives none). Returns QEMU's reply, {@code {"return": ...}} or
     * {@code {"error": {"class": ..., "desc": ...}}}.
     */
    ObjectNode qmp(String execute, ObjectNode args);

    /** Raw QMP input text, read as QEMU's monitor reads it ({@link QmpMonitor}): one reply per request. */
    default java.util.List<ObjectNode> qmpText(String text) {
        return QmpMonitor.handle(text, this::qmp);
    }

    /** The QMP events emitted since the last drain, oldest first, each with {@code "event"} and a timestamp. */
    List<ObjectNode> drainEvents();

    /** The kernel log lines printed since the last drain, as {@code [    1.234567] text}. */
    List<String> drainKernelLog();

    /** Lets {@code ns} of virtual time pass: hypervisor and guest kernel threads make progress. */
    void runFor(long ns);

    /** The guest's uptime, ns. */
    default long now() {
        return kernel().now();
    }

    /** Runs one guest command ({@code sh -c COMMAND}), giving up after {@code timeoutNs} of guest time. */
    default GuestShell.Outcome runGuest(String command, long timeoutNs) {
        return new GuestShell(kernel(), fs(), power(), programs()).run(command, timeoutNs);
    }

    /**
     * Sends one guest command without waiting for it ({@code guest-async:}); the runner drives
     * time and asks the handle. A target without its own kernel refuses.
     */
    default GuestShell.Pending sendGuest(String command) {
        return new GuestShell(kernel(), fs(), power(), programs()).start(command);
    }

    /** Whether QEMU has exited by itself: the guest powered off (after writing a hibernation image). */
    default boolean exited() {
        return false;
    }

    /**
     * Starts QEMU again on the same host (its disk files) with the scenario's arguments plus
     * {@code extraQemu}, and returns the new target once its boot kernel has run the initramfs's
     * resume attempt ({@code restart:}, {@code restart-with-qemu:}). Its first
     * {@link #drainKernelLog()} holds what the new console shows: the boot, and after a resume
     * what the restored kernel prints. This target is done afterwards.
     *
     * @throws UnsupportedOperationException when the target cannot be powered on again
     */
    default ConformanceTarget restart(List<String> extraQemu) {
        throw new UnsupportedOperationException("this target cannot start its machine again (restart:)");
    }

    /** Whether this target is a machine restored from a hibernation image (the pending command continues). */
    default boolean resumed() {
        return false;
    }

    /**
     * The model's consistency violations at this moment (empty when all hold, or when an
     * operation is in flight and the check would see a half-done state). The runner asks
     * after every step and aborts the run on a violation.
     */
    default List<String> invariantViolations() {
        return List.of();
    }

    /** Releases what the machine holds (files, carrier threads). */
    @Override
    default void close() {
    }
}
