package org.hotmem.drivers;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryNotifier;
import org.hotmem.hv.SclpStorage;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.Mutex;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.KernelVersion;

/**
 * s390 standby memory: the memory-hotplug half of drivers/s390/char/sclp_cmd.c. At boot
 * (sclp_detect_standby_memory()) it reads the storage increments from the SCLP, registers its
 * memory notifier and adds every run of standby increments, block-aligned, with add_memory():
 * the memory blocks exist, offline, their sections registered, but the memory behind them is
 * not accessible. Onlining a block assigns its increments (SCLP assign storage), offlining it
 * unassigns them; a block that still holds a standby increment cannot be offlined (-EPERM).
 *
 * <p>When the assignment happens is the {@link Protocol}:
 * <ul>
 * <li>{@link Protocol#ONE_STAGE} (sclp_cmd.c up to ~6.7, the 6.1 default): assign in
 *     MEM_GOING_ONLINE, unassign in MEM_OFFLINE and MEM_CANCEL_ONLINE. The memmap of standby
 *     memory lives in assigned memory, because add_memory() writes it before any notifier
 *     runs: with {@code memmapOnStandby} (seed 002's question: what if the memmap were on the
 *     standby memory itself?) add_memory() writes unassigned storage, which the model reports
 *     as an {@link org.hotmem.hotplug.InaccessibleMemoryException}.</li>
 * <li>{@link Protocol#TWO_STAGE} (~6.8 to ~6.18, the 6.12 default; needs
 *     {@link KernelFeature#MEM_PREPARE_ONLINE}): each block is added alone with
 *     MHP_MEMMAP_ON_MEMORY | MHP_OFFLINE_INACCESSIBLE (when {@code memmapOnStandby}, as on
 *     EDAT1 machines), so its memmap is on the block but untouched; MEM_PREPARE_ONLINE assigns
 *     the whole block, altmap included, before memory_block_online() initialises the memmap;
 *     MEM_FINISH_OFFLINE unassigns it after the memmap is torn down.</li>
 * </ul>
 * Not modelled: storage-element attach (one storage element, id 0), kdump, mem= clipping,
 * phys_device (the increment number), the 2025 rework (/sys/firmware/memory). Invariant: an
 * increment marked standby here is unassigned in the SCLP unless an assign in the same range
 * failed first (sclp_mem_change_state()'s accumulated rc, kept as Linux has it). Fields guarded
 * by sclp_mem_mutex.
 */
public final class SclpMemory {
    /** When standby storage is assigned: see the class comment. */
    public enum Protocol {
        ONE_STAGE, TWO_STAGE;

        /** What the kernel's sclp_cmd.c does. */
        public static Protocol of(KernelVersion v) {
            return v.has(KernelFeature.MEM_PREPARE_ONLINE) ? TWO_STAGE : ONE_STAGE;
        }
    }

    private static final String PREFIX = "sclp_cmd: ";
    private static final int CMDW_ASSIGN = 0x000d0001;

    /** struct memory_increment. */
    private static final class Increment {
        final int rn;
        boolean standby;

        Increment(int rn, boolean standby) {
            this.rn = rn;
            this.standby = standby;
        }
    }

    private final MemoryHotplug hotplug;
    private final SclpStorage sclp;
    private final Protocol protocol;
    private final boolean memmapOnStandby;
    private final Dmesg log;
    private final Mutex mutex;
    private final int pageShift;
    /** sclp_mem_list, by increment number. */
    private final List<Increment> increments = new ArrayList<>();

    /**
     * @param memmapOnStandby whether add_memory() is asked to put the memmap on the standby memory
     */
    public SclpMemory(Kernel kernel, MemoryHotplug hotplug, SclpStorage sclp, Protocol protocol, boolean memmapOnStandby) {
        if (protocol == Protocol.TWO_STAGE && !hotplug.mm().version().has(KernelFeature.MEM_PREPARE_ONLINE)) {
            throw new IllegalArgumentException("the two-stage protocol needs MEM_PREPARE_ONLINE (~6.8 and later)");
        }
        this.hotplug = hotplug;
        this.sclp = sclp;
        this.protocol = protocol;
        this.memmapOnStandby = memmapOnStandby;
        this.log = kernel.dmesg();
        this.mutex = new Mutex(kernel, "sclp_mem_mutex");
        this.pageShift = hotplug.mm().arch().pageShift();
    }

    /** Models sclp_detect_standby_memory(), an initcall: the increments, the notifier, then the standby memory added. */
    public void detectStandbyMemory() {
        for (int rn = 1; rn <= sclp.rnmax(); rn++) {
            increments.add(new Increment(rn, !sclp.isAssigned(rn)));
        }
        hotplug.registerMemoryNotifier(this::memoryNotifier, 0);
        addStandbyMemory();
    }

