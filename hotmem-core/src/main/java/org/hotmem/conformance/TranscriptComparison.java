package org.hotmem.conformance;

/** A comparison of an expected (recorded) transcript with an actual one, both JSONL text. */
@FunctionalInterface
public interface TranscriptComparison {
    /** Compares the two transcripts; the names appear in messages. */
    TranscriptComparer.Result compare(String expectedName, String expectedJsonl, String actualName, String actualJsonl);
}
