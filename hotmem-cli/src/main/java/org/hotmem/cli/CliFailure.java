package org.hotmem.cli;

/** A failure a command reports as one line on stderr with its exit status (see {@link ExitStatus}). */
final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final ExitStatus status;

    CliFailure(ExitStatus status, String message) {
        super(message);
        this.status = status;
    }

    CliFailure(ExitStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }
}
