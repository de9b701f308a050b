package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hotmem.conformance.ConformanceRunner;
import org.hotmem.conformance.ConformanceTarget;
import org.hotmem.conformance.ScnParser;
import org.hotmem.conformance.TargetFactory;
import org.hotmem.conformance.TranscriptComparer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The hibernation round trips recorded on real Linux (docs/recordings/unbundled/hibernate), run
 * through the conformance runner's host-side steps ({@code prepare:}, {@code -drive},
 * {@code guest-async:}, {@code expect-exit:}, {@code restart*:}) on the real Machine, both kernels.
 * The recordings' own guest steps need a real shell (mkswap/swapon, {@code $(...)}, dmesg with
 * the real boot log, random UUIDs), so each case here is the recording's sequence in the built-in
 * shell's subset, with the swap area made and swapped on after boot (the recording's
 * {@code mkswap /dev/vda && swapon /dev/vda}). Compared with the recording, as the comparer does:
 * the machine's exit status, whether the restart resumed or booted fresh, the comparable kernel
 * lines of the hibernation and restart (PM refusal/resume lines, the boot's hotplug lines), and the
 * memory blocks afterwards.
 */
class RecordedHibernationTest {
    private static final Path RECORDINGS = Path.of("../docs/recordings/unbundled/hibernate");
    private static final ObjectMapper OM = new ObjectMapper();
    private static final String DIMM = "-object memory-backend-ram,id=mem1,size=512M -device pc-dimm,id=dimm1,memdev=mem1";
    private static final String HEADER = """
            memory: 1G,slots=8,maxmem=8G
            cmdline: resume=/dev/vda no_console_suspend%s
            prepare: rm -f {run}/swap.img && qemu-img create -f raw {run}/swap.img 512M
            qemu: -drive file={run}/swap.img,if=virtio,format=raw,id=swapdisk
            guest: echo offline > /sys/devices/system/memory/auto_online_blocks
            """;
    private static final String HOTADD = """
            qmp: object-add {"qom-type": "memory-backend-ram", "id": "mem1", "size": 536870912}
            qmp: device_add {"driver": "pc-dimm", "id": "dimm1", "memdev": "mem1"}
            event 60: ACPI_DEVICE_OST
            wait 60: test -e /sys/devices/system/memory/memory35
            """;
    private static final String HIBERNATE = """
            guest-async: echo disk > /sys/power/state
            expect-exit 600:
            """;

    private static String online(String... states) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < states.length; i++) {
            if (states[i] != null) {
                b.append("guest: echo ").append(states[i]).append(" > /sys/devices/system/memory/memory").append(32 + i)
                        .append("/state\n");
            }
        }
        return b.toString();
    }

    /** name -> the recording's sequence in the shell subset. */
    private static final List<String[]> CASES = List.of(
            new String[] {"hibernate-dimm-online", HEADER.formatted("") + HOTADD
                    + online("online_movable", "online_kernel", "online", "online") + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n"},
            new String[] {"hibernate-dimm-online-autoonline", HEADER.formatted(" memhp_default_state=online") + HOTADD
                    + online("online_movable", "online_kernel", "online", "online") + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n"},
            new String[] {"hibernate-dimm-removed", HEADER.formatted("") + HOTADD
                    + online("online_movable", "online_movable", "online_movable", "online_movable") + HIBERNATE
                    + "restart 600:\n"},
            new String[] {"hibernate-dimm-added", HEADER.formatted("") + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n"},
            new String[] {"hibernate-offline-block", HEADER.formatted("") + HOTADD
                    + "guest: echo offline > /sys/devices/system/memory/memory5/state\n"
                    + online("online_movable", "online_movable", null, null) + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n"});
    /** What every case does after the restart (the recordings' memblocks 31 32 33 34 35). */
    private static final String AFTER = "guest: memblocks 31 32 33 34 35\n";

    /** A real machine whose swap disk is made and swapped on right after boot. */
    private static final TargetFactory WITH_SWAP = (scenario, kernel) -> {
        ConformanceTarget t = MachineTargets.factory(1).boot(scenario, kernel);
        var power = ((MachineTargets.Target) t).machine().power();
        power.mkswap("/dev/vda");
        power.swapon("/dev/vda");
        return t;
    };

    @TestFactory
    Stream<DynamicTest> theModelHibernatesAndResumesOrRefusesAsLinuxDid() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String kernel : List.of("6.1", "6.12")) {
            for (String[] c : CASES) {
                tests.add(DynamicTest.dynamicTest(c[0] + " on " + kernel, () -> check(c[0], c[1], kernel)));
            }
        }
        return tests.stream();
    }

    private static void check(String name, String scn, String kernel) throws IOException {
        List<JsonNode> expected = load(Files.readString(RECORDINGS.resolve(kernel).resolve(name + ".jsonl")));
        List<JsonNode> actual = load(new ConformanceRunner(WITH_SWAP).runToJsonl(ScnParser.parse(name + ".scn", scn + AFTER), kernel));
        assertEquals(List.of(), actual.stream().filter(r -> r.path("kind").asText().equals("abort")).toList());
        assertEquals(field(expected, "expect-exit", "qemu_status"), field(actual, "expect-exit", "qemu_status"), name);
        assertEquals(field(expected, "restart", "how"), field(actual, "restart", "how"), name + ": resumed or booted fresh");
        assertEquals(hibernationLines(expected), hibernationLines(actual), name + ": comparable kernel lines");
        assertEquals(blocksAfterRestart(expected), blocksAfterRestart(actual), name + ": memory blocks after the restart");
    }

    /** The memblocks lines of memory31-35 printed by the first guest step after the restart. */
    private static List<String> blocksAfterRestart(List<JsonNode> recs) {
        boolean restarted = false;
        for (JsonNode r : recs) {
            String k = r.path("kind").asText();
            restarted |= k.startsWith("restart");
            if (restarted && k.equals("guest")) {
                return r.get("output").asText().lines().filter(l -> l.matches("memory3[1-5] .*")).toList();
            }
        }
        return List.of("no guest step after the restart");
    }

    private static List<JsonNode> load(String jsonl) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : jsonl.lines().toList()) {
            out.add(OM.readTree(l));
        }
        return out;
    }

    private static String field(List<JsonNode> recs, String kindPrefix, String field) {
        return recs.stream().filter(r -> r.path("kind").asText().startsWith(kindPrefix)).map(r -> String.valueOf(r.get(field)))
                .findFirst().orElse("missing");
    }

    /** The comparable lines of guest-async, expect-exit and restart (one kernel-log group for the comparer), sorted. */
    private static List<String> hibernationLines(List<JsonNode> recs) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : recs) {
            String k = r.path("kind").asText();
            if (k.equals("guest-async") || k.equals("expect-exit") || k.startsWith("restart")) {
                out.addAll(TranscriptComparer.comparableLines(r, false));
            }
        }
        out.sort(null);
        return out;
    }
}
