package org.hotmem.cli;

/**
 * The exit statuses of every hotmem command: one per kind of failure, so that scripts can tell
 * them apart. The README's "Reliability" section lists them; keep both in step.
 */
enum ExitStatus {
    /** Everything ran and every expectation held. */
    OK(0),
    /** The run completed, but an expectation failed (run, demo), a sweep run failed, a conformance scenario differs, the shell's last guest command failed, or explore/replay met a violation. */
    FAILED(1),
    /** The command line itself is wrong: an unknown option, a bad option value, an unknown --metric. */
    USAGE(2),
    /** hotmem itself failed (a bug of the model); --debug prints the stack trace. */
    INTERNAL(3),
    /** An input file is missing or unreadable. */
    NO_INPUT(4),
    /** An output file (--json, --html, --csv, --transcript, --out) cannot be written. */
    CANT_WRITE(5),
    /** An input file is malformed; the message is FILE:LINE[:COL]: what was expected. */
    BAD_FILE(6),
    /** The machine cannot be built or booted: QEMU refuses its options (QEMU's text), or the guest kernel panics. */
    MACHINE(7);

    final int code;

    ExitStatus(int code) {
        this.code = code;
    }
}
