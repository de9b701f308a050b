package org.hotmem.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCommandsTest {
    @TempDir
    Path run;

    @Test
    void qemuImgCreateMakesARawFileOfTheSizeAndRmRemovesIt() throws Exception {
        Files.writeString(run.resolve("swap.img"), "old contents");
        HostCommands.prepare("rm -f {run}/swap.img && qemu-img create -f raw {run}/swap.img 512M", run);
        assertEquals(512L << 20, Files.size(run.resolve("swap.img")));
        byte[] head = new byte[16];
        try (var in = Files.newInputStream(run.resolve("swap.img"))) {
            assertEquals(16, in.read(head));
        }
        assertArrayEquals(new byte[16], head, "a new raw image reads as zeros");
        HostCommands.prepare("rm -f {run}/swap.img", run);
        assertFalse(Files.exists(run.resolve("swap.img")));
        HostCommands.prepare("rm -f {run}/swap.img", run); // -f: no error when absent
    }

    @Test
    void otherHostProgramsAndBadSizesAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostCommands.prepare("dd if=/dev/zero of={run}/x bs=1M count=1", run));
        assertTrue(e.getMessage().startsWith("prepare failed: dd if=/dev/zero"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HostCommands.prepare("qemu-img create -f raw {run}/x 12Q", run));
        assertTrue(e.getMessage().endsWith("qemu-img: Invalid image size specified"), e.getMessage());
    }
}
