package org.hotmem.conformance;

/**
 * What one guest command produced.
 *
 * @param output stdout and stderr combined, in order, as the recorded transcripts hold it
 * @param rc     the exit status
 */
public record ShellResult(String output, int rc) {
}
