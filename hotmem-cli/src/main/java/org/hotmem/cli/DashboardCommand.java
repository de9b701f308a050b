package org.hotmem.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hotmem.dashboard.DashboardServer;
import org.hotmem.dashboard.LogTail;
import org.hotmem.scenario.JsonReport;
import org.hotmem.scenario.RunResult;
import org.hotmem.scenario.Scenario;
import org.hotmem.scenario.ScenarioException;
import org.hotmem.scenario.ScenarioParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotmem dashboard [SCENARIO] [--replay REPORT.json] [--listen 127.0.0.1:PORT] [machine options]}:
 * a live machine (paced to the wall clock, as {@code serve}) shown and driven in the browser until
 * Ctrl-C or SIGTERM. A SCENARIO is first run as {@code hotmem run} would (deterministically) and
 * its run opens in the page's replay view, as does a JSON report given with {@code --replay}.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true, description = {
        "Watch and drive a live machine in the browser (prints the URL; Ctrl-C or SIGTERM stops).",
        "A SCENARIO is run first and opens in the page's replay view, as does --replay REPORT.json."})
public final class DashboardCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin
    LiveOptions options;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "a scenario (YAML) to run and replay")
    Path scenario;

    @Option(names = "--replay", paramLabel = "REPORT", description = "a JSON report of `hotmem run --json` to replay")
    Path replay;

    @Option(names = "--listen", paramLabel = "127.0.0.1:PORT", defaultValue = "127.0.0.1:8000",
            description = "loopback address and port (0 picks a free one; default ${DEFAULT-VALUE})")
    String listen;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        InetSocketAddress address = address(listen);
        if (address == null) {
            err.println("hotmem dashboard: --listen " + listen + ": expected a loopback address and a port, 127.0.0.1:PORT (PORT 0-65535)");
            return ExitStatus.USAGE.code;
        }
        String recorded = null;
        if (scenario != null && replay != null) {
            err.println("hotmem dashboard: give a SCENARIO or --replay, not both");
            return ExitStatus.USAGE.code;
        }
        if (replay != null) {
            recorded = CliFiles.read("dashboard", replay);
        } else if (scenario != null) {
            try {
                Scenario s = ScenarioParser.parse(scenario.toString(), CliFiles.read("dashboard", scenario), Map.of());
                RunResult r = Runners.machine().run(s, s.seed(), Map.of(), org.hotmem.scenario.ScenarioRunner.Progress.NONE);
                recorded = JsonReport.write(r);
            } catch (ScenarioException e) {
                return RunCommand.scenarioError("dashboard", e, err);
            }
        }
        LogTail log = new LogTail();
        try (LiveHost host = LiveHost.start(options, "hotmem dashboard", log)) {
            if (host == null) {
                return ExitStatus.MACHINE.code;
            }
            DashboardServer server;
            try {
                server = DashboardServer.start(host.live(), log, address, recorded);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                err.println("hotmem dashboard: " + e.getMessage());
                return ExitStatus.USAGE.code;
            }
            try (server) {
                PrintWriter out = spec.commandLine().getOut();
                out.println(server.uri());
                out.flush();
                err.println("hotmem dashboard: serving on " + server.uri() + " (virtual time x" + options.speed
                        + "); Ctrl-C or SIGTERM stops");
                err.flush();
                Thread.currentThread().join();
            } catch (InterruptedException e) {
                return 0; // stopped by whoever runs us (a test, an embedding program)
            }
        }
        return 0;
    }

    /** {@code HOST:PORT} with a loopback HOST (the page has no authentication), or null. */
    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                return null;
            }
            InetSocketAddress a = new InetSocketAddress(text.substring(0, colon), port);
            return a.getAddress() != null && a.getAddress().isLoopbackAddress() ? a : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
