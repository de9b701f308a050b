package org.hotmem.conformance;

import java.util.List;

/**
 * A parsed conformance scenario ({@code .scn}): the machine header and the steps.
 *
 * @param name      the file name without {@code .scn}, e.g. {@code boot-layout}
 * @param memory    the QEMU {@code -m} value ({@value #DEFAULT_MEMORY} when absent)
 * @param cmdline   the text appended to the default kernel command line ("" when absent;
 *                  several {@code cmdline:} lines are joined with a space)
 * @param qemuArgs  the extra QEMU arguments of all {@code qemu:} lines, split at blanks
 *                  ({@code {run}} stands for the run directory)
 * @param prepare   the {@code prepare:} host commands run before the first boot, in file order
 * @param steps     the steps in file order, numbered from 1
 */
public record ScnScript(String name, String memory, String cmdline, List<String> qemuArgs,
                        List<String> prepare, List<ScnStep> steps) {
    /** QEMU -m used when a scenario has no {@code memory:} line. */
    public static final String DEFAULT_MEMORY = "1G,slots=8,maxmem=8G";

    public ScnScript {
        qemuArgs = List.copyOf(qemuArgs);
        prepare = List.copyOf(prepare);
        steps = List.copyOf(steps);
    }

    /** True if a guest or wait command is outside {@link BusyboxSh}'s subset: the scenario needs a real shell. */
    public boolean needsRealShell() {
        return steps.stream().anyMatch(s -> (s.kind() == StepKind.GUEST || s.kind() == StepKind.WAIT
                || s.kind() == StepKind.GUEST_ASYNC)
                && !BusyboxSh.handles(s.arg()));
    }

    /** This scenario with {@code {run}} in its QEMU arguments replaced by {@code runDir}. */
    public ScnScript inRunDirectory(String runDir) {
        return new ScnScript(name, memory, cmdline, qemuArgs.stream().map(a -> a.replace(RUN, runDir)).toList(), prepare, steps);
    }

    /** The placeholder of the run directory in {@code qemu:}, {@code prepare:} and {@code restart-with-qemu:} text. */
    public static final String RUN = "{run}";
}
