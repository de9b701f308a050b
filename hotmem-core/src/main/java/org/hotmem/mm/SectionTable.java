package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * mem_section[] as CONFIG_SPARSEMEM_EXTREME lays it out: an array of root pointers, each root
 * (allocated when a section in it is first used, sparse_index_init()) holding a page of
 * struct mem_section (SECTIONS_PER_ROOT). The roots keep the table small for
 * any MAX_PHYSMEM_BITS - SECTION_SIZE_BITS (19 bits on x86-64, 27 on ppc64 with 16 MiB sections).
 *
 * <p>Guarded by mem_hotplug_lock (write) for changes; boot fills it single-threaded.
 */
final class SectionTable {
    /** sizeof(struct mem_section) with CONFIG_PAGE_EXTENSION: section_mem_map, usage, page_ext, pad. */
    static final int MEM_SECTION_BYTES = 32;

    private final int rootShift;
    private final MemSection[][] roots;

    SectionTable(Arch arch) {
        this.rootShift = Long.numberOfTrailingZeros(sectionsPerRoot(arch));
        this.roots = new MemSection[(int) (arch.nrMemSections() >>> rootShift)][];
    }

    /** SECTIONS_PER_ROOT of the architecture. */
    static long sectionsPerRoot(Arch arch) {
        return arch.pageSize() / MEM_SECTION_BYTES;
    }

    /** NR_SECTION_ROOTS. */
    static long nrSectionRoots(Arch arch) {
        return arch.nrMemSections() / sectionsPerRoot(arch);
    }

    /** __nr_to_section(): the section, or null (also beyond NR_MEM_SECTIONS). */
    MemSection get(long nr) {
        long root = nr >>> rootShift;
        if (nr < 0 || root >= roots.length || roots[(int) root] == null) {
            return null;
        }
        return roots[(int) root][(int) (nr & ((1 << rootShift) - 1))];
    }

    /** Sets (or, with null, clears) section nr; allocates its root on first use. */
    void set(long nr, MemSection s) {
        int root = (int) (nr >>> rootShift);
        if (roots[root] == null) {
            if (s == null) {
                return;
            }
            roots[root] = new MemSection[1 << rootShift];
        }
        roots[root][(int) (nr & ((1 << rootShift) - 1))] = s;
    }

    /** Every section in the table, ascending by number. */
    List<MemSection> all() {
        List<MemSection> out = new ArrayList<>();
        for (MemSection[] r : roots) {
            if (r != null) {
                for (MemSection s : r) {
                    if (s != null) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }
}
