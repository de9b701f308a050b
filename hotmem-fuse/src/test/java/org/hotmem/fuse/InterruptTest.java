package org.hotmem.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * SIGINT to a shell blocked in {@code echo offline > state} on a block with long-term pinned
 * pages: FUSE INTERRUPT, a signal to the model's writer, offline_pages() gives up with "failed due
 * to signal backoff", and the shell dies of the signal (exit 130 under busybox's timeout); the
 * block stays online. The pins come from the pinmem tool.
 */
class InterruptTest {
    private static final String DIMM = "-object memory-backend-ram,id=mem1,size=512M -device pc-dimm,id=dimm1,memdev=mem1";

    @Test
    void timeoutSigintOnAnOfflineOfAPinnedBlockExits130AndTheBlockStaysOnline() {
        try (LiveGuest g = LiveGuest.boot("1G,slots=8,maxmem=8G", "", List.of(DIMM.split(" ")), KernelVersion.V6_12, 1)) {
            LiveGuest.Result r = g.sh("""
                    pinmem 0 16 /tmp/hotmem-pin > /tmp/hotmem-pin/out & 
                    while [ ! -e /tmp/hotmem-pin/pinmem.ready ]; do sleep 0.05; done
                    b=$(sed -n 's/^after pin: memory\\([0-9]*\\) .*/\\1/p' /tmp/hotmem-pin/out | head -1)
                    timeout -s INT 1 sh -c "echo offline > /sys/devices/system/memory/memory$b/state"
                    echo "rc=$? block=$b state=$(cat /sys/devices/system/memory/memory$b/state)"
                    touch /tmp/hotmem-pin/pinmem.stop; wait
                    cat /tmp/hotmem-pin/out
                    """.replace("/tmp/hotmem-pin", tmp()));
            Matcher m = Pattern.compile("rc=(\\d+) block=(\\d+) state=(\\S+)").matcher(r.output());
            assertTrue(m.find(), r.output());
            assertEquals("130", m.group(1), r.output());
            assertEquals("online", m.group(3));
            int block = Integer.parseInt(m.group(2));
            assertTrue(block >= 32, "the pins landed in the DIMM (ZONE_NORMAL): memory" + block);
            assertTrue(r.output().contains("io_uring_register(IORING_REGISTER_BUFFERS): ok, 1 buffer of 16 MiB pinned\n"), r.output());
            assertTrue(r.output().contains("stop file seen\nio_uring_register(IORING_UNREGISTER_BUFFERS): ok, unpinned\n"), r.output());
            assertTrue(r.output().endsWith("exit 0\n"), r.output());
            long start = (long) block << 27;
            String range = String.format("[mem %#010x-%#010x]", start, start + (128L << 20) - 1);
            g.live.call(x -> null).join();
            assertTrue(g.kernelLog.stream().anyMatch(l -> l.endsWith("memory offlining " + range + " failed due to signal backoff")),
                    String.join("\n", g.kernelLog));
            // nothing stays pinned once pinmem has exited: the block goes offline now
            LiveGuest.Result off = g.sh("echo offline > /sys/devices/system/memory/memory" + block + "/state; echo $?");
            assertEquals("0\n", off.output());
        }
    }

    private static String tmp() {
        try {
            return java.nio.file.Files.createTempDirectory("hotmem-pin").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
