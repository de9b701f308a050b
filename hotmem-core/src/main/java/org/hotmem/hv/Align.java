package org.hotmem.hv;

/** QEMU's alignment arithmetic (include/qemu/osdep.h). Stateless. */
final class Align {
    private Align() {
    }

    /**
     * Models QEMU_ALIGN_UP(): {@code v} rounded up to a multiple of {@code align} (any positive
     * alignment), in uint64_t arithmetic as QEMU computes it.
     */
    static long up(long v, long align) {
        return Long.divideUnsigned(v + align - 1, align) * align;
    }
}
