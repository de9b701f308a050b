package org.hotmem.machine;

import java.util.List;
import org.hotmem.mm.KernelVersion;

/**
 * What a machine is built from: QEMU's {@code -m} value, the kernel command line appended to
 * the default one, further QEMU arguments ({@code -object ...}, {@code -device ...}; tokens or
 * whole lines), the Linux version imitated and the scheduler seed.
 * Missing values take the conformance defaults: {@code 1G,slots=8,maxmem=8G}, no extra
 * command line, no extra arguments, Linux 6.12.
 */
public record MachineConfig(String memory, String cmdline, List<String> qemuArgs, KernelVersion kernel, long seed) {
    /** The default {@code -m} of the conformance scenarios. */
    public static final String DEFAULT_MEMORY = "1G,slots=8,maxmem=8G";

    public MachineConfig {
        if (memory == null || memory.isBlank()) {
            memory = DEFAULT_MEMORY;
        }
        if (cmdline == null) {
            cmdline = "";
        }
        qemuArgs = qemuArgs == null ? List.of() : List.copyOf(qemuArgs);
        if (kernel == null) {
            kernel = KernelVersion.V6_12;
        }
    }

    /** A config with only the memory option set. */
    public static MachineConfig of(String memory) {
        return new MachineConfig(memory, "", List.of(), KernelVersion.V6_12, 1);
    }
}
