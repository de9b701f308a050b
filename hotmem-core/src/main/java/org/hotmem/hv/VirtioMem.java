package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.BitSet;

/**
 * The host side of a {@code virtio-mem-pci} device (hw/virtio/virtio-mem.c,
 * hw/virtio/virtio-mem-pci.c): a region of device memory split into device blocks that the
 * guest plugs and unplugs on request, towards the {@code requested-size} the host sets.
 *
 * <p>Invariants: {@code size == plugged.cardinality() * blockSize}; plugged blocks lie in the
 * usable region; {@code requestedSize <= regionSize}, block-aligned. Every change of
 * {@code size} emits MEMORY_DEVICE_SIZE_CHANGE (rate limited by the monitor). Not
 * thread-safe: host handlers and guest requests run one at a time on the machine's scheduler.
 */
public final class VirtioMem extends MemoryDevice {
    /** virtio_mem_default_block_size(): the host THP size, 2 MiB on x86-64. */
    public static final long DEFAULT_BLOCK_SIZE = 2L << 20;
    /** VIRTIO_MEM_USABLE_EXTENT on x86-64: 2 * 128 MiB beyond the requested size. */
    static final long USABLE_EXTENT = 2 * (128L << 20);

    /** Request types (include/standard-headers/linux/virtio_mem.h). */
    public static final int REQ_PLUG = 0;
    public static final int REQ_UNPLUG = 1;
    public static final int REQ_UNPLUG_ALL = 2;
    public static final int REQ_STATE = 3;
    /** Response types. */
    public static final int RESP_ACK = 0;
    public static final int RESP_NACK = 1;
    public static final int RESP_BUSY = 2;
    public static final int RESP_ERROR = 3;
    /** STATE results. */
    public static final int STATE_PLUGGED = 0;
    public static final int STATE_UNPLUGGED = 1;
    public static final int STATE_MIXED = 2;

    /** The device configuration space (struct virtio_mem_config). */
    public record Config(long blockSize, int nodeId, long addr, long regionSize, long usableRegionSize,
            long pluggedSize, long requestedSize) {
    }

    private final long blockSize;
    private final int node;
    private final int virtioIndex;
    private final QmpEventQueue events;
    private final BitSet plugged;
    private long requestedSize;
    private long size;
    private long usableRegionSize;
    /** The guest driver's config-change interrupt handler. */
    private Runnable configChangeHandler;
    private final HostTimers timers;
    private final Migration migration;

    VirtioMem(String id, MemoryBackend memdev, long addr, long blockSize, int node, long requestedSize,
            int virtioIndex, HostTimers timers, QmpEventQueue events, Migration migration) {
        super(id, memdev, addr);
        this.migration = migration;
        this.blockSize = blockSize;
        this.node = node;
        this.requestedSize = requestedSize;
        this.virtioIndex = virtioIndex;
        this.timers = timers;
        this.events = events;
        this.plugged = new BitSet((int) (regionSize() / blockSize));
        resizeUsableRegion(requestedSize, true);
    }

    @Override
    public long pluggedSize() {
        return size;
    }

    public long blockSize() {
        return blockSize;
    }

    public long requestedSize() {
        return requestedSize;
    }

    public int node() {
        return node;
    }

    /** The N of the guest's virtioN device (PCI enumeration order of virtio devices). */
    public int virtioIndex() {
        return virtioIndex;
    }

    @Override
    public String qomPath() {
        return "/machine/peripheral/" + id();
    }

    /** Models virtio_mem_resize_usable_region(). */
    private void resizeUsableRegion(long requested, boolean canShrink) {
        long newSize = Math.min(regionSize(), requested + USABLE_EXTENT);
        newSize = (newSize + blockSize - 1) / blockSize * blockSize;
        if (requested == 0) {
            newSize = 0;
        }
        if (newSize < usableRegionSize && !canShrink) {
            return;
        }
        usableRegionSize = newSize;
    }

    /**
     * qom-set requested-size: models virtio_mem_set_requested_size() on a realized device
     * and notifies the guest of the config change (even if the value did not change).
     */
    void setRequestedSize(long value) {
        if (value % blockSize != 0) {
            throw QmpException.generic(String.format("'requested-size' has to be multiples of 'block-size' (0x%x)",
                    blockSize));
        }
        if (Long.compareUnsigned(value, regionSize()) > 0) {
            throw QmpException.generic(String.format("'requested-size' cannot exceed the memory backend size(0x%x)",
                    regionSize()));
        }
        if (value != requestedSize) {
            resizeUsableRegion(value, false);
            requestedSize = value;
        }
        notifyConfig();
    }