    /** Models sclp_add_standby_memory()/add_memory_merged(): each run of standby increments, block-aligned. */
    private void addStandbyMemory() {
        int first = -1;
        for (int i = 0; i <= increments.size(); i++) {
            boolean standby = i < increments.size() && increments.get(i).standby;
            if (standby && first < 0) {
                first = i;
            } else if (!standby && first >= 0) {
                addRange(sclp.addressOf(increments.get(first).rn), (long) (i - first) * sclp.rzm());
                first = -1;
            }
        }
    }

    /** Models align_to_block_size() and the add_memory() calls for one run. */
    private void addRange(long start, long size) {
        long block = hotplug.mm().arch().blockSizeBytes();
        long alignedStart = (start + block - 1) / block * block;
        long alignedSize = Math.max(0, (start + size) / block * block - alignedStart);
        log.info(PREFIX + String.format("Standby memory at 0x%x (%dM of %dM usable)", start, alignedSize >> 20, size >> 20));
        if (alignedSize == 0) {
            return;
        }
        if (protocol == Protocol.TWO_STAGE || memmapOnStandby) {
            int flags = !memmapOnStandby ? MemoryHotplug.MHP_NONE
                    : protocol == Protocol.TWO_STAGE ? MemoryHotplug.MHP_MEMMAP_ON_MEMORY | MemoryHotplug.MHP_OFFLINE_INACCESSIBLE
                    : MemoryHotplug.MHP_MEMMAP_ON_MEMORY;
            for (long a = alignedStart; a < alignedStart + alignedSize; a += block) {
                hotplug.addMemory(0, a, block, flags);
            }
        } else {
            hotplug.addMemory(0, alignedStart, alignedSize, MemoryHotplug.MHP_NONE);
        }
    }

    /** Models sclp_mem_change_state(): assign or unassign every increment overlapping the range. */
    private int changeState(long start, long size, boolean online) {
        int rc = 0;
        for (Increment incr : increments) {
            long istart = sclp.addressOf(incr.rn);
            if (start + size - 1 < istart) {
                break;
            }
            if (start > istart + sclp.rzm() - 1) {
                continue;
            }
            if (online) {
                rc |= assign(incr.rn);
            } else {
                sclp.unassign(incr.rn);
            }
            if (rc == 0) {
                incr.standby = !online;
            }
        }
        return rc != 0 ? -Errno.EIO.number() : 0;
    }

    /** Models sclp_assign_storage()/do_assign_storage(): 0, or 1 after the warning. */
    private int assign(int rn) {
        int response = sclp.assign(rn);
        if (response == SclpStorage.RESPONSE_DONE) {
            return 0;
        }
        log.warn(PREFIX + String.format("assign storage failed (cmd=0x%08x, response=0x%04x, rn=0x%04x)", CMDW_ASSIGN, response, rn));
        return 1;
    }

    /** Models contains_standby_increment(). */
    private boolean containsStandby(long start, long end) {
        for (Increment incr : increments) {
            long istart = sclp.addressOf(incr.rn);
            if (end - 1 < istart || start > istart + sclp.rzm() - 1) {
                continue;
            }
            if (incr.standby) {
                return true;
            }
        }
        return false;
    }

    /** Models sclp_mem_notifier(). */
    private int memoryNotifier(MemoryNotifier.Event event, long startPfn, long nrPages) {
        long start = startPfn << pageShift;
        long size = nrPages << pageShift;
        int rc = 0;
        mutex.lock();
        try {
            switch (event) {
                // "We do not allow to set memory blocks offline that contain standby memory."
                case MEM_GOING_OFFLINE -> rc = containsStandby(start, start + size) ? -Errno.EPERM.number() : 0;
                case MEM_GOING_ONLINE -> rc = protocol == Protocol.ONE_STAGE ? changeState(start, size, true) : 0;
                case MEM_CANCEL_ONLINE, MEM_OFFLINE -> {
                    if (protocol == Protocol.ONE_STAGE) {
                        changeState(start, size, false);
                    }
                }
                case MEM_PREPARE_ONLINE -> rc = protocol == Protocol.TWO_STAGE ? changeState(start, size, true) : 0;
                case MEM_FINISH_OFFLINE -> {
                    if (protocol == Protocol.TWO_STAGE) {
                        changeState(start, size, false);
                    }
                }
                default -> {
                }
            }
        } finally {
            mutex.unlock();
        }
        return rc != 0 ? MemoryNotifier.NOTIFY_BAD : MemoryNotifier.NOTIFY_OK;
    }

    /** Whether increment {@code rn} is standby as the driver sees it (incr->standby). */
    public boolean isStandby(int rn) {
        return increments.get(rn - 1).standby;
    }
}
