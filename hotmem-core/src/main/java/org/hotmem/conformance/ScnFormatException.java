package org.hotmem.conformance;

/** A malformed scenario line; the message names the file, the line and what was expected. */
public final class ScnFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;

    public ScnFormatException(String file, int line, String message) {
        super(file + ":" + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    /** The scenario file name as given to the parser. */
    public String file() {
        return file;
    }

    /** The 1-based line number. */
    public int line() {
        return line;
    }
}
