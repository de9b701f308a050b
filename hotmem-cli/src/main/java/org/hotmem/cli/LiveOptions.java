package org.hotmem.cli;

import java.util.ArrayList;
import java.util.List;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.KernelVersion;
import picocli.CommandLine.Option;

/**
 * The machine options of the live commands ({@code mount}, {@code exec}, {@code serve}): the guest
 * as QEMU and the kernel command line describe it, the pacing of virtual time, and a QMP socket.
 */
final class LiveOptions {
    @Option(names = {"-m", "--memory"}, defaultValue = MachineConfig.DEFAULT_MEMORY,
            description = "QEMU -m (default ${DEFAULT-VALUE})")
    String memory;

    @Option(names = "--cmdline", defaultValue = "", description = "kernel command-line additions")
    String cmdline;

    @Option(names = "--qemu", paramLabel = "ARGS", description = "extra QEMU arguments (repeatable), "
            + "e.g. '-object memory-backend-ram,id=mem1,size=1G -device pc-dimm,id=dimm1,memdev=mem1'")
    List<String> qemu = new ArrayList<>();

    @Option(names = "--kernel", defaultValue = "6.12", converter = KernelOption.class,
            description = "the kernel to model: 6.12 (default) or 6.1")
    String kernel;

    @Option(names = "--seed", defaultValue = "1", description = "scheduler seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--speed", defaultValue = "1", paramLabel = "X",
            description = "virtual seconds per wall-clock second (default ${DEFAULT-VALUE})")
    double speed;

    @Option(names = "--qmp", paramLabel = "unix:PATH[,server] | tcp:127.0.0.1:PORT",
            description = "also serve QEMU's QMP protocol on this socket")
    String qmp;

    MachineConfig config() {
        List<String> qemuArgs = new ArrayList<>();
        for (String q : qemu) {
            qemuArgs.addAll(List.of(q.strip().split("\\s+")));
        }
        return new MachineConfig(memory, cmdline, qemuArgs, KernelVersion.parse(kernel), seed);
    }

    /** Boots the machine and starts serving it live; {@code kernelLog} (or null) gets every line, the boot log first. */
    LiveMachine start(java.util.function.Consumer<String> kernelLog) {
        return LiveMachine.start(Machine.boot(config()), speed, kernelLog, null);
    }
}
