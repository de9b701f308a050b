package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The pseries board's memory hotplug (hw/ppc/spapr.c, hw/ppc/spapr_drc.c,
 * hw/ppc/spapr_events.c) as seen from both sides: one logical DR connector per 256 MiB LMB of
 * the device-memory region, DRC index {@code 0x80000000 | (addr / LMB size)}.
 *
 * <p>Host side: {@link #plug} (spapr_memory_plug() → spapr_add_lmbs()) attaches a DIMM's LMBs
 * and, for a hot-added one, queues an RTAS hotplug event "add, count-indexed" (N LMBs from the
 * first index; spapr_hotplug_req_add_by_count_indexed()); {@link #unplugRequest}
 * (spapr_memory_unplug_request()) marks every LMB of the DIMM unplug-requested and queues
 * "remove, count-indexed", or refuses a second request with QEMU's text.
 *
 * <p>Guest side (RTAS calls of the DLPAR code): {@link #release} (set-indicator isolate +
 * unallocate of one LMB: spapr_drc_release()); when the last LMB of a DIMM is released QEMU
 * unplugs it (spapr_memory_unplug()) and emits DEVICE_DELETED through {@code unplugDimm}.
 * {@link #unisolate} of an LMB whose DIMM has an unplug pending is QEMU's rollback
 * (spapr_memory_unplug_rollback()): the request is dropped and DEVICE_UNPLUG_GUEST_ERROR emitted.
 * A removal the guest gives up before removing any LMB unisolates nothing, so the request
 * stays pending and no event follows (as recorded).
 *
 * <p>Invariant: every attached LMB index maps to the DIMM that holds it; a DIMM is in
 * {@code unplugPending} iff an unplug request was accepted and neither completed nor rolled
 * back. Host and guest calls never run concurrently (one scheduler).
 */
public final class SpaprMemoryHotplug {
    /** SPAPR_MEMORY_BLOCK_SIZE: the LMB size ("ibm,lmb-size"). */
    public static final long LMB_SIZE = 256L << 20;
    /** SPAPR_DR_CONNECTOR_TYPE_SHIFT_LMB in the top nibble of an LMB's DRC index. */
    public static final long DRC_INDEX_LMB = 0x80000000L;
    /** From QEMU's spapr_hotplug_req_event() to the guest's RTAS event handler (the EPOW/hotplug IRQ). */
    static final long EVENT_LATENCY_NS = 300_000;

    /** What the guest's DLPAR code receives: add or remove, count-indexed. */
    public record HotplugEvent(boolean add, int count, long firstIndex) {
    }

    private final HostTimers timers;
    private final QmpEventQueue events;
    private final Consumer<PcDimm> unplugDimm;
    /** Attached LMBs: DRC index -> the DIMM it belongs to. */
    private final Map<Long, PcDimm> lmbs = new LinkedHashMap<>();
    /** DIMMs with an accepted unplug request -> LMBs not yet released. */
    private final Map<PcDimm, Integer> unplugPending = new LinkedHashMap<>();
    private Consumer<HotplugEvent> guestHandler;

    SpaprMemoryHotplug(HostTimers timers, QmpEventQueue events, Consumer<PcDimm> unplugDimm) {
        this.timers = timers;
        this.events = events;
        this.unplugDimm = unplugDimm;
    }

    /** The DRC index of the LMB at guest physical {@code addr}. */
    public static long drcIndex(long addr) {
        return DRC_INDEX_LMB | (addr / LMB_SIZE);
    }

    /** The guest's handler of RTAS hotplug events (pseries ras.c → dlpar.c's queue_hotplug_event()). */
    public void setGuestHandler(Consumer<HotplugEvent> handler) {
        this.guestHandler = handler;
    }

    /** Models spapr_memory_pre_plug()'s size check. */
    static void prePlug(MemoryBackend memdev) {
        if (memdev.size() % LMB_SIZE != 0) {
            throw QmpException.generic("Hotplugged memory size must be a multiple of " + (LMB_SIZE >> 20) + " MB");
        }
    }

    /** Models spapr_memory_plug(): attach the LMBs; a hot-added DIMM is announced to the guest. */
    void plug(PcDimm dimm) {
        int n = nrLmbs(dimm);
        for (int i = 0; i < n; i++) {
            lmbs.put(drcIndex(dimm.addr()) + i, dimm);
        }
        if (dimm.hotplugged()) {
            send(new HotplugEvent(true, n, drcIndex(dimm.addr())));
        }
    }

    /** Models spapr_memory_unplug_request(). */
    void unplugRequest(PcDimm dimm) {
        if (unplugPending.containsKey(dimm)) {
            throw QmpException.generic("Memory unplug already in progress for device " + dimm.id());
        }
        unplugPending.put(dimm, nrLmbs(dimm));
        send(new HotplugEvent(false, nrLmbs(dimm), drcIndex(dimm.addr())));
    }

    /** Whether the DIMM has an unplug request pending. */
    public boolean unplugPending(PcDimm dimm) {
        return unplugPending.containsKey(dimm);
    }

    /**
     * Guest: the DLPAR code isolated and unallocated the LMB of {@code drcIndex} after removing
     * it (dlpar_release_drc()); the last one of a DIMM with an unplug pending unplugs it.
     */
    public void release(long drcIndex) {
        PcDimm dimm = lmbs.get(drcIndex);
        if (dimm == null || !unplugPending.containsKey(dimm)) {
            return; // model: releasing an LMB without an unplug request is not modelled (no such guest path)
        }
        int left = unplugPending.get(dimm) - 1;
        if (left > 0) {
            unplugPending.put(dimm, left);
            return;
        }
        unplugPending.remove(dimm);
        lmbs.values().removeIf(d -> d == dimm);
        unplugDimm.accept(dimm);
    }

    /** Guest: dlpar_unisolate_drc() of a removed LMB during the failure path: QEMU rolls the unplug back. */
    public void unisolate(long drcIndex) {
        PcDimm dimm = lmbs.get(drcIndex);
        if (dimm == null || unplugPending.remove(dimm) == null) {
            return;
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        if (dimm.id() != null) {
            data.put("device", dimm.id());
        }
        data.put("path", dimm.qomPath());
        events.emit("DEVICE_UNPLUG_GUEST_ERROR", data);
    }

    private static int nrLmbs(PcDimm dimm) {
        return (int) (dimm.regionSize() / LMB_SIZE);
    }

    private void send(HotplugEvent e) {
        timers.schedule(EVENT_LATENCY_NS, () -> {
            if (guestHandler != null) {
                guestHandler.accept(e);
            }
        });
    }
}
