package org.hotmem.cli;

import org.hotmem.grid.GridBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code hotmem worker [--cluster hazelcast[:CONFIG]]}: a cluster member that only runs the tasks
 * of sweeps submitted by other members, until it is stopped (Ctrl-C, SIGTERM).
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Join a cluster and run sweep tasks for it until stopped.")
public final class WorkerCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "hazelcast[:CONFIG]", defaultValue = "hazelcast",
            description = "the cluster: hazelcast (peers on 127.0.0.1, ports 5701-5703) or hazelcast:CONFIG"
                    + " (a Hazelcast YAML/XML member configuration); default ${DEFAULT-VALUE}")
    String cluster;

    @Option(names = "--threads", paramLabel = "N", description = "parallel runs (default: available processors)")
    Integer threads;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            err.println("hotmem worker: --threads must be at least 1");
            return 2;
        }
        GridBackend.Selected s;
        try {
            s = GridBackend.select(cluster.equals("hazelcast") || cluster.startsWith("hazelcast:") ? cluster : "hazelcast:" + cluster);
        } catch (IllegalArgumentException e) {
            err.println("hotmem worker: " + e.getMessage());
            return 2;
        }
        try {
            s.backend().serve(s.config(), n, err);
        } catch (IllegalArgumentException e) {
            err.println("hotmem worker: " + e.getMessage());
            return 2;
        }
        return 0;
    }
}
