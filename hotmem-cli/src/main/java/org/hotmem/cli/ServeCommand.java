package org.hotmem.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hotmem.fuse.KernfsMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hotmem serve --qmp unix:PATH[,server] [--mount DIR] [machine options]}: a live machine
 * behind QEMU's QMP protocol (and, with {@code --mount}, its sysfs at DIR) until Ctrl-C or SIGTERM.
 * The kernel log goes to stdout.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Serve a live machine over QEMU's QMP protocol (--qmp unix:PATH[,server] or tcp:127.0.0.1:PORT[,server]),",
        "optionally with its sysfs mounted (--mount DIR), until Ctrl-C or SIGTERM. The kernel log goes to stdout."})
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    LiveOptions options;

    @Option(names = "--mount", paramLabel = "DIR", description = "also mount the machine's sysfs/procfs/debugfs at DIR")
    Path mount;

    @Override
    public Integer call() throws Exception {
        if (options.qmp == null) {
            System.err.println("hotmem serve: --qmp unix:PATH[,server] or tcp:127.0.0.1:PORT[,server] is required");
            return 2;
        }
        try (LiveHost host = LiveHost.start(options, "hotmem serve", System.out::println)) {
            if (host == null) {
                return 2;
            }
            KernfsMount m = null;
            if (mount != null) {
                try {
                    m = KernfsMount.mount(host.live(), mount);
                } catch (KernfsMount.FuseUnavailableException e) {
                    System.err.println("hotmem serve: FUSE is not available: " + e.getMessage());
                    return 1;
                }
            }
            System.err.println("hotmem serve: QMP on " + options.qmp + (m == null ? "" : ", sysfs at " + mount)
                    + " (virtual time x" + options.speed + "); Ctrl-C or SIGTERM stops");
            try {
                Thread.currentThread().join();
            } finally {
                if (m != null) {
                    m.close();
                }
            }
        }
        return 0;
    }
}
