package org.hotmem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The hotmem command line: one picocli subcommand per job. */
@Command(name = "hotmem",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "An executable, deterministic model of Linux memory hotplug.",
        subcommands = {
                VersionCommand.class,
                RunCommand.class,
                SweepCommand.class,
                WorkerCommand.class,
                DemoCommand.class,
                ShellCommand.class,
                ConformanceCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
