package org.hotmem.cli;

import java.io.PrintWriter;
import org.hotmem.conformance.ScnFormatException;
import org.hotmem.hv.QemuConfigException;
import org.hotmem.kernel.KernelPanic;
import org.hotmem.scenario.ScenarioException;
import picocli.CommandLine;

/**
 * Turns whatever a command throws into one line on stderr and its {@link ExitStatus}: the
 * command's own {@link CliFailure}s, QEMU's refusals of the machine (QEMU's text, as
 * qemu-system-x86_64 prints it), a guest kernel panic (Linux's line), malformed files
 * (FILE:LINE:COL), and anything else as an
 * internal error. A Java stack trace is printed only with {@code --debug}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    private final boolean debug;

    ErrorHandler(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        ExitStatus status = report(ex, "hotmem " + cl.getCommandName(), err);
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return status.code;
    }

    /** Prints the one line for {@code t} and returns its status. */
    static ExitStatus report(Throwable t, String who, PrintWriter err) {
        if (t instanceof CliFailure f) {
            err.println(f.getMessage());
            return f.status;
        }
        if (t instanceof QemuConfigException q) {
            err.println("qemu-system-x86_64: " + q.getMessage());
            return ExitStatus.MACHINE;
        }
        if (t instanceof KernelPanic p) {
            err.println(p.getMessage());
            return ExitStatus.MACHINE;
        }
        if (t instanceof ScenarioException s) {
            err.println(who + ": " + s.getMessage());
            return s.machine() ? ExitStatus.MACHINE : ExitStatus.BAD_FILE;
        }
        if (t instanceof ScnFormatException) {
            err.println(who + ": " + t.getMessage());
            return ExitStatus.BAD_FILE;
        }
        err.println(who + ": internal error: " + t + " (hotmem --debug ... prints the stack trace)");
        return ExitStatus.INTERNAL;
    }
}
