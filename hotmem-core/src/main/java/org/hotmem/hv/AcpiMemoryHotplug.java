package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * QEMU's ACPI memory hotplug controller (hw/acpi/memory_hotplug.c, driven by the PIIX4 PM
 * device) as seen from both sides.
 *
 * <p>Host side: {@link #plug} (acpi_memory_plug_cb) enables a slot and, for a hot-added DIMM,
 * flags an insert event and raises the memory-hotplug GPE; {@link #unplugRequest}
 * (acpi_memory_unplug_request_cb) flags a remove event and raises the GPE.
 *
 * <p>Guest side, i.e. what the DSDT's memory-hotplug AML does through the MHPIO registers:
 * {@link #scan} (method MSCN: for every slot with a pending event, Notify the MPxx device with
 * 1 = device check or 3 = eject request and clear the event), {@link #status} (_STA),
 * {@link #resources} (_CRS), {@link #ost} (_OST, which QEMU reports as ACPI_DEVICE_OST) and
 * {@link #eject} (_EJ0: QEMU unplugs the DIMM at once and emits DEVICE_DELETED).
 *
 * <p>Invariant: a slot is enabled iff it holds a DIMM. Host and guest calls never run
 * concurrently (one scheduler).
 */
public final class AcpiMemoryHotplug {
    /** Time from acpi_send_event() to the guest's GPE handler: the SCI raised by the PM device. */
    static final long GPE_LATENCY_NS = 200_000;

    /** A notification MSCN delivers to the memory device of one slot. */
    public record SlotNotification(int slot, int event) {
    }

    /** _CRS of a memory device: one memory range. */
    public record Range(long start, long length) {
    }

    private static final class MemStatus {
        PcDimm dimm;
        boolean enabled;
        boolean inserting;
        boolean removing;
        int ostEvent;
        int ostStatus;
    }

    private final MemStatus[] slots;
    private final HostTimers timers;
    private final QmpEventQueue events;
    /** Called by {@link #eject} after the DIMM left its slot: QEMU's unplug of the device. */
    private final Consumer<PcDimm> unplugDimm;
    /** The guest's GPE (SCI) handler, if the guest installed one. */
    private Runnable gpeHandler;
    /** A GPE raised before the guest installed a handler stays pending, as a GPE status bit does. */
    private boolean gpePending;

    AcpiMemoryHotplug(int slotCount, HostTimers timers, QmpEventQueue events, Consumer<PcDimm> unplugDimm) {
        this.slots = new MemStatus[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new MemStatus();
        }
        this.timers = timers;
        this.events = events;
        this.unplugDimm = unplugDimm;
    }

    /** Number of memory slots (MPxx devices in the DSDT). */
    public int slotCount() {
        return slots.length;
    }

    // ---- host side ----

    /** Models acpi_memory_plug_cb(): the slot becomes enabled; a hot-added DIMM raises an insert event. */
    void plug(PcDimm dimm) {
        MemStatus st = slots[dimm.slot()];
        st.dimm = dimm;
        st.enabled = true;
        if (dimm.hotplugged()) {
            st.inserting = true;
            raiseGpe();
        }
    }

    /** Models acpi_memory_unplug_request_cb(): flags an eject request for the DIMM's slot. */
    void unplugRequest(PcDimm dimm) {
        MemStatus st = slots[dimm.slot()];
        st.removing = true;
        raiseGpe();
    }

    /** Models acpi_send_event(ACPI_MEMORY_HOTPLUG_STATUS): the GPE reaches the guest after the latency. */
    private void raiseGpe() {
        timers.schedule(GPE_LATENCY_NS, () -> {
            if (gpeHandler != null) {
                gpeHandler.run();
            } else {
                gpePending = true;
            }
        });
    }

    // ---- guest side ----

    /**
     * Installs the guest's handler for the memory-hotplug GPE (Linux: the ACPI event handler
     * that runs \_GPE._E03 -> MHPD.MSCN). A GPE raised earlier is delivered now.
     */
    public void setGpeHandler(Runnable handler) {
        this.gpeHandler = handler;
        if (gpePending && handler != null) {
            gpePending = false;
            timers.schedule(0, handler);
        }
    }

    /** MSCN: the pending notifications, slot by slot; reading them clears the insert/remove flags. */
    public List<SlotNotification> scan() {
        List<SlotNotification> out = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            MemStatus st = slots[i];
            if (st.inserting) {
                st.inserting = false;
                out.add(new SlotNotification(i, AcpiOst.EVENT_DEVICE_CHECK));
            } else if (st.removing) {
                st.removing = false;
                out.add(new SlotNotification(i, AcpiOst.EVENT_EJECT_REQUEST));
            }
        }
        return out;
    }

    /** _STA of slot's memory device: 0xF when a DIMM is present and enabled, else 0. */
    public int status(int slot) {
        return slots[slot].enabled ? 0xF : 0;
    }

    /** _CRS of slot's memory device, or null when the slot is empty. */
    public Range resources(int slot) {
        PcDimm d = slots[slot].dimm;
        return d == null ? null : new Range(d.addr(), d.regionSize());
    }

    /** _PXM of slot's memory device. */
    public int proximity(int slot) {
        PcDimm d = slots[slot].dimm;
        return d == null ? 0 : d.node();
    }

    /** The slots whose DIMMs were present when the machine started (enumerated at boot). */
    public List<Integer> enabledSlots() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i].enabled) {
                out.add(i);
            }
        }
        return out;
    }

    /** _OST: models acpi_memory_ost() + acpi_memory_ost_status(); emits ACPI_DEVICE_OST. */
    public void ost(int slot, int source, int status) {
        MemStatus st = slots[slot];
        st.ostEvent = source;
        st.ostStatus = status;
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.set("info", ostInfo(slot));
        events.emit("ACPI_DEVICE_OST", data);
    }

    /** Models acpi_memory_device_status() (hw/acpi/memory_hotplug.c): the ACPIOSTInfo of one slot. */
    private ObjectNode ostInfo(int slot) {
        MemStatus st = slots[slot];
        ObjectNode info = JsonNodeFactory.instance.objectNode();
        if (st.dimm != null && st.dimm.id() != null) {
            info.put("device", st.dimm.id());
        }
        info.put("source", st.ostEvent);
        info.put("status", st.ostStatus);
        info.put("slot", Integer.toString(slot));
        info.put("slot-type", "DIMM");
        return info;
    }

    /** query-acpi-ospm-status: the last _OST of every slot. */
    ArrayNode ospmStatus() {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < slots.length; i++) {
            arr.add(ostInfo(i));
        }
        return arr;
    }

    /**
     * _EJ0: models the eject write to the MHPIO register: an enabled slot's DIMM is unplugged
     * (acpi_memory_unplug_cb, pc_dimm_unplug, object_unparent -> DEVICE_DELETED). An eject of an
     * empty slot is ignored, as QEMU does.
     */
    public void eject(int slot) {
        MemStatus st = slots[slot];
        if (!st.enabled) {
            return;
        }
        PcDimm dimm = st.dimm;
        st.enabled = false;
        st.dimm = null;
        unplugDimm.accept(dimm);
    }

    /** The DIMM in a slot, or null. */
    public PcDimm dimm(int slot) {
        return slots[slot].dimm;
    }
}
