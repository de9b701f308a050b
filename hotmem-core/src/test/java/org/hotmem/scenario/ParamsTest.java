package org.hotmem.scenario;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamsTest {
    @Test
    void placeholderTakesTheGivenValueOrItsDefault() {
        assertEquals("size: 4G\nat: 10s", Params.substitute("f", "size: ${S}\nat: ${T:-10s}", Map.of("S", "4G")));
        assertEquals("at: 20s", Params.substitute("f", "at: ${T:-10s}", Map.of("T", "20s")));
    }

    @Test
    void doubleDollarIsALiteralDollar() {
        assertEquals("cost: $5", Params.substitute("f", "cost: $$5", Map.of()));
    }

    @Test
    void commentLinesKeepTheirPlaceholders() {
        assertEquals("# ${X} is the size\nsize: 1G", Params.substitute("f", "# ${X} is the size\nsize: ${X}", Map.of("X", "1G")));
    }

    @Test
    void missingValueIsAnErrorAtItsLineAndColumn() {
        ScenarioException e = assertThrows(ScenarioException.class,
                () -> Params.substitute("f.yaml", "a: 1\nb: ${NOPE}\n", Map.of()));
        assertEquals(2, e.line());
        assertEquals(4, e.column());
        assertTrue(e.getMessage().startsWith("f.yaml:2:4: parameter ${NOPE} has no value"), e.getMessage());
    }

    @Test
    void valueOnlyMentionedInACommentDoesNotCountAsUsed() {
        assertThrows(ScenarioException.class, () -> Params.substitute("f", "# ${X}\nsize: 1G", Map.of("X", "1G")));
    }

    @Test
    void namesListsEveryPlaceholder() {
        assertEquals(Set.of("A", "B"), Params.names("${A} ${B:-x} $$"));
    }
}
