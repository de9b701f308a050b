package org.hotmem.mm;

import java.util.List;

/** The e820 map QEMU's pc machine gives a guest with {@code -m 4G} (as recorded). */
public final class BootE820 {
    private BootE820() {
    }

    public static List<E820Entry> pc4G() {
        return List.of(
                new E820Entry(0, 0x9fc00, E820Type.USABLE),
                new E820Entry(0x9fc00, 0x400, E820Type.RESERVED),
                new E820Entry(0xf0000, 0x10000, E820Type.RESERVED),
                new E820Entry(0x100000, 0xbffe0000L - 0x100000, E820Type.USABLE),
                new E820Entry(0xbffe0000L, 0x20000, E820Type.RESERVED),
                new E820Entry(0xfffc0000L, 0x40000, E820Type.RESERVED),
                new E820Entry(0x100000000L, 0x40000000L, E820Type.USABLE),
                new E820Entry(0xfd00000000L, 0x300000000L, E820Type.RESERVED));
    }

    /** {@code -m 1G}: all RAM below the PCI hole. */
    public static List<E820Entry> pc1G() {
        return List.of(
                new E820Entry(0, 0x9fc00, E820Type.USABLE),
                new E820Entry(0x9fc00, 0x400, E820Type.RESERVED),
                new E820Entry(0xf0000, 0x10000, E820Type.RESERVED),
                new E820Entry(0x100000, 0x3ffe0000L - 0x100000, E820Type.USABLE),
                new E820Entry(0x3ffe0000L, 0x20000, E820Type.RESERVED),
                new E820Entry(0xfffc0000L, 0x40000, E820Type.RESERVED));
    }
}
