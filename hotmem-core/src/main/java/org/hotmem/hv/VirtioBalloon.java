package org.hotmem.hv;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.LongSupplier;

/**
 * The host side of a {@code virtio-balloon-pci} device (hw/virtio/virtio-balloon.c).
 * {@code numPages} is the target the host writes into the config space, {@code actual} what
 * the guest reports back; both count 4 KiB balloon pages. The host's view of the guest RAM
 * is get_current_ram_size(): boot RAM plus pc-dimm memory (virtio-mem memory not included).
 *
 * <p>Invariant: {@code actual} changes only through the guest's config write, and each change
 * emits BALLOON_CHANGE with {@code ram - actual * 4 KiB}.
 */
public final class VirtioBalloon {
    public static final int PFN_SHIFT = 12;

    private final String id;
    private final int virtioIndex;
    private final LongSupplier currentRamSize;
    private final HostTimers timers;
    private final QmpEventQueue events;
    private int numPages;
    private int actual;
    private long inflatedPages;
    private Runnable configChangeHandler;
    /** The deflate-on-oom property: offers VIRTIO_BALLOON_F_DEFLATE_ON_OOM. */
    private final boolean deflateOnOom;

    VirtioBalloon(String id, int virtioIndex, LongSupplier currentRamSize, HostTimers timers, QmpEventQueue events,
            boolean deflateOnOom) {
        this.id = id;
        this.deflateOnOom = deflateOnOom;
        this.virtioIndex = virtioIndex;
        this.currentRamSize = currentRamSize;
        this.timers = timers;
        this.events = events;
    }

    public String id() {
        return id;
    }

    public int virtioIndex() {
        return virtioIndex;
    }

    /** Whether the device offers VIRTIO_BALLOON_F_DEFLATE_ON_OOM (the deflate-on-oom property). */
    public boolean deflateOnOom() {
        return deflateOnOom;
    }

    /** Models virtio_balloon_to_target(): clamps to the RAM size and asks for the difference. */
    void toTarget(long target) {
        long ram = currentRamSize.getAsLong();
        if (target > ram) {
            target = ram;
        }
        if (target != 0) {
            numPages = (int) ((ram - target) >>> PFN_SHIFT);
            Runnable h = configChangeHandler;
            if (h != null) {
                timers.schedule(AcpiMemoryHotplug.GPE_LATENCY_NS, h);
            }
        }
    }

    /** query-balloon: models virtio_balloon_stat(). */
    ObjectNode stat() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("actual", currentRamSize.getAsLong() - ((long) actual << PFN_SHIFT));
        return o;
    }

    // ---- guest side ----

    public void setConfigChangeHandler(Runnable handler) {
        this.configChangeHandler = handler;
    }

    /** Config space num_pages: the number of 4 KiB pages the host wants in the balloon. */
    public int numPages() {
        return numPages;
    }

    /** Config space actual, as last written by the guest. */
    public int actual() {
        return actual;
    }

    /** Guest config write of actual: models virtio_balloon_set_config() (BALLOON_CHANGE on change). */
    public void setActual(int value) {
        int old = actual;
        actual = value;
        if (value != old) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("actual", currentRamSize.getAsLong() - ((long) value << PFN_SHIFT));
            events.emit("BALLOON_CHANGE", data);
        }
    }

    /** The inflate virtqueue: the host takes (discards) these guest pages. */
    public void inflate(long[] pfns, int count) {
        inflatedPages += count;
    }

    /** The deflate virtqueue: the guest takes these pages back. */
    public void deflate(long[] pfns, int count) {
        inflatedPages -= count;
    }

    /**
     * A new QEMU process with this device on its command line (the restart a resumed image runs
     * on): virtio_balloon_device_realize() starts with num_pages and actual 0 and holds no pages.
     */
    void realizedAgain() {
        numPages = 0;
        actual = 0;
        inflatedPages = 0;
    }

    /** Pages the host currently holds as ballooned. */
    public long inflatedPages() {
        return inflatedPages;
    }
}
