package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.hotmem.kernel.Kernel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Boots the model with the e820 map and initrd of every bundled boot recording (-m 1G .. 8G,
 * both kernels) and compares what it counts with what the real kernel counted: managed pages
 * per zone and the whole "Memory:" line. Expected values are read from the recordings.
 */
class BootSizesMatchRecordingsTest {
    static List<RecordedBoot> recordings() {
        List<RecordedBoot> out = new ArrayList<>();
        for (KernelVersion v : KernelVersion.values()) {
            for (String n : List.of("boot-size-1G", "boot-size-2G", "boot-size-3G", "boot-size-3584M", "boot-layout",
                    "boot-size-6G", "boot-size-8G")) {
                out.add(RecordedBoot.load(v, n));
            }
        }
        return out;
    }

    private static MemoryModel boot(RecordedBoot r) {
        return MemoryModel.boot(r.e820(), new MmBootOptions(false, r.initrdBytes()), r.version(), Kernel.withSeed(1), null,
                r.srat());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void managedPagesPerZoneAreThoseOfTheRecording(RecordedBoot r) {
        MemoryModel mm = boot(r);
        long[] managed = new long[3];
        for (int zi = 0; zi < 3; zi++) {
            managed[zi] = mm.node(0).zone(ZoneType.values()[zi]).managedPages();
        }
        assertArrayEquals(r.managed(), managed, () -> "DMA/DMA32/Normal managed: expected "
                + java.util.Arrays.toString(r.managed()) + " got " + java.util.Arrays.toString(managed));
    }

    /**
     * The "Memory:" line: the total (present pages) and the image sections must be the
     * recording's. The "available" and "reserved" figures are masked: 6.1 prints the line
     * before deferred struct-page init and 6.12 after runtime allocations of the recording
     * run's own initramfs and drivers, which the model does not replay.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void memoryLineTotalAndImageSectionsAreThoseOfTheRecording(RecordedBoot r) {
        MemoryModel mm = boot(r);
        String line = mm.kernel().dmesg().lines().stream()
                .map(l -> l.replaceFirst("^\\[\\s*[0-9.]+\\] ", ""))
                .filter(l -> l.startsWith("Memory: ")).findFirst().orElse("(no Memory: line)");
        assertEquals(maskAvailableAndReserved(r.memoryLine()), maskAvailableAndReserved(line));
    }

    private static String maskAvailableAndReserved(String memoryLine) {
        return memoryLine.replaceFirst("^Memory: \\d+K/", "Memory: *K/").replaceFirst(", \\d+K reserved", ", *K reserved");
    }
}
