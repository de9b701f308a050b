package org.hotmem.hv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.hotmem.mm.E820Entry;
import org.hotmem.mm.E820Type;
import org.hotmem.mm.Srat;

/**
 * The guest-physical layout of QEMU 7.2's {@code pc} (i440fx) machine with TCG's default CPU
 * (qemu64: AMD vendor, 40 physical address bits) and SeaBIOS 1.16, for any {@code -m}.
 *
 * <p>Rules (QEMU hw/i386/pc_piix.c pc_init1(), hw/i386/pc.c pc_memory_init(),
 * pc_pci_hole64_start(); SeaBIOS src/fw/paravirt.c, src/malloc.c):
 * <ul>
 * <li>RAM below 4 GiB is all of it when it is smaller than 3.5 GiB (0xe0000000); otherwise the
 *     split moves to 3 GiB (gigabyte alignment of the {@code pc-i440fx-7.2} machine) and the
 *     rest goes above 4 GiB.</li>
 * <li>Device memory (the DIMM/virtio-mem window) starts at the end of RAM above 4 GiB rounded
 *     up to 1 GiB (4 GiB when there is none) and is {@code maxmem - ram + 1 GiB * slots} long;
 *     it exists only when {@code maxmem > ram}.</li>
 * <li>The 64-bit PCI hole (2 GiB by default on i440fx) follows device memory, rounded up to
 *     1 GiB. If its end reaches the AMD HyperTransport window at 0xfd00000000, QEMU moves the
 *     RAM above 4 GiB to 1 TiB; the address space must then still fit 40 physical bits.</li>
 * <li>QEMU's e820 table: RAM below 4 GiB, RAM above 4 GiB, and (AMD vCPU with 40+ physical
 *     bits on a 7.1+ machine type, i.e. always here) the HyperTransport range
 *     0xfd00000000-0xffffffffff as reserved, whatever the RAM size.</li>
 * <li>SeaBIOS adds: the 1 KiB EBDA below 640 KiB, the BIOS segment 0xf0000-0xfffff, the
 *     256 KiB BIOS ROM below 4 GiB, and keeps the top 128 KiB of low RAM reserved for its
 *     ACPI/SMBIOS tables (it reserves 256 KiB of high tables and gives the unused part back;
 *     what stays is 128 KiB for this machine's tables, independent of the RAM size).</li>
 * <li>SRAT (with NUMA nodes: {@code -numa}, or the node 0 QEMU creates itself when memory
 *     hotplug is configured): each node's RAM with the 640 KiB-1 MiB hole and the PCI hole cut
 *     out, then one hotpluggable entry covering device memory on the last node.</li>
 * </ul>
 *
 * <p>Invariant: immutable; every field is computed once from the {@link MemoryOptions}.
 */
public final class PcMachineLayout {
    public static final long KIB = 1L << 10;
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;
    public static final long FOUR_GIB = 4 * GIB;

    /** pc_piix.c: the traditional 3.5 GiB split, default max-ram-below-4g. */
    static final long MAX_RAM_BELOW_4G = 0xe0000000L;
    /** With gigabyte alignment the split moves down to 3 GiB. */
    static final long GIGABYTE_ALIGNED_LOWMEM = 0xc0000000L;
    /** i440fx default pci-hole64-size. */
    static final long PCI_HOLE64_SIZE = 2 * GIB;
    /** hw/i386/pc.c: AMD HyperTransport reserved range, just below 1 TiB. */
    public static final long AMD_HT_START = 0xfd00000000L;
    public static final long AMD_ABOVE_1TB_START = 0x10000000000L;
    /** TCG's default phys-bits. */
    static final int PHYS_BITS = 40;
    /** ACPI_MAX_RAM_SLOTS in include/hw/acpi/memory_hotplug.h. */
    public static final int ACPI_MAX_RAM_SLOTS = 256;

