package org.hotmem.scenario;

/**
 * A scenario file is malformed or violates a rule: the message names the file, the line (and
 * column where known) and what was expected, in the {@code FILE:LINE:COL: message} form that
 * editors and compilers use.
 */
public final class ScenarioException extends RuntimeException {
    private final String file;
    private final int line;
    private final int column;
    private final String detail;

    public ScenarioException(String file, int line, int column, String detail) {
        super(format(file, line, column, detail));
        this.file = file;
        this.line = line;
        this.column = column;
        this.detail = detail;
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
}
