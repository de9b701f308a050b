package org.hotmem.hv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The device-memory region (machine->device_memory) and the memory devices placed in it.
 * Models hw/mem/memory-device.c: memory_device_check_addable(),
 * memory_device_get_free_addr() (first fit from the lowest address, over the devices sorted
 * by address, each candidate aligned up) and memory_device_build_list().
 *
 * <p>Invariant: {@link #devices} is sorted by address and its regions do not overlap;
 * {@link #usedRegionSize} is the sum of their region sizes.
 */
public final class DeviceMemory {
    private final long base;
    private final long size;
    /** maxmem - ram: the budget memory devices may use together. */
    private final long budget;
    private final List<MemoryDevice> devices = new ArrayList<>();
    private long usedRegionSize;

    public DeviceMemory(long base, long size, long budget) {
        this.base = base;
        this.size = size;
        this.budget = budget;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** The plugged memory devices, sorted by address (the order of query-memory-devices). */
    public List<MemoryDevice> devices() {
        return List.copyOf(devices);
    }

    public long usedRegionSize() {
        return usedRegionSize;
    }

    /** Models memory_device_check_addable(): the devices together may not exceed maxmem - ram. */
    void checkAddable(long regionSize) {
        if (usedRegionSize + regionSize < usedRegionSize || usedRegionSize + regionSize > budget) {
            throw QmpException.generic(String.format(
                    "not enough space, currently 0x%x in use of total space for memory devices 0x%x",
                    usedRegionSize, budget));
        }
    }

    /**
     * Models memory_device_get_free_addr(): the lowest address, aligned to {@code align}, where
     * a region of {@code regionSize} fits between the placed devices; or checks {@code hint}.
     */
    long freeAddr(Long hint, long align, long regionSize) {
        if (hint != null && hint % align != 0) {
            throw QmpException.generic(String.format("address must be aligned to 0x%x bytes", align));
        }
        if (regionSize % align != 0) {
            throw QmpException.generic(String.format("backend memory size must be multiple of 0x%x", align));
        }
        long newStart;
        if (hint != null) {
            newStart = hint;
            if (!contains(newStart, regionSize)) {
                throw QmpException.generic(String.format(
                        "can't add memory device [0x%x:0x%x], usable range for memory devices [0x%x:0x%x]",
                        hint, regionSize, base, size));
            }
        } else {
            newStart = Align.up(base, align);
        }
        for (MemoryDevice md : devices) {
            long start = md.addr();
            long last = start + md.regionSize() - 1;
            long newLast = newStart + regionSize - 1;
            boolean overlaps = start <= newLast && newStart <= last;
            if (overlaps) {
                if (hint != null) {
                    throw QmpException.generic("address range conflicts with memory device id='"
                            + (md.id() != null ? md.id() : "(unnamed)") + "'");
                }
                newStart = Align.up(last + 1, align);
            } else if (start > newLast) {
                break;
            }
        }
        if (!contains(newStart, regionSize)) {
            throw QmpException.generic("could not find position in guest address space for memory device - "
                    + "memory fragmented due to alignments");
        }
        return newStart;
    }

    private boolean contains(long start, long len) {
        return Long.compareUnsigned(start, base) >= 0
                && Long.compareUnsigned(start + len, base + size) <= 0
                && Long.compareUnsigned(start + len, start) > 0;
    }

    void plug(MemoryDevice md) {
        devices.add(md);
        devices.sort(Comparator.comparingLong(MemoryDevice::addr));
        usedRegionSize += md.regionSize();
    }

    void unplug(MemoryDevice md) {
        if (devices.remove(md)) {
            usedRegionSize -= md.regionSize();
        }
    }
}
