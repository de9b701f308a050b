package org.hotmem.mm;

/** One firmware e820 range: [addr, addr + size). */
public record E820Entry(long addr, long size, E820Type type) {
    public E820Entry {
        if (size <= 0 || addr < 0) {
            throw new IllegalArgumentException("e820 entry: bad range addr=0x" + Long.toHexString(addr) + " size=0x" + Long.toHexString(size));
        }
    }

    /** Exclusive end address. */
    public long end() {
        return addr + size;
    }
}
