package org.hotmem.hv;

import java.util.BitSet;
import java.util.List;

import org.hotmem.mm.E820Entry;
import org.hotmem.mm.E820Type;

/**
 * The storage of an {@code s390-ccw-virtio} style guest as its SCLP reports it: the whole
 * storage ({@code -m size,maxmem=max}) cut into increments of {@link #rzm()} bytes, numbered
 * 1..{@link #rnmax()} (increment {@code rn} starts at {@code (rn - 1) * rzm}); the first
 * {@code size} bytes are <i>assigned</i> (backed, usable), the rest <i>standby</i>: defined for
 * the guest, not backed until the guest asks the SCLP to assign it.
 *
 * <p>Commands (drivers/s390/char/sclp_cmd.c's view): read storage information (0x00040001,
 * response 0x0010 with the assigned increments' numbers), assign storage (0x000d0001) and
 * unassign storage (0x000c0001), response 0x0020 when done. A host may refuse to assign an
 * increment ({@link #refuseAssign}); the response is then {@link #RESPONSE_REFUSED}.
 *
 * <p>Sources: QEMU dropped standby memory on s390x in 5.0, so QEMU 7.2 (the modelled QEMU) has
 * none and there is no s390 recorder: the increment size follows QEMU 4.2's
 * s390_memory_init()/sclp_memory_init() (the smallest power of two of at least 1 MiB giving at
 * most {@link #MAX_STORAGE_INCREMENTS} increments of the whole storage), the rest Linux's
 * sclp_cmd.c. Invariants: an increment is either assigned or standby; the assigned ones are
 * exactly those backed. Guarded by the caller (sclp_mem_mutex in the guest driver).
 */
public final class SclpStorage {
    /** QEMU's MAX_STORAGE_INCREMENTS. */
    public static final int MAX_STORAGE_INCREMENTS = 1020;
    /** Read storage information: done, increments listed. */
    public static final int RESPONSE_READ_DONE = 0x0010;
    /** Assign/unassign storage: done. */
    public static final int RESPONSE_DONE = 0x0020;
    /** Assign storage refused by the host. // model: [uncertain] the exact code a host returns. */
    public static final int RESPONSE_REFUSED = 0x0340;

    private final long rzm;
    private final int rnmax;
    /** Bit rn: increment rn is assigned. */
    private final BitSet assigned = new BitSet();
    /** Bit rn: the host refuses to assign increment rn. */
    private final BitSet refused = new BitSet();

    /** The storage of {@code -m size,maxmem=max}: {@code size} assigned, {@code max - size} standby. */
    public SclpStorage(long assignedBytes, long totalBytes) {
        long inc = 1L << 20;
        while (totalBytes / inc > MAX_STORAGE_INCREMENTS) {
            inc <<= 1;
        }
        this.rzm = inc;
        this.rnmax = (int) (totalBytes / inc);
        // QEMU rounds the assigned storage down to whole increments
        assigned.set(1, (int) (assignedBytes / inc) + 1);
    }

    /** Parses {@code -m} as QEMU does ({@link MemoryOptions#parse}); maxmem is the whole storage. */
    public static SclpStorage parse(String memoryOption) {
        MemoryOptions m = MemoryOptions.parse(memoryOption);
        return new SclpStorage(m.ramSize(), m.maxRamSize());
    }

    /** The storage increment size (sclp.rzm). */
    public long rzm() {
        return rzm;
    }

    /** The highest increment number (sclp.rnmax). */
    public int rnmax() {
        return rnmax;
    }

    /** rn2addr(). */
    public long addressOf(int rn) {
        return (rn - 1) * rzm;
    }

    /** Whether increment {@code rn} is assigned. */
    public boolean isAssigned(int rn) {
        return assigned.get(rn);
    }

    /** Read storage information: the assigned increments' numbers, ascending. */
    public List<Integer> assignedIncrements() {
        return assigned.stream().boxed().toList();
    }

    /** The assigned bytes. */
    public long assignedBytes() {
        return assigned.cardinality() * rzm;
    }

    /** Assign storage for increment {@code rn}: the response code. */
    public int assign(int rn) {
        if (refused.get(rn)) {
            return RESPONSE_REFUSED;
        }
        assigned.set(rn);
        return RESPONSE_DONE;
    }

    /** Unassign storage for increment {@code rn}: the response code. */
    public int unassign(int rn) {
        assigned.clear(rn);
        return RESPONSE_DONE;
    }

    /** The host will refuse (or, with false, again grant) assigning increment {@code rn}. */
    public void refuseAssign(int rn, boolean refuse) {
        refused.set(rn, refuse);
    }

    /** Whether every byte of [start, start + size) is in an assigned increment. */
    public boolean accessible(long start, long size) {
        for (long a = start - start % rzm; a < start + size; a += rzm) {
            if (!assigned.get((int) (a / rzm) + 1)) {
                return false;
            }
        }
        return true;
    }

    /** The boot memory map: each run of assigned increments, as detect_physmem() gives memblock. */
    public List<E820Entry> memoryMap() {
        java.util.ArrayList<E820Entry> map = new java.util.ArrayList<>();
        int rn = assigned.nextSetBit(1);
        while (rn >= 0) {
            int end = assigned.nextClearBit(rn);
            map.add(new E820Entry(addressOf(rn), (end - rn) * rzm, E820Type.USABLE));
            rn = assigned.nextSetBit(end);
        }
        return List.copyOf(map);
    }
}
