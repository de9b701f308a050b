package org.hotmem.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The hotmem command line: one picocli subcommand per job. Every failure ends as one line on
 * stderr and a distinct exit status ({@link ExitStatus}, {@link ErrorHandler}); {@code --debug}
 * adds the Java stack trace.
 */
@Command(name = "hotmem",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "An executable, deterministic model of Linux memory hotplug.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                " 0:everything ran and every expectation held",
                " 1:an expectation, a sweep run, a conformance scenario or the shell's last command failed",
                " 2:bad command-line option or value (e.g. an unknown --metric)",
                " 3:hotmem itself failed (a bug; --debug prints the stack trace)",
                " 4:an input file is missing or unreadable",
                " 5:an output file cannot be written",
                " 6:an input file is malformed (FILE:LINE:COL: what was expected)",
                " 7:QEMU refuses the machine, or the guest kernel panics while booting"},
        subcommands = {
                VersionCommand.class,
                RunCommand.class,
                SweepCommand.class,
                ExploreCommand.class,
                ReplayCommand.class,
                WorkerCommand.class,
                DemoCommand.class,
                ShellCommand.class,
                DashboardCommand.class,
                ConformanceCommand.class,
                MountCommand.class,
                ExecCommand.class,
                ServeCommand.class,
                ImageServerCommand.class,
                HibernateCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "print the Java stack trace of a failure")
    boolean debug;

    public static void main(String[] args) {
        System.exit(commandLine(Arrays.asList(args).contains("--debug")).execute(args));
    }

    /** The command line with hotmem's failure handling; {@code debug}: stack traces too. */
    static CommandLine commandLine(boolean debug) {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorHandler(debug));
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
