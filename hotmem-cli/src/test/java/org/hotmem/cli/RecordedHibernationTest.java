package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * the machine's exit status and the QMP events while it went off, whether the restart resumed or
 * booted fresh, the comparable kernel
 * lines of the hibernation and restart (PM refusal/resume lines, the boot's hotplug lines), the
 * memory blocks afterwards, and per case the QMP replies and the hibernation writes' errors and
 * kernel lines of chosen steps.
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

    /**
     * One recording: its name, its sequence in the shell subset, and the steps compared one to
     * one (recorded step number, step number here): a qmp step's response, a guest step's shell
     * error line (the first line, when it starts with "sh: ") and its comparable kernel lines.
     */
    private record Case(String name, String scn, Map<Integer, Integer> steps) {
    }

    private static final List<Case> CASES = List.of(
            new Case("hibernate-dimm-online", HEADER.formatted("") + HOTADD
                    + online("online_movable", "online_kernel", "online", "online") + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n", Map.of()),
            new Case("hibernate-dimm-online-autoonline", HEADER.formatted(" memhp_default_state=online") + HOTADD
                    + online("online_movable", "online_kernel", "online", "online") + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n", Map.of()),
            new Case("hibernate-dimm-removed", HEADER.formatted("") + HOTADD
                    + online("online_movable", "online_movable", "online_movable", "online_movable") + HIBERNATE
                    + "restart 600:\n", Map.of()),
            new Case("hibernate-dimm-added", HEADER.formatted("") + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n", Map.of()),
            new Case("hibernate-offline-block", HEADER.formatted("") + HOTADD
                    + "guest: echo offline > /sys/devices/system/memory/memory5/state\n"
                    + online("online_movable", "online_movable", null, null) + HIBERNATE
                    + "restart-with-qemu 600: " + DIMM + "\n", Map.of()),
            // the balloon inflated to 512 MiB of 1 GiB: hibernation deflates it, the image resumes
            new Case("hibernate-balloon", HEADER.formatted("").replace("swapdisk", "swapdisk -device virtio-balloon-pci,id=balloon0")
                    + """
                    qmp: query-balloon
                    qmp: balloon {"value": 536870912}
                    sleep: 10
                    qmp: query-balloon
                    """ + HIBERNATE + """
                    restart 600:
                    qmp: query-balloon
                    """, Map.of(4, 2, 8, 5, 16, 9)),
            // virtio-mem refuses hibernation: 6.1 in its freeze callback, 6.12 in its PM notifier
            new Case("hibernate-virtio-mem", HEADER.formatted("").replace("swapdisk",
                    "swapdisk -object memory-backend-ram,id=vmem0,size=1G -device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=256M")
                    + """
                    wait 60: test -e /sys/devices/system/memory/memory33
                    guest: echo online_movable > /sys/devices/system/memory/memory32/state
                    guest: echo online_movable > /sys/devices/system/memory/memory33/state
                    qmp: qom-get {"path": "/machine/peripheral/vm0", "property": "size"}
                    guest: echo disk > /sys/power/state
                    guest: echo shutdown > /sys/power/disk
                    guest: echo disk > /sys/power/state
                    """, Map.of(7, 5, 8, 6, 11, 8)),
            // test_resume: the image is written and read back in the same kernel; 6.1 cannot open the swap in use
            new Case("hibernate-test-resume", HEADER.formatted("") + HOTADD
                    + online("online_movable", "online_movable", "online_movable", "online_movable") + """
                    guest: echo test_resume > /sys/power/disk
                    guest: echo disk > /sys/power/state
                    """, Map.of(9, 10, 10, 11)));
    /** What every case does last (the recordings' memblocks 31 32 33 34 35 after a restart). */
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
            for (Case c : CASES) {
                tests.add(DynamicTest.dynamicTest(c.name() + " on " + kernel, () -> check(c, kernel)));
            }
        }
        return tests.stream();
    }

    private static void check(Case c, String kernel) throws IOException {
        String name = c.name();
        String scn = c.scn();
        List<JsonNode> expected = load(Files.readString(RECORDINGS.resolve(kernel).resolve(name + ".jsonl")));
        List<JsonNode> actual = load(new ConformanceRunner(WITH_SWAP).runToJsonl(ScnParser.parse(name + ".scn", scn + AFTER), kernel));
        assertEquals(List.of(), actual.stream().filter(r -> r.path("kind").asText().equals("abort")).toList());
        assertEquals(field(expected, "expect-exit", "qemu_status"), field(actual, "expect-exit", "qemu_status"), name);
        assertEquals(field(expected, "restart", "how"), field(actual, "restart", "how"), name + ": resumed or booted fresh");
        assertEquals(exitEvents(expected), exitEvents(actual), name + ": QMP events while the machine went off");
        assertEquals(hibernationLines(expected), hibernationLines(actual), name + ": comparable kernel lines");
        assertEquals(blocksAfterRestart(expected), blocksAfterRestart(actual), name + ": memory blocks after the restart");
        for (Map.Entry<Integer, Integer> e : c.steps().entrySet()) {
            JsonNode want = expected.get(e.getKey());
            JsonNode got = actual.get(e.getValue());
            String what = name + ": recorded step " + e.getKey() + " (" + want.get("arg").asText() + ")";
            assertEquals(want.get("kind").asText(), got.get("kind").asText(), what);
            if (want.has("response")) {
                assertEquals(want.get("response"), got.get("response"), what);
            } else {
                assertEquals(shellError(want), shellError(got), what + ": the write's error");
            }
            assertEquals(TranscriptComparer.comparableLines(want, false), TranscriptComparer.comparableLines(got, false),
                    what + ": comparable kernel lines");
        }
    }

    private static List<String> shellError(JsonNode guest) {
        return guest.get("output").asText().lines().filter(l -> l.startsWith("sh: ")).toList();
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
        return List.of();
    }

    private static List<JsonNode> load(String jsonl) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : jsonl.lines().toList()) {
            out.add(OM.readTree(l));
        }
        return out;
    }

    /** The QMP events of the expect-exit step without their timestamps (SUSPEND_DISK, SHUTDOWN and its reason, ...). */
    private static List<String> exitEvents(List<JsonNode> recs) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : recs) {
            if (!r.path("kind").asText().equals("expect-exit")) continue;
            for (JsonNode e : r.get("events")) {
                out.add(e.get("event").asText() + (e.has("data") && !e.get("event").asText().equals("BALLOON_CHANGE")
                        ? " " + e.get("data") : ""));
            }
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
