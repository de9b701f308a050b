package org.hotmem.conformance;

/** Boots a target for a scenario's header (memory, cmdline, qemu args) and a kernel version. */
@FunctionalInterface
public interface TargetFactory {
    /**
     * Boots the machine; the boot kernel log must be available from
     * {@link ConformanceTarget#drainKernelLog()}.
     *
     * @param scenario the scenario, of which only the header is used
     * @param kernel   "6.1" or "6.12"
     */
    ConformanceTarget boot(ScnScript scenario, String kernel);
}
