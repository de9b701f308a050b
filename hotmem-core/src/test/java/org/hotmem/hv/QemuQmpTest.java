package org.hotmem.hv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuQmpTest {
    private static final ObjectMapper M = new ObjectMapper();
    private final ManualTimers timers = new ManualTimers();

    private Qemu qemu(String m, String... args) {
        return Qemu.start(m, List.of(args), timers, 1_700_000_000L);
    }

    private static ObjectNode json(String s) {
        try {
            return (ObjectNode) M.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static String run(Qemu q, String cmd, String args) {
        return q.qmp(cmd, args == null ? null : json(args)).toString();
    }

    /** Asserts that {@code reply} is exactly QMP's error reply of {@code errorClass} with {@code desc}. */
    private static void assertQmpError(String errorClass, String desc, String reply) {
        assertEquals("{\"error\":{\"class\":\"" + errorClass + "\",\"desc\":\"" + desc + "\"}}", reply);
    }

    private static void addDimm(Qemu q, String n, long size) {
        assertEquals("{\"return\":{}}", run(q, "object-add",
                "{\"qom-type\":\"memory-backend-ram\",\"id\":\"mem" + n + "\",\"size\":" + size + "}"));
        assertEquals("{\"return\":{}}", run(q, "device_add",
                "{\"driver\":\"pc-dimm\",\"id\":\"dimm" + n + "\",\"memdev\":\"mem" + n + "\"}"));
    }

    /** Plays the guest's part of a hot-add: the GPE arrives, MSCN reads the device check. */
    private void addDimmAndScan(Qemu q, String n, long size) {
        addDimm(q, n, size);
        timers.advance(1_000_000);
        q.acpiMemoryHotplug().scan();
    }

    /** Plays the guest's part of an eject: MSCN, _OST(3, 0x84), _EJ0, _OST(3, 0). */
    private static void guestEjects(Qemu q, int slot) {
        AcpiMemoryHotplug acpi = q.acpiMemoryHotplug();
        assertEquals(List.of(new AcpiMemoryHotplug.SlotNotification(slot, 3)), acpi.scan());
        acpi.ost(slot, 3, 0x84);
        acpi.eject(slot);
        acpi.ost(slot, 3, 0);
    }

    @Test
    void dimmsArePlacedFirstFitFromTheStartOfDeviceMemory() {
        Qemu q = qemu("4G,slots=8,maxmem=16G");
        addDimm(q, "1", 512L << 20);
        addDimm(q, "2", 1L << 30);
        String devs = run(q, "query-memory-devices", null);
        assertTrue(devs.contains("\"addr\":5368709120,\"size\":536870912,\"slot\":0"), devs);
        assertTrue(devs.contains("\"addr\":5905580032,\"size\":1073741824,\"slot\":1"), devs);
        assertEquals("{\"return\":{\"base-memory\":4294967296,\"plugged-memory\":1610612736}}",
                run(q, "query-memory-size-summary", null));
    }

    @Test
    void aNewDimmReusesTheLowestFreeGapAndSlotAfterAnEject() {
        Qemu q = qemu("4G,slots=8,maxmem=16G");
        for (int i = 1; i <= 4; i++) {
            addDimmAndScan(q, Integer.toString(i), 256L << 20);
        }
        assertEquals("{\"return\":{}}", run(q, "device_del", "{\"id\":\"dimm2\"}"));
        timers.advance(1_000_000);
        guestEjects(q, 1);
        assertEquals("{\"return\":{}}", run(q, "device_del", "{\"id\":\"dimm1\"}"));
        timers.advance(1_000_000);
        guestEjects(q, 0);
        addDimm(q, "5", 256L << 20);
        String devs = run(q, "query-memory-devices", null);
        // sorted by address: dimm5 (slot 0, 5 GiB) first, then dimm3, dimm4
        assertTrue(devs.startsWith("{\"return\":[{\"type\":\"dimm\",\"data\":{\"id\":\"dimm5\",\"addr\":5368709120,"
                + "\"size\":268435456,\"slot\":0,\"node\":0,\"memdev\":\"/objects/mem5\",\"hotplugged\":true,"
                + "\"hotpluggable\":true}}"), devs);
        assertTrue(devs.contains("\"id\":\"dimm3\",\"addr\":5905580032"), devs);
    }

    @Test
    void ejectEmitsOstInProgressThenDeviceDeletedThenOstSuccessWithoutDevice() {
        Qemu q = qemu("4G,slots=8,maxmem=16G");
        addDimmAndScan(q, "1", 256L << 20);
        q.events().drain();
        run(q, "device_del", "{\"id\":\"dimm1\"}");
        timers.advance(1_000_000);
        guestEjects(q, 0);
        List<String> evs = q.events().drain().stream().map(e -> e.name() + " " + e.data()).toList();
        assertEquals(List.of(
                "ACPI_DEVICE_OST {\"info\":{\"device\":\"dimm1\",\"source\":3,\"status\":132,\"slot\":\"0\",\"slot-type\":\"DIMM\"}}",
                "DEVICE_DELETED {\"device\":\"dimm1\",\"path\":\"/machine/peripheral/dimm1\"}",
                "ACPI_DEVICE_OST {\"info\":{\"source\":3,\"status\":0,\"slot\":\"0\",\"slot-type\":\"DIMM\"}}"), evs);
        assertQmpError("DeviceNotFound", "Device 'dimm1' not found",
                run(q, "device_del", "{\"id\":\"dimm1\"}"));
        assertEquals("{\"return\":[]}", run(q, "query-memory-devices", null));
    }

    @Test
    void hotAddedDimmRaisesADeviceCheckForItsSlot() {
        Qemu q = qemu("4G,slots=8,maxmem=16G");
        addDimm(q, "1", 256L << 20);
        timers.advance(1_000_000);
        assertEquals(List.of(new AcpiMemoryHotplug.SlotNotification(0, 1)), q.acpiMemoryHotplug().scan());
        assertEquals(new AcpiMemoryHotplug.Range(5L << 30, 256L << 20), q.acpiMemoryHotplug().resources(0));
        assertEquals(0xF, q.acpiMemoryHotplug().status(0));
        assertEquals(List.of(), q.acpiMemoryHotplug().scan());
    }

    @Test
    void objectAddErrorsAreQemus() {
        Qemu q = qemu("4G,slots=8,maxmem=16G");
        run(q, "object-add", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"mem1\",\"size\":268435456}");
        assertQmpError("GenericError", "attempt to add duplicate property 'mem1' to object (type 'container')",
                run(q, "object-add", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"mem1\",\"size\":268435456}"));
        assertQmpError("GenericError", "Parameter 'size' is missing",
                run(q, "object-add", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"mem2\"}"));
        assertQmpError("GenericError", "Parameter 'id' is missing",
                run(q, "object-add", "{\"qom-type\":\"memory-backend-ram\",\"size\":1}"));
    }

    @Test
    void deviceAddErrorsAreQemus() {
        Qemu q = qemu("4G,slots=2,maxmem=5G");
        addDimm(q, "1", 256L << 20);
        assertQmpError("GenericError", "Duplicate device ID 'dimm1'",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm1\",\"memdev\":\"mem1\"}"));
        assertQmpError("GenericError", "can't use already busy memdev: mem1",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm9\",\"memdev\":\"mem1\"}"));
        assertQmpError("GenericError", "'memdev' property must be set",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm9\"}"));
        assertQmpError("DeviceNotFound", "Device 'nosuch' not found",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm9\",\"memdev\":\"nosuch\"}"));
        run(q, "object-add", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"big\",\"size\":1073741824}");
        assertQmpError("GenericError", "not enough space, currently 0x10000000 in use of total space for memory devices 0x40000000",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm9\",\"memdev\":\"big\"}"));
        addDimm(q, "2", 256L << 20);
        assertQmpError("GenericError", "no free slots available",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm9\",\"memdev\":\"big\"}"));
        assertQmpError("GenericError", "'foo' is not a valid device model name",
                run(q, "device_add", "{\"driver\":\"foo\"}"));
        assertQmpError("GenericError", "Property 'pc-dimm.bogus' not found",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"d\",\"memdev\":\"big\",\"bogus\":1}"));
        assertQmpError("CommandNotFound", "The command nope has not been found",
                run(q, "nope", null));
    }

    @Test
    void withoutMaxmemThereIsNoRoomForDimms() {
        Qemu q = qemu("2G");
        run(q, "object-add", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"m\",\"size\":268435456}");
        assertQmpError("GenericError", "no slots where allocated, please specify the 'slots' option",
                run(q, "device_add", "{\"driver\":\"pc-dimm\",\"id\":\"d\",\"memdev\":\"m\"}"));
        assertQmpError("DeviceNotActive", "No balloon device has been activated",
                run(q, "query-balloon", null));
    }

    @Test
    void coldPluggedVirtioMemSitsFirstInTheWindowAndDimmsFollowIt() {
        Qemu q = qemu("4G,slots=8,maxmem=16G",
                "-object memory-backend-ram,id=vmem0,size=1G -device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0",
                "-device virtio-balloon-pci,id=balloon0");
        assertEquals("{\"return\":[{\"type\":\"virtio-mem\",\"data\":{\"id\":\"vm0\",\"memaddr\":5368709120,"
                + "\"requested-size\":0,\"size\":0,\"max-size\":1073741824,\"block-size\":2097152,\"node\":0,"
                + "\"memdev\":\"/objects/vmem0\"}}]}", run(q, "query-memory-devices", null));
        addDimm(q, "1", 512L << 20);
        assertTrue(run(q, "query-memory-devices", null).contains("\"addr\":6442450944"));
        assertEquals(0, q.virtioMems().get(0).virtioIndex());
        assertEquals(1, q.balloon().virtioIndex());
        assertEquals("{\"return\":{\"actual\":4831838208}}", run(q, "query-balloon", null));
    }

    @Test
    void virtioMemPlugRequestsChangeSizeAndEmitSizeChangeEventsThrottledPerDevice() {
        Qemu q = qemu("4G,slots=8,maxmem=16G",
                "-object memory-backend-ram,id=vmem0,size=1G -device virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0");
        VirtioMem vm = q.virtioMems().get(0);
        assertEquals(VirtioMem.RESP_ERROR, vm.request(VirtioMem.REQ_PLUG, 5L << 30, 64));
        assertEquals("{\"return\":{}}", run(q, "qom-set",
                "{\"path\":\"vm0\",\"property\":\"requested-size\",\"value\":268435456}"));
        assertEquals(VirtioMem.RESP_ACK, vm.request(VirtioMem.REQ_PLUG, 5L << 30, 64));
        timers.advance(10_000_000);
        assertEquals(VirtioMem.RESP_ACK, vm.request(VirtioMem.REQ_PLUG, (5L << 30) + (128L << 20), 64));
        assertEquals(VirtioMem.RESP_ERROR, vm.request(VirtioMem.REQ_UNPLUG, (5L << 30) + (256L << 20), 1));
        List<QmpEvent> now = q.events().drain();
        assertEquals(1, now.size(), now.toString());
        assertEquals(134217728, now.get(0).data().get("size").asLong());
        timers.advance(1_000_000_000);
        List<QmpEvent> later = q.events().drain();
        assertEquals(1, later.size());
        assertEquals(268435456, later.get(0).data().get("size").asLong());
        // the delayed event keeps its creation time
        assertEquals(10_000_000, later.get(0).timestampNs());
        assertQmpError("GenericError", "'requested-size' has to be multiples of 'block-size' (0x200000)",
                run(q, "qom-set", "{\"path\":\"vm0\",\"property\":\"requested-size\",\"value\":1}"));
        assertQmpError("DeviceNotFound", "Device 'vm9' not found",
                run(q, "qom-set", "{\"path\":\"vm9\",\"property\":\"requested-size\",\"value\":0}"));
        assertEquals("{\"return\":{\"base-memory\":4294967296,\"plugged-memory\":268435456}}",
                run(q, "query-memory-size-summary", null));
    }

    @Test
    void balloonStatsReadAsMinusOneUntilTheGuestReportsThem() {
        Qemu q = qemu("4G", "-device virtio-balloon-pci,id=balloon0,guest-stats-polling-interval=5");
        String stats = run(q, "qom-get", "{\"path\":\"/machine/peripheral/balloon0\",\"property\":\"guest-stats\"}");
        assertTrue(stats.startsWith("{\"return\":{\"last-update\":0,\"stats\":{\"stat-swap-in\":18446744073709551615,"), stats);
        assertTrue(stats.endsWith("\"stat-htlb-pgfail\":18446744073709551615}}}"), stats);
        assertEquals("{\"return\":5}", run(q, "qom-get",
                "{\"path\":\"/machine/peripheral/balloon0\",\"property\":\"guest-stats-polling-interval\"}"));
    }

    @Test
    void balloonTargetIsClampedToRamAndActualReportsBack() {
        Qemu q = qemu("4G,slots=8,maxmem=16G", "-device virtio-balloon-pci,id=balloon0");
        VirtioBalloon b = q.balloon();
        run(q, "balloon", "{\"value\":3221225472}");
        assertEquals(262144, b.numPages());
        b.setActual(256);
        assertEquals("{\"return\":{\"actual\":4293918720}}", run(q, "query-balloon", null));
        run(q, "balloon", "{\"value\":6442450944}");
        assertEquals(0, b.numPages());
        assertQmpError("GenericError", "Parameter 'target' expects a size",
                run(q, "balloon", "{\"value\":0}"));
        assertEquals("BALLOON_CHANGE", q.events().drain().get(0).name());
    }

    /** QEMU 7.2 aborts on a backend of 2^64-1 (or -1) bytes (recorded: badinput-qmp.qemu.stderr); hotmem refuses it. */
    @Test
    void backendSizesThatWrapAtThePageAreRefusedNotAccepted() {
        Qemu q = qemu("1G,slots=8,maxmem=8G");
        for (String size : new String[] {"18446744073709551615", "-1", "18446744073709547521"}) {
            ObjectNode r = q.qmp("object-add", json("{\"qom-type\": \"memory-backend-ram\", \"id\": \"m1\", \"size\": " + size + "}"));
            assertEquals("cannot set up guest memory 'm1': Cannot allocate memory", r.path("error").path("desc").asText(), size);
        }
        assertEquals(null, q.object("m1"));
    }

    /** -device in QEMU 7.2's JSON and keyval forms, texts as recorded (docs/recordings/unbundled/badinput/6.1/badinput-device). */
    @Test
    void deviceOptionInJsonAndKeyvalFormsGetsQemusTexts() {
        String m = "1G,slots=8,maxmem=8G";
        String obj = "-object memory-backend-ram,id=m1,size=256M ";
        qemu(m, obj + "-device '{\"driver\": \"pc-dimm\", \"id\": \"d1\", \"memdev\": \"m1\"}'");
        qemu(m, obj + "-device '{\"driver\": \"pc-dimm\", \"memdev\": \"m1\", \"id\": 5}'");
        qemu(m, obj + "-device driver=pc-dimm,id=d1,memdev=m1");
        qemu(m, obj + "-device pc-dimm,id=d1,id=d2,memdev=m1");
        String[][] bad = {
            {"'{\"driver\": \"pc-dimm\", \"id\": \"d1\", \"memdev\": 5}'", "Invalid parameter type for 'memdev', expected: string"},
            {"'{\"driver\": \"pc-dimm\", \"id\": \"d1\", \"memdev\": \"m1\", \"slot\": \"1\"}'", "Invalid parameter type for 'slot', expected: integer"},
            {"'{\"driver\": \"pc-dimm\", \"id\": \"d1\", \"memdev\": \"m1\", \"addr\": \"4294967296\"}'", "Parameter 'addr' expects uint64"},
            {"'{\"driver\": \"pc-dimm\", \"id\": \"d1\", \"memdev\": \"m1\"'", "JSON parse error, premature EOI"},
            {"'{\"driver\": \"pc-dimm\", \"id\": \"d1\", \"memdev\": \"m1\"} x'", "Expecting at most one JSON value"},
            {"'{\"driver\": \"pc-dimm\"} {\"driver\": \"pc-dimm\"}'", "Expecting at most one JSON value"},
            {"'[1]'", "'[1]' is not a valid device model name"},
            {"'{\"id\": \"d1\", \"memdev\": \"m1\"}'", "Parameter 'driver' is missing"},
            {"'{\"driver\": 5}'", "Parameter 'driver' is missing"},
            {"'{\"driver\": \"pc-dimm\", \"memdev\": \"m1\", \"bogus\": 1}'", "Property 'pc-dimm.bogus' not found"},
            {"'{bogus}'", "JSON parse error, invalid keyword 'bogus'"},
            {"pc-dimm,id=d1,memdev=m1,slot=x", "Parameter 'slot' expects integer"},
            {"pc-dimm,id=d1,memdev=m1,addr=1G", "Parameter 'addr' expects integer"},
            {"pc-dimm,id=d1,memdev=m1,bogus=1", "Property 'pc-dimm.bogus' not found"},
        };
        for (String[] b : bad) {
            String value = b[0].startsWith("'") ? b[0].substring(1, b[0].length() - 1) : b[0];
            assertEquals("-device " + value + ": " + b[1],
                    assertThrows(QemuConfigException.class, () -> qemu(m, obj + "-device " + b[0])).getMessage(), b[0]);
        }
    }

    @Test
    void badCommandLinesFailWithQemusText() {
        assertEquals("-device foo,id=x: 'foo' is not a valid device model name",
                assertThrows(QemuConfigException.class, () -> qemu("4G,slots=8,maxmem=16G", "-device foo,id=x"))
                        .getMessage());
        assertEquals("-device pc-dimm,id=d,memdev=nosuch: Device 'nosuch' not found",
                assertThrows(QemuConfigException.class,
                        () -> qemu("4G,slots=8,maxmem=16G", "-device pc-dimm,id=d,memdev=nosuch")).getMessage());
    }
}
