package org.hotmem.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.hotmem.kernel.KernelException;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * virtio-balloon's deflate-on-oom: balloon pages stay managed (MemTotal keeps its size, as
 * recorded) and an allocation that finds no page makes the OOM notifier give back 256 pages at a
 * time instead of failing; without the feature MemTotal shrinks and the allocation fails.
 */
class VirtioBalloonDeflateOnOomTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1L << 20;

    private static Machine bootInflated(boolean deflateOnOom) {
        Machine m = Machine.boot(new MachineConfig("1G", "", List.of("-device virtio-balloon-pci,id=balloon0"
                + (deflateOnOom ? ",deflate-on-oom=on" : "")), KernelVersion.V6_12, 5));
        m.qmp("balloon", JSON.createObjectNode().put("value", 256 * MIB));
        m.runFor(20_000_000_000L);
        assertEquals(256 * MIB, actual(m));
        return m;
    }

    private static long actual(Machine m) {
        return m.qmp("query-balloon", null).get("return").get("actual").asLong();
    }

    @Test
    void deflateOnOomKeepsMemTotalAndGivesPagesBackInSteps() {
        Machine plain = bootInflated(false);
        Machine doo = bootInflated(true);
        assertEquals(768 * MIB / 4096, doo.mm().totalManagedPages() - plain.mm().totalManagedPages(),
                "without deflate-on-oom the 768 MiB balloon leaves managed_pages");
        long want = 400 * MIB / 4096;
        assertEquals(want, hog(doo, want), "the allocation succeeds");
        long back = actual(doo) - 256 * MIB;
        assertTrue(back > 0, "the balloon gave pages back");
        assertEquals(0, back % MIB, "in steps of 256 pages: " + back);
        assertEquals(doo.balloonDriver().numPages(), (int) ((1024 * MIB - actual(doo)) / 4096));

        assertTrue(hog(plain, want) < want, "without deflate-on-oom the allocation fails (ENOMEM)");
        assertEquals(256 * MIB, actual(plain));
    }

    /** A user task faulting in {@code pages} pages; returns how many it got before ENOMEM. */
    private static long hog(Machine m, long pages) {
        AddressSpace as = m.mm().newAddressSpace("hog", Gfp.MOVABLE_ANON);
        long[] got = {0};
        m.kernel().spawnProcess("hog", () -> {
            try {
                for (; got[0] < pages; got[0]++) {
                    as.add(got[0]);
                }
            } catch (KernelException e) {
                // ENOMEM: no OOM notifier freed anything
            }
        });
        m.runFor(30_000_000_000L);
        return got[0];
    }
}
