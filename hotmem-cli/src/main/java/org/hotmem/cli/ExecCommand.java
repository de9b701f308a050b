package org.hotmem.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.hotmem.fuse.GuestEnvironment;
import org.hotmem.fuse.KernfsMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hotmem exec [machine options] -- COMMAND...}: boots a machine, mounts it, and runs a
 * real program in a private mount namespace where the mount is /sys, the /proc memory files and
 * /sys/kernel/debug, with the guest tools on PATH ({@link GuestEnvironment}). Exits with the
 * program's exit status; the machine and the mount go when it ends.
 */
@Command(name = "exec", mixinStandardHelpOptions = true, description = {
        "Run COMMAND (e.g. sh, or the kernel's mem-on-off-test.sh) in a private mount namespace where /sys, /proc/{meminfo,"
                + "zoneinfo,buddyinfo,pagetypeinfo,vmstat,...} and /sys/kernel/debug are a live machine's,",
        "with memblocks, zonesum, pinmem, memhog, dmesg and modprobe on PATH as the simulator's tools, then busybox, as on"
                + " the recorded guest. Needs root and FUSE. Exit status: COMMAND's."})
public final class ExecCommand implements Callable<Integer> {
    @Mixin
    LiveOptions options;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "the program and its arguments (after --)")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        String why = KernfsMount.unavailableReason();
        if (why != null) {
            System.err.println("hotmem exec: FUSE is not available: " + why);
            return 1;
        }
        Path dir = Files.createTempDirectory("hotmem-mnt");
        try (LiveHost host = LiveHost.start(options, "hotmem exec", null)) {
            if (host == null) {
                return 2;
            }
            try (KernfsMount m = KernfsMount.mount(host.live(), dir);
                 GuestEnvironment env = GuestEnvironment.create(dir)) {
                LiveHost.ignoreInterrupts(); // the program gets Ctrl-C; the machine stays until it ends
                Process p = env.process(command).inheritIO().start();
                return p.waitFor();
            } catch (KernfsMount.FuseUnavailableException e) {
                System.err.println("hotmem exec: FUSE is not available: " + e.getMessage());
                return 1;
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }
}
