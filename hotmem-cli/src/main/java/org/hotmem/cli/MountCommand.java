package org.hotmem.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hotmem.fuse.KernfsMount;
import org.hotmem.machine.LiveMachine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hotmem mount DIR [machine options]}: boots a machine and serves its sysfs, procfs and
 * debugfs at DIR with FUSE until interrupted (Ctrl-C, SIGTERM), virtual time paced to the wall
 * clock. The kernel log goes to stdout, as a serial console shows it.
 */
@Command(name = "mount", mixinStandardHelpOptions = true, description = {
        "Serve a live machine's /sys, /proc files and debugfs at DIR with FUSE (DIR/sys, DIR/proc, DIR/sys/kernel/debug)",
        "until Ctrl-C or SIGTERM; virtual time follows the wall clock (--speed). The kernel log goes to stdout."})
public final class MountCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "an existing empty directory")
    Path dir;

    @Mixin
    LiveOptions options;

    @Override
    public Integer call() throws Exception {
        if (!java.nio.file.Files.isDirectory(dir)) {
            System.err.println("hotmem mount: " + dir + " is not a directory");
            return 2;
        }
        String why = KernfsMount.unavailableReason();
        if (why != null) {
            System.err.println("hotmem mount: FUSE is not available: " + why);
            return 1;
        }
        try (LiveHost host = LiveHost.start(options, "hotmem mount", System.out::println)) {
            if (host == null) {
                return 2;
            }
            try (KernfsMount m = KernfsMount.mount(host.live(), dir)) {
                System.err.println("hotmem mount: " + dir + " serves sys/, proc/ and sys/kernel/debug/ of the machine"
                        + " (virtual time x" + options.speed + "); Ctrl-C or SIGTERM unmounts");
                Thread.currentThread().join();
            } catch (KernfsMount.FuseUnavailableException e) {
                System.err.println("hotmem mount: FUSE is not available: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }
}
