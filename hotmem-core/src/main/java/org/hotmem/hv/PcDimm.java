package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@code pc-dimm} (hw/mem/pc-dimm.c): a whole-backend DIMM in one ACPI memory slot.
 * {@code hotplugged} records whether it came through device_add after the machine was up.
 *
 * <p>Invariant: immutable; all fields are fixed once the device is realized, and the whole
 * backend is plugged.
 */
public final class PcDimm extends MemoryDevice {
    private final int slot;
    private final int node;
    private final boolean hotplugged;

    PcDimm(String id, MemoryBackend memdev, long addr, int slot, int node, boolean hotplugged) {
        super(id, memdev, addr);
        this.slot = slot;
        this.node = node;
        this.hotplugged = hotplugged;
    }

    /** A DIMM is plugged whole. */
    @Override
    public long pluggedSize() {
        return regionSize();
    }

    public int slot() {
        return slot;
    }

    public int node() {
        return node;
    }

    public boolean hotplugged() {
        return hotplugged;
    }

    /** The canonical QOM path: /machine/peripheral/ID (or peripheral-anon). */
    @Override
    public String qomPath() {
        String id = id();
        return id != null ? "/machine/peripheral/" + id : "/machine/peripheral-anon/device[" + slot + "]";
    }

    @Override
    public ObjectNode info() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "dimm");
        ObjectNode d = o.putObject("data");
        if (id() != null) {
            d.put("id", id());
        }
        d.put("addr", addr());
        d.put("size", regionSize());
        d.put("slot", slot);
        d.put("node", node);
        d.put("memdev", memdev().qomPath());
        d.put("hotplugged", hotplugged);
        d.put("hotpluggable", true);
        return o;
    }
}
