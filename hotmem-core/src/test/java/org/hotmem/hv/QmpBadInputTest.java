package org.hotmem.hv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Malformed QMP input gets QEMU 7.2's replies, and a refused command changes nothing. */
class QmpBadInputTest {
    private final ManualTimers timers = new ManualTimers();
    private final Qemu q = Qemu.start("4G,slots=4,maxmem=16G", List.of(), timers, 1_700_000_000L);

    private String send(String text) {
        return QmpMonitor.handle(text, q::qmp).stream().map(Object::toString).collect(Collectors.joining("\n"));
    }

    private static String err(String desc) {
        return "{\"error\":{\"class\":\"GenericError\",\"desc\":\"" + desc + "\"}}";
    }

    private static String ram(String id, String size, String extra) {
        return "{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"memory-backend-ram\", \"id\": \"" + id
                + "\", \"size\": " + size + extra + "}}";
    }

    @Test
    void sizesAtOrBeyondTwoToTheSixtyFourAreRefusedNotWrapped() {
        assertEquals(err("Parameter 'size' expects uint64"), send(ram("m1", "18446744074783293440", "")));
        assertEquals(err("Parameter 'size' expects uint64"), send(ram("m1", "1e3", "")));
        assertEquals(err("Parameter 'size' expects uint64"), send(ram("m1", "\"1G\"", "")));
        assertEquals("{\"return\":{}}", send(ram("m1", "1073741824", "")));
        assertEquals(1073741824L, q.object("m1").size());
    }

    @Test
    void wrongJsonTypesGetTheVisitorsTexts() {
        assertEquals(err("Invalid parameter type for 'prealloc', expected: boolean"), send(ram("m2", "1048576", ", \"prealloc\": [1, 2]")));
        assertEquals(err("Invalid parameter type for 'share', expected: boolean"), send(ram("m2", "1048576", ", \"share\": \"yes\"")));
        assertEquals(err("Invalid parameter type for 'id', expected: string"),
                send("{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"memory-backend-ram\", \"id\": 7, \"size\": 1}}"));
        assertEquals(err("Parameter 'policy' does not accept value 'sometimes'"), send(ram("m2", "1048576", ", \"policy\": \"sometimes\"")));
        assertEquals(err("Parameter 'bogus' is unexpected"), send(ram("m2", "1048576", ", \"bogus\": 1")));
        assertEquals(err("Parameter 'size' is missing"),
                send("{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"memory-backend-ram\", \"id\": \"m2\"}}"));
        assertEquals(err("Invalid parameter type for 'id', expected: string"),
                send("{\"execute\": \"device_del\", \"arguments\": {\"id\": null}}"));
        assertEquals(err("Invalid parameter type for 'value', expected: integer"),
                send("{\"execute\": \"balloon\", \"arguments\": {\"value\": 1.5}}"));
        assertEquals(null, q.object("m2"));
    }

    @Test
    void duplicateKeysTrailingTextAndMalformedJsonGetTheParsersReplies() {
        assertEquals(err("JSON parse error, duplicate key"), send("{\"execute\": \"query-balloon\", \"execute\": \"x\"}"));
        assertEquals("{\"error\":{\"class\":\"DeviceNotActive\",\"desc\":\"No balloon device has been activated\"}}\n"
                + err("JSON parse error, invalid keyword 'garbage'"), send("{\"execute\": \"query-balloon\"} garbage"));
        assertEquals(err("JSON parse error, expecting value"), send("{\"execute\": }"));
        assertEquals(err("JSON parse error, stray '%'"), send("%"));
        assertEquals(err("JSON parse error, premature EOI"), send("{\"execute\": \"query-balloon\""));
        assertEquals(err("JSON parse error, missing : in object pair"), send("{\"execute\" \"x\"}"));
        assertEquals(err("JSON parse error, key is not a string in object"), send("{1: 2}"));
        assertEquals(err("JSON parse error, expected separator in dict"), send("{\"a\": 1 \"b\": 2}"));
        assertEquals(err("QMP input must be a JSON object"), send("[1, 2]"));
        assertEquals(err("QMP input lacks member 'execute'"), send("{}"));
        assertEquals(err("QMP input member 'execute' must be a string"), send("{\"execute\": 1}"));
        assertEquals(err("QMP input member 'arguments' must be an object"), send("{\"execute\": \"x\", \"arguments\": []}"));
        assertEquals(err("QMP input member 'exec-oob' is unexpected"), send("{\"exec-oob\": \"query-balloon\"}"));
        assertEquals("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command nosuch has not been found\"},\"id\":\"a1\"}",
                send("{\"execute\": \"nosuch\", \"id\": \"a1\"}"));
    }

    @Test
    void capabilitiesWereNegotiatedAndTheirArgumentsAreStillChecked() {
        assertEquals(err("Invalid parameter type for 'enable', expected: array"),
                send("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}}"));
        assertEquals(err("Parameter 'enable[0]' does not accept value 'fast'"),
                send("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"fast\"]}}"));
        assertEquals("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"Capabilities negotiation is already complete, command ignored\"}}",
                send("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}"));
    }

    @Test
    void aNegativeSizeWrapsAsQemusUint64VisitorDoes() {
        // qobject_input_type_uint64 takes negative int64 values "for backward compatibility"
        send(ram("m3", "1073741824", ""));
        assertEquals(err("Parameter 'addr' expects uint64"),
                send("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"pc-dimm\", \"memdev\": \"m3\", \"addr\": 1.5}}"));
        assertEquals(err("Parameter 'slot' expects int32"),
                send("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"pc-dimm\", \"memdev\": \"m3\", \"slot\": 4294967296}}"));
        assertEquals(err("Invalid parameter type for 'slot', expected: integer"),
                send("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"pc-dimm\", \"memdev\": \"m3\", \"slot\": \"0\"}}"));
        assertEquals(0, q.deviceMemory().devices().size());
    }
}
