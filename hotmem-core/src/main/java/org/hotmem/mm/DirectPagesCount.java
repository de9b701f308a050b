package org.hotmem.mm;

/**
 * The x86-64 direct mapping's page-size counts (arch/x86/mm/init.c, pageattr.c's
 * direct_pages_count[]) that /proc/meminfo prints as DirectMap4k/DirectMap2M.
 *
 * <p>At boot init_mem_mapping() maps the ISA range [0, 1 MiB) with 4 KiB pages, then every
 * memblock memory range above it, split by split_mem_range(): 4 KiB pages up to the first
 * 2 MiB boundary, 2 MiB pages through the last one, 4 KiB pages after it (no 1 GiB pages:
 * QEMU's TCG CPU has no pdpe1gb). arch_add_memory() maps hot-added sections (128 MiB
 * aligned) with 2 MiB pages; arch_remove_memory() unmaps them. Later, set_memory_*() on the
 * kernel image's direct-map alias splits 2 MiB pages into 4 KiB pages.
 * // model: the number of those splits is a per-version constant read from the recorded
 * guests (Linux counts only the post-boot ones in direct_map_level2_splits).
 *
 * <p>Stateless: computed from the model's boot RAM ranges and its hot-added sections. The
 * page-table pages the boot mapping allocates are {@link InitMemoryMapping}'s.
 */
final class DirectPagesCount {
    private static final long MB = 1L << 20;
    private static final long PMD_SIZE = 2 * MB;
    private static final long ISA_END = MB;

    private DirectPagesCount() {
    }

    /** 2 MiB pages split to 4 KiB during boot (mark_rodata_ro and friends on the image alias). */
    static int bootSplits(KernelVersion v) {
        return v.has(KernelFeature.FEWER_BOOT_DIRECT_MAP_SPLITS) ? 8 : 10;
    }

    /** 2 MiB pages split after boot (the recorded guests' direct_map_level2_splits). */
    static int runtimeSplits() {
        return 1;
    }

    /** {DirectMap4k, DirectMap2M} in KiB. */
    static long[] kb(MemoryModel mm) {
        long small = 0;
        long large = 0;
        small += ISA_END;
        for (long[] r : mm.bootRam) {
            long s = Math.max(r[0], ISA_END);
            long e = r[1];
            if (s >= e) {
                continue;
            }
            long bodyStart = (s + PMD_SIZE - 1) & -PMD_SIZE;
            long bodyEnd = e & -PMD_SIZE;
            if (bodyStart >= bodyEnd) {
                small += e - s;
            } else {
                small += (bodyStart - s) + (e - bodyEnd);
                large += bodyEnd - bodyStart;
            }
        }
        for (MemSection sec : mm.presentSections()) {
            if (!sec.isEarly()) {
                large += mm.arch.sectionSize();
            }
        }
        long splits = Math.min(large / PMD_SIZE, bootSplits(mm.version) + runtimeSplits());
        small += splits * PMD_SIZE;
        large -= splits * PMD_SIZE;
        return new long[] {small >> 10, large >> 10};
    }
}
