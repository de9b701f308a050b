package org.hotmem.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Writes transcript records as JSONL, one record per line, in the recordings' own form
 * (Python's {@code json.dumps(sort_keys=True)}, see {@link PyJson}). Each record is flushed
 * at once, so a transcript of a run that broke off keeps every finished step. The output
 * is a pure function of the records: deterministic byte for byte.
 */
public final class TranscriptWriter implements AutoCloseable {
    private final Writer out;

    public TranscriptWriter(Writer out) {
        this.out = out;
    }

    /** Writes one record and a newline. */
    public void write(JsonNode record) {
        try {
            out.write(PyJson.dumps(record));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write transcript: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
