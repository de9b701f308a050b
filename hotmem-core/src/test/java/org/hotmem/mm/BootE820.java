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

    /**
     * The e820 map of QEMU 7.2's pc machine for {@code -m ramBytes}: RAM below 4 GiB up to
     * 3 GiB when the guest has 3.5 GiB or more (gigabyte_align), all of it below 4 GiB
     * otherwise, the rest from 4 GiB. Equals {@link #pc1G()} and {@link #pc4G()} for those sizes.
     */
    public static List<E820Entry> pc(long ramBytes) {
        long low = ramBytes >= 0xe0000000L ? 0xc0000000L : ramBytes;
        long high = ramBytes - low;
        java.util.List<E820Entry> e = new java.util.ArrayList<>(List.of(
                new E820Entry(0, 0x9fc00, E820Type.USABLE),
                new E820Entry(0x9fc00, 0x400, E820Type.RESERVED),
                new E820Entry(0xf0000, 0x10000, E820Type.RESERVED),
                new E820Entry(0x100000, low - 0x20000 - 0x100000, E820Type.USABLE),
                new E820Entry(low - 0x20000, 0x20000, E820Type.RESERVED),
                new E820Entry(0xfffc0000L, 0x40000, E820Type.RESERVED)));
        if (high > 0) {
            e.add(new E820Entry(0x100000000L, high, E820Type.USABLE));
            e.add(new E820Entry(0xfd00000000L, 0x300000000L, E820Type.RESERVED));
        }
        return List.copyOf(e);
    }
}
