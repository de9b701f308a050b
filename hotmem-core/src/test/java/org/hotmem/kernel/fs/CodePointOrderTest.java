package org.hotmem.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CodePointOrderTest {
    @Test
    void namesSortByByteValueSoMemory10PrecedesMemory2() {
        assertTrue(CodePointOrder.compare("memory10", "memory2") < 0);
        assertTrue(CodePointOrder.compare("Z", "a") < 0);
    }

    @Test
    void aPrefixSortsFirstAndEqualNamesCompareEqual() {
        assertTrue(CodePointOrder.compare("node", "node0") < 0);
        assertEquals(0, CodePointOrder.compare("node0", "node0"));
    }

    @Test
    void aCharacterBeyondTheBmpSortsAfterTheLastBmpOneUnlikeStringCompareTo() {
        String supplementary = new String(Character.toChars(0x1F600));
        String bmpHigh = "\uFF5E";
        assertTrue(CodePointOrder.compare(bmpHigh, supplementary) < 0);
        assertTrue(bmpHigh.compareTo(supplementary) > 0);
    }
}
