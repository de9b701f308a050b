package org.hotmem.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One step line of a scenario.
 *
 * @param number      1-based step number in file order (notes count)
 * @param line        1-based line number in the {@code .scn} file
 * @param kind        what the step does
 * @param arg         the text after the keyword's colon, one leading space removed
 * @param timeoutNs   for {@code guest [N]:}, {@code wait N:} and {@code event N:} the timeout, for
 *                    {@code sleep:} the duration, in virtual nanoseconds; 0 otherwise
 * @param execute     for {@code qmp:} the command name, else null
 * @param arguments   for {@code qmp:} the JSON arguments, or null when there are none
 */
public record ScnStep(int number, int line, StepKind kind, String arg, long timeoutNs,
                           String execute, ObjectNode arguments) {
}
