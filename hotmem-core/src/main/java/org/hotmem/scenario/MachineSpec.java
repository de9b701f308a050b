package org.hotmem.scenario;

import java.util.List;

/**
 * The machine of a scenario, as the conformance shell takes it: QEMU's {@code -m} value, extra
 * kernel command line, extra QEMU arguments (one string per {@code -object}/{@code -device} line),
 * and the kernel version ("6.1" or "6.12"); {@code line} is where the file describes it.
 */
public record MachineSpec(String memory, String cmdline, List<String> qemu, String kernel, int line) {
    public MachineSpec {
        qemu = List.copyOf(qemu);
    }
}
