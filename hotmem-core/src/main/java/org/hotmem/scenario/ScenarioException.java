package org.hotmem.scenario;

/**
 * A scenario file is malformed or violates a rule: the message names the file, the line (and
 * column where known) and what was expected, in the {@code FILE:LINE:COL: message} form that
 * editors and compilers use. {@link #machine()} tells a file whose machine QEMU refuses or whose
 * guest does not boot from one that is malformed.
 */
public final class ScenarioException extends RuntimeException {
    private final String file;
    private final int line;
    private final int column;
    private final String detail;
    private final boolean machine;

    public ScenarioException(String file, int line, int column, String detail) {
        this(file, line, column, detail, false);
    }

    public ScenarioException(String file, int line, int column, String detail, boolean machine) {
        super(format(file, line, column, detail));
        this.file = file;
        this.line = line;
        this.column = column;
        this.detail = detail;
        this.machine = machine;
    }

    static String format(String file, int line, int column, String detail) {
        StringBuilder sb = new StringBuilder(file == null ? "<scenario>" : file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) sb.append(':').append(column);
        }
        return sb.append(": ").append(detail).toString();
    }

    public String file() { return file; }
    public int line() { return line; }
    public int column() { return column; }
    /** The message without the location prefix. */
    public String detail() { return detail; }
    /** True if the file is well formed but its machine cannot be built or booted. */
    public boolean machine() { return machine; }
}