    /** Models virtio_notify_config(): the guest's config-change interrupt, after the notification latency. */
    private void notifyConfig() {
        Runnable h = configChangeHandler;
        if (h != null) {
            timers.schedule(AcpiMemoryHotplug.GPE_LATENCY_NS, h);
        }
    }

    // ---- guest side ----

    /** Registers the guest driver's config-change interrupt handler (virtio_mem_config_changed). */
    public void setConfigChangeHandler(Runnable handler) {
        this.configChangeHandler = handler;
    }

    /** Reads the configuration space. */
    public Config config() {
        return new Config(blockSize, node, addr(), regionSize(), usableRegionSize, size, requestedSize);
    }

    /** Models virtio_mem_valid_range(): block-aligned, non-empty and inside the usable region. */
    private boolean validRange(long gpa, long len) {
        if (gpa % blockSize != 0 || len <= 0 || gpa + len < gpa) {
            return false;
        }
        if (gpa < addr() || gpa >= addr() + usableRegionSize) {
            return false;
        }
        return gpa + len <= addr() + usableRegionSize;
    }

    /**
     * Handles a PLUG, UNPLUG or UNPLUG_ALL request: models virtio_mem_state_change_request() and
     * virtio_mem_unplug_all_request(), BUSY while a migration runs (virtio_mem_is_busy()). Returns
     * the response type.
     */
    public int request(int type, long gpa, int nbBlocks) {
        if (type != REQ_STATE && migration.active()) {
            return RESP_BUSY; // virtio_mem_is_busy(): no (un)plugging while migrating
        }
        switch (type) {
            case REQ_PLUG:
            case REQ_UNPLUG: {
                boolean plug = type == REQ_PLUG;
                long len = nbBlocks * blockSize;
                if (!validRange(gpa, len)) {
                    return RESP_ERROR;
                }
                if (plug && size + len > requestedSize) {
                    return RESP_NACK;
                }
                int first = (int) ((gpa - addr()) / blockSize);
                int last = first + nbBlocks;
                for (int b = first; b < last; b++) {
                    if (plugged.get(b) == plug) {
                        return RESP_ERROR;
                    }
                }
                plugged.set(first, last, plug);
                size += plug ? len : -len;
                sizeChanged();
                return RESP_ACK;
            }
            case REQ_UNPLUG_ALL: {
                if (size != 0) {
                    plugged.clear();
                    size = 0;
                    sizeChanged();
                }
                resizeUsableRegion(requestedSize, true);
                return RESP_ACK;
            }
            default:
                return RESP_ERROR;
        }
    }

    /** STATE request: models virtio_mem_state_request(); -1 for an invalid range (RESP_ERROR). */
    public int state(long gpa, int nbBlocks) {
        long len = nbBlocks * blockSize;
        if (!validRange(gpa, len)) {
            return -1;
        }
        int first = (int) ((gpa - addr()) / blockSize);
        int set = 0;
        for (int b = first; b < first + nbBlocks; b++) {
            if (plugged.get(b)) {
                set++;
            }
        }
        return set == nbBlocks ? STATE_PLUGGED : set == 0 ? STATE_UNPLUGGED : STATE_MIXED;
    }

    /** Models virtio_mem_pci_size_change_notify(): MEMORY_DEVICE_SIZE_CHANGE. */
    private void sizeChanged() {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("size", size);
        data.put("qom-path", qomPath());
        if (id() != null) {
            data.put("id", id());
        }
        events.emit("MEMORY_DEVICE_SIZE_CHANGE", data);
    }

    @Override
    public ObjectNode info() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "virtio-mem");
        ObjectNode d = o.putObject("data");
        if (id() != null) {
            d.put("id", id());
        }
        d.put("memaddr", addr());
        d.put("requested-size", requestedSize);
        d.put("size", size);
        d.put("max-size", regionSize());
        d.put("block-size", blockSize);
        d.put("node", node);
        d.put("memdev", memdev().qomPath());
        return o;
    }
}