    static final long HOLE_640K_START = 640 * KIB;
    static final long HOLE_640K_END = 1 * MIB;
    /** SeaBIOS: 1 KiB extended BIOS data area at the top of conventional memory. */
    static final long EBDA_START = 0x9fc00;
    static final long BIOS_SEGMENT = 0xf0000;
    /** SeaBIOS: the 256 KiB BIOS image mapped below 4 GiB. */
    static final long BIOS_ROM_START = 0xfffc0000L;
    /** SeaBIOS: high-table memory that remains reserved after malloc_prepboot() gives back the rest. */
    static final long SEABIOS_HIGH_TABLES = 128 * KIB;
    /**
     * SeaBIOS: what init_virtio_blk() keeps of high memory per virtio-blk disk (its virtqueue,
     * memalign_high()); a 1 GiB guest with one -drive if=virtio shows usable RAM ending 12 KiB lower.
     */
    static final long SEABIOS_VIRTIO_BLK = 12 * KIB;

    private final MemoryOptions memory;
    /** virtio-blk disks SeaBIOS initialises (each keeps {@link #SEABIOS_VIRTIO_BLK} reserved). */
    private final int virtioBlkDisks;
    private final long below4g;
    private final long above4g;
    private final long above4gStart;
    private final long deviceMemoryBase;
    private final long deviceMemorySize;
    private final long pciHole64Start;

    private PcMachineLayout(MemoryOptions memory, int virtioBlkDisks) {
        this.memory = memory;
        this.virtioBlkDisks = virtioBlkDisks;
        long ram = memory.ramSize();
        long lowmem = MAX_RAM_BELOW_4G;
        if (Long.compareUnsigned(ram, lowmem) >= 0) {
            lowmem = GIGABYTE_ALIGNED_LOWMEM;
        }
        if (Long.compareUnsigned(ram, lowmem) >= 0) {
            above4g = ram - lowmem;
            below4g = lowmem;
        } else {
            above4g = 0;
            below4g = ram;
        }
        boolean hasDeviceMemory = Long.compareUnsigned(memory.ramSize(), memory.maxRamSize()) < 0;
        if (hasDeviceMemory) {
            if (memory.slots() > ACPI_MAX_RAM_SLOTS) {
                throw new QemuConfigException("unsupported amount of memory slots: " + memory.slots());
            }
            if ((memory.maxRamSize() & 4095) != 0) {
                throw new QemuConfigException("maximum memory size must by aligned to multiple of 4096 bytes");
            }
        }
        long start = FOUR_GIB;
        long hole64End = hole64Start(start, hasDeviceMemory) + PCI_HOLE64_SIZE - 1;
        if (Long.compareUnsigned(hole64End, AMD_HT_START) >= 0) {
            start = AMD_ABOVE_1TB_START;
        }
        above4gStart = start;
        if (hasDeviceMemory) {
            deviceMemoryBase = Align.up(above4gStart + above4g, GIB);
            deviceMemorySize = memory.maxRamSize() - memory.ramSize() + GIB * memory.slots();
            if (Long.compareUnsigned(deviceMemoryBase + deviceMemorySize, deviceMemorySize) < 0) {
                throw new QemuConfigException(String.format("unsupported amount of maximum memory: 0x%x",
                        memory.maxRamSize()));
            }
        } else {
            deviceMemoryBase = 0;
            deviceMemorySize = 0;
        }
        pciHole64Start = hole64Start(above4gStart, hasDeviceMemory);
        long maxUsed = pciHole64Start + PCI_HOLE64_SIZE - 1;
        long maxPhys = (1L << PHYS_BITS) - 1;
        if (Long.compareUnsigned(maxPhys, maxUsed) < 0) {
            throw new QemuConfigException(String.format("Address space limit 0x%x < 0x%x phys-bits too low (%d)",
                    maxPhys, maxUsed, PHYS_BITS));
        }
    }

    /** Models pc_pci_hole64_start() for the given start of RAM above 4 GiB. */
    private long hole64Start(long above4gStartAddr, boolean hasDeviceMemory) {
        long end;
        if (hasDeviceMemory) {
            long base = Align.up(above4gStartAddr + above4g, GIB);
            end = base + memory.maxRamSize() - memory.ramSize() + GIB * memory.slots();
        } else {
            end = above4gStartAddr + above4g;
        }
        return Align.up(end, GIB);
    }

