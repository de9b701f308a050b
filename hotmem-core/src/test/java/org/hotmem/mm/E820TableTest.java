package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** memmap=nn!ss and friends: parse_memmap_one() with memparse(), then e820__update_table(). */
class E820TableTest {
    private static String show(List<E820Entry> t) {
        StringBuilder sb = new StringBuilder();
        for (E820Entry e : t) {
            sb.append(String.format("%#x-%#x %s%n", e.addr(), e.end() - 1, e.type().text()));
        }
        return sb.toString();
    }

    @Test
    void memparseReadsSuffixesAndBases() {
        assertEquals(512L << 20, E820Table.memparse("512M"));
        assertEquals(4L << 30, E820Table.memparse("4G"));
        assertEquals(0x100000000L, E820Table.memparse("0x100000000"));
        assertEquals(8, E820Table.memparse("010"));
        assertEquals(-1, E820Table.memparse("4Q"));
    }

    @Test
    void persistentRangeSplitsTheUsableEntryAndTheLargerTypeWins() {
        List<E820Entry> user = E820Table.parseMemmap(List.of("quiet", "memmap=512M!4G", "memmap=bogus", "memmap=1M$0x1000000,2M#0x2000000"));
        assertEquals(3, user.size());
        List<E820Entry> t = E820Table.apply(BootE820.pc4G(), List.of(user.get(0)));
        assertEquals("""
                0x0-0x9fbff usable
                0x9fc00-0x9ffff reserved
                0xf0000-0xfffff reserved
                0x100000-0xbffdffff usable
                0xbffe0000-0xbfffffff reserved
                0xfffc0000-0xffffffff reserved
                0x100000000-0x11fffffff persistent (type 12)
                0x120000000-0x13fffffff usable
                0xfd00000000-0xffffffffff reserved
                """, show(t));
        List<E820Entry> u = E820Table.apply(BootE820.pc4G(), user.subList(1, 3));
        assertEquals("0x100000-0xffffff usable", show(u).lines().toList().get(3));
        assertEquals("0x1000000-0x10fffff reserved", show(u).lines().toList().get(4));
        assertEquals("0x2000000-0x21fffff ACPI data", show(u).lines().toList().get(6));
    }
}
