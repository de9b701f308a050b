package org.hotmem.kernel;

import java.util.List;

/**
 * A program of the guest's userspace that the built-in shell runs in the command's task (a
 * static binary of the recorder's initramfs: busybox's insmod/rmmod, the guest tools). It
 * reaches the kernel through the machine it belongs to.
 */
@FunctionalInterface
public interface UserProgram {
    /**
     * Runs with {@code args} (without the program name), writing stdout and stderr to
     * {@code out}; returns the exit status.
     */
    int run(List<String> args, StringBuilder out);
}
