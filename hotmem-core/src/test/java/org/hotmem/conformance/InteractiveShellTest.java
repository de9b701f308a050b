package org.hotmem.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InteractiveShellTest {
    @Test
    void promptRunsGuestCommandsQmpAndSleepAndShowsKernelLinesAndEvents() {
        FakeTarget t = new FakeTarget();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        String input = """
                cat /sys/devices/system/memory/block_size_bytes
                qmp device_add {"id": "dimm1"}
                sleep 0.1
                echo bogus > /sys/devices/system/memory/auto_online_blocks
                qmp nope
                """;
        int rc = new InteractiveShell(t, ps).run(new BufferedReader(new StringReader(input)));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, rc);
        assertTrue(out.startsWith("[    0.000000] x86/mm: Memory block size: 128MB\n"), out);
        assertTrue(out.contains("# 8000000\n# {\"return\": {}}\n# [    0.0"), out);
        assertTrue(out.contains("] acpi PNP0C80:00: Memory device configured by ACPI\n{\"data\": {\"info\": {\"device\": \"dimm1\"}}, \"event\": \"ACPI_DEVICE_OST\""), out);
        assertTrue(out.contains("# sh: write error: Invalid argument\n"), out);
        assertTrue(out.contains("# {\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}\n# \n"), out);
    }
}