    /**
     * Computes the layout of a {@code pc} machine for the given {@code -m} options.
     *
     * @throws QemuConfigException with QEMU's text when QEMU would refuse to start
     */
    public static PcMachineLayout of(MemoryOptions memory) {
        return of(memory, 0);
    }

    /** As {@link #of(MemoryOptions)}, with {@code virtioBlkDisks} {@code -drive if=virtio} disks. */
    public static PcMachineLayout of(MemoryOptions memory, int virtioBlkDisks) {
        return new PcMachineLayout(memory, virtioBlkDisks);
    }

    public MemoryOptions memory() {
        return memory;
    }

    /** x86ms->below_4g_mem_size. */
    public long below4g() {
        return below4g;
    }

    /** x86ms->above_4g_mem_size. */
    public long above4g() {
        return above4g;
    }

    /** x86ms->above_4g_mem_start: 4 GiB, or 1 TiB after AMD HyperTransport relocation. */
    public long above4gStart() {
        return above4gStart;
    }

    public boolean hasDeviceMemory() {
        return deviceMemorySize != 0;
    }

    /** machine->device_memory->base (0 if there is no device memory). */
    public long deviceMemoryBase() {
        return deviceMemoryBase;
    }

    /** Size of the device-memory region (0 if there is none). */
    public long deviceMemorySize() {
        return deviceMemorySize;
    }

    /** Start of the 64-bit PCI window. */
    public long pciHole64Start() {
        return pciHole64Start;
    }

    public long pciHole64Size() {
        return PCI_HOLE64_SIZE;
    }

    /** QEMU's own e820 table (fw_cfg "etc/e820"), in the order QEMU adds the entries. */
    public List<E820Entry> qemuE820() {
        List<E820Entry> out = new ArrayList<>();
        out.add(new E820Entry(AMD_HT_START, AMD_ABOVE_1TB_START - AMD_HT_START, E820Type.RESERVED));
        out.add(new E820Entry(0, below4g, E820Type.USABLE));
        if (above4g > 0) {
            out.add(new E820Entry(above4gStart, above4g, E820Type.USABLE));
        }
        return out;
    }

    /**
     * The e820 map SeaBIOS hands to the kernel (what Linux prints as "BIOS-e820"), sorted by
     * address. Models SeaBIOS's e820_add() of QEMU's entries plus its own reservations.
     */
    public List<E820Entry> e820() {
        E820Map map = new E820Map();
        for (E820Entry e : qemuE820()) {
            map.add(e.addr(), e.size(), e.type());
        }
        long tablesStart = Math.max(HOLE_640K_END, below4g - SEABIOS_HIGH_TABLES - virtioBlkDisks * SEABIOS_VIRTIO_BLK);
        if (below4g > tablesStart) {
            map.add(tablesStart, below4g - tablesStart, E820Type.RESERVED);
        }
        map.add(BIOS_ROM_START, FOUR_GIB - BIOS_ROM_START, E820Type.RESERVED);
        map.add(BIOS_SEGMENT, HOLE_640K_END - BIOS_SEGMENT, E820Type.RESERVED);
        map.add(EBDA_START, HOLE_640K_START - EBDA_START, E820Type.RESERVED);
        // Nothing describes 0xa0000-0xeffff (VGA window, option ROMs).
        map.remove(HOLE_640K_START, BIOS_SEGMENT - HOLE_640K_START);
        return map.entries();
    }

    /** The "BIOS-e820: [mem 0x...-0x...] type" lines of e820__print_table(). */
    public List<String> e820LogLines() {
        List<String> lines = new ArrayList<>();
        lines.add("BIOS-provided physical RAM map:");
        for (E820Entry e : e820()) {
            lines.add(String.format("BIOS-e820: [mem 0x%016x-0x%016x] %s", e.addr(), e.end() - 1, e.type().text()));
        }
        return lines;
    }

