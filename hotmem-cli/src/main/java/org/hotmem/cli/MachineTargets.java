package org.hotmem.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.hotmem.conformance.ConformanceTarget;
import org.hotmem.conformance.ScnScript;
import org.hotmem.conformance.TargetFactory;
import org.hotmem.fuse.LiveTarget;
import org.hotmem.hv.MachineType;
import org.hotmem.kernel.Kernel;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryInvariants;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.power.Hibernation;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.KernelVersion;

/**
 * The one place where the conformance runner meets the real {@link Machine}: boots a machine
 * from a scenario header (QEMU -m, kernel command line, QEMU arguments) and a kernel version,
 * and adapts it to {@link ConformanceTarget} (or, when the scenario needs a real shell, to
 * hotmem-fuse's {@link LiveTarget}).
 */
final class MachineTargets {
    private MachineTargets() {
    }

    /**
     * A factory booting real machines with the given seed: in virtual time with the built-in
     * busybox subset, or, for a scenario with commands outside it ({@link ScnScript#needsRealShell}),
     * served live at the wall clock's pace with a real shell against its FUSE mount.
     */
    static TargetFactory factory(long seed) {
        return factory(seed, MachineType.PC);
    }

    /**
     * As {@link #factory(long)} for QEMU board {@code type}; a pseries machine always runs in
     * virtual time with the built-in shell (its recorded scenarios use the simple-command subset
     * and the recorder's guest tools).
     */
    static TargetFactory factory(long seed, MachineType type) {
        if (type == MachineType.PSERIES) {
            return (scenario, kernel) -> new Target(Machine.builder().config(config(scenario, kernel, seed))
                    .machine(MachineType.PSERIES).boot(), config(scenario, kernel, seed), false, new ArrayList<>());
        }
        return (scenario, kernel) -> scenario.needsRealShell()
                ? LiveTarget.boot(config(scenario, kernel, seed), 1)
                : new Target(Machine.boot(config(scenario, kernel, seed)), config(scenario, kernel, seed), false,
                        new ArrayList<>());
    }

    static MachineConfig config(ScnScript scenario, String kernel, long seed) {
        return new MachineConfig(scenario.memory(), scenario.cmdline(), scenario.qemuArgs(), version(kernel), seed);
    }

    /** "6.1" or "6.12" to the model's KernelVersion (org.hotmem.mm, used by MachineConfig). */
    static KernelVersion version(String kernel) {
        return KernelVersion.parse(kernel);
    }

    /**
     * A booted machine seen as a conformance target; {@code config} is the scenario's (a restart
     * appends its arguments to it), {@code resumed} whether the machine came back from an image,
     * {@code console} the lines to show before the machine's own on the next drain (after a
     * resume, the boot kernel's).
     */
    record Target(Machine machine, MachineConfig config, boolean resumed, List<String> console) implements ConformanceTarget {
        @Override
        public Kernel kernel() {
            return machine.kernel();
        }

        @Override
        public Kernfs fs() {
            return machine.fs();
        }

        @Override
        public Hibernation power() {
            return machine.power();
        }

        @Override
        public java.util.Map<String, org.hotmem.kernel.UserProgram> programs() {
            return machine.programs();
        }

        @Override
        public ObjectNode qmp(String execute, ObjectNode args) {
            return machine.qmp(execute, args);
        }

        @Override
        public List<ObjectNode> drainEvents() {
            return machine.drainEvents();
        }

        @Override
        public List<String> drainKernelLog() {
            List<String> out = new ArrayList<>(console);
            console.clear();
            out.addAll(machine.drainKernelLog());
            return out;
        }

        @Override
        public void runFor(long ns) {
            machine.runFor(ns);
        }

        @Override
        public boolean exited() {
            return machine.poweredOff();
        }

        /** A new QEMU on the same host: the boot kernel resumes the image on its disk if it can. */
        @Override
        public ConformanceTarget restart(List<String> extraQemu) {
            List<String> args = new ArrayList<>(config.qemuArgs());
            args.addAll(extraQemu);
            Machine next = Machine.boot(new MachineConfig(config.memory(), config.cmdline(), args, config.kernel(),
                    config.seed()), machine.host());
            boolean resumed = next == machine;
            return new Target(next, config, resumed, new ArrayList<>(resumed ? next.resumeLoaderLog() : List.of()));
        }

        /** {@link MemoryInvariants} whenever no hotplug operation holds device_hotplug_lock. */
        @Override
        public List<String> invariantViolations() {
            MemoryHotplug hp = machine.hotplug();
            return hp.deviceHotplugLock().isLocked() ? List.of() : MemoryInvariants.check(hp);
        }
    }
}