    /**
     * Models build_srat() in hw/i386/acpi-build.c: the APIC affinity of CPU 0, then each
     * node's boot RAM in node order (RAM is laid out node after node from address 0) with the
     * 640 KiB-1 MiB hole and the PCI hole cut out, and one hotpluggable entry covering device
     * memory on the last node; with {@code -numa dist} also the SLIT (build_slit()). QEMU builds
     * no SRAT without NUMA nodes ({@link Srat#NONE}).
     */
    public Srat srat(NumaConfig numa) {
        if (numa.nodeCount() == 0) {
            return Srat.NONE;
        }
        List<Srat.Memory> out = new ArrayList<>();
        long nextBase = 0;
        for (int node = 0; node < numa.nodeCount(); node++) {
            long memBase = nextBase;
            long memLen = numa.nodeMemory(node);
            nextBase = memBase + memLen;
            if (memBase <= HOLE_640K_START && nextBase > HOLE_640K_START) {
                memLen -= nextBase - HOLE_640K_START;
                if (memLen > 0) {
                    out.add(new Srat.Memory(memBase, memLen, node, false));
                }
                if (nextBase <= HOLE_640K_END) {
                    nextBase = HOLE_640K_END;
                    continue;
                }
                memBase = HOLE_640K_END;
                memLen = nextBase - HOLE_640K_END;
            }
            if (memBase <= below4g && nextBase > below4g) {
                memLen -= nextBase - below4g;
                if (memLen > 0) {
                    out.add(new Srat.Memory(memBase, memLen, node, false));
                }
                memBase = above4gStart;
                memLen = nextBase - below4g;
                nextBase = memBase + memLen;
            }
            if (memLen > 0) {
                out.add(new Srat.Memory(memBase, memLen, node, false));
            }
        }
        if (hasDeviceMemory()) {
            out.add(new Srat.Memory(deviceMemoryBase, deviceMemorySize, numa.nodeCount() - 1, true));
        }
        List<List<Integer>> slit = new ArrayList<>();
        if (numa.hasDistances()) {
            for (int a = 0; a < numa.nodeCount(); a++) {
                List<Integer> row = new ArrayList<>();
                for (int b = 0; b < numa.nodeCount(); b++) {
                    row.add(numa.distance(a, b));
                }
                slit.add(row);
            }
        }
        return new Srat(List.of(numa.cpuNode()), out, slit);
    }

    /** A sorted, non-overlapping e820 list: later additions override earlier ones where they overlap. */
    private static final class E820Map {
        private final List<E820Entry> entries = new ArrayList<>();

        void add(long addr, long size, E820Type type) {
            remove(addr, size);
            entries.add(new E820Entry(addr, size, type));
            entries.sort(Comparator.comparingLong(E820Entry::addr));
            merge();
        }

        void remove(long addr, long size) {
            long end = addr + size;
            List<E820Entry> out = new ArrayList<>();
            for (E820Entry e : entries) {
                if (e.end() <= addr || e.addr() >= end) {
                    out.add(e);
                    continue;
                }
                if (e.addr() < addr) {
                    out.add(new E820Entry(e.addr(), addr - e.addr(), e.type()));
                }
                if (e.end() > end) {
                    out.add(new E820Entry(end, e.end() - end, e.type()));
                }
            }
            entries.clear();
            entries.addAll(out);
            entries.sort(Comparator.comparingLong(E820Entry::addr));
        }

        private void merge() {
            List<E820Entry> out = new ArrayList<>();
            for (E820Entry e : entries) {
                if (!out.isEmpty()) {
                    E820Entry last = out.get(out.size() - 1);
                    if (last.type() == e.type() && last.end() == e.addr()) {
                        out.set(out.size() - 1, new E820Entry(last.addr(), last.size() + e.size(), e.type()));
                        continue;
                    }
                }
                out.add(e);
            }
            entries.clear();
            entries.addAll(out);
        }

        List<E820Entry> entries() {
            return List.copyOf(entries);
        }
    }
}
