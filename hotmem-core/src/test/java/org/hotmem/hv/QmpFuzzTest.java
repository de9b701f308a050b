package org.hotmem.hv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.hotmem.FuzzSeeds;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzer: QMP requests with one defect each (a member of the wrong JSON type, a missing
 * or an extra member, a duplicate key, a number beyond 2^64, malformed JSON, trailing text).
 * Each must get QEMU's reply for that defect (exactly, where the schema decides it), no
 * exception may escape, and a refused request must leave the machine's objects and devices as
 * they were.
 */
class QmpFuzzTest {
    /** A modelled command's members with their QAPI types, in schema order. */
    private record Cmd(String execute, String[][] members) {
    }

    private static final Cmd[] CMDS = {
        new Cmd("object-add", new String[][] {{"qom-type", "str", "\"memory-backend-ram\""}, {"id", "str", "\"mem9\""},
                {"share", "bool", "false"}, {"prealloc", "bool", "false"}, {"merge", "bool", "true"},
                {"prealloc-threads", "uint32", "1"}, {"size", "uint64", "1073741824"}}),
        new Cmd("object-del", new String[][] {{"id", "str", "\"mem1\""}}),
        new Cmd("device_del", new String[][] {{"id", "str", "\"dimm1\""}}),
        new Cmd("qom-get", new String[][] {{"path", "str", "\"/objects/mem1\""}, {"property", "str", "\"size\""}}),
        new Cmd("balloon", new String[][] {{"value", "int", "1073741824"}}),
        new Cmd("query-memory-devices", new String[][] {}),
    };
    private static final Set<String> CLASSES = Set.of("GenericError", "CommandNotFound", "DeviceNotFound", "DeviceNotActive");
    private static final String[] OTHER_TYPES = {"\"text\"", "true", "null", "[1, 2]", "{\"a\": 1}", "1.5", "-1", "7"};

    @Test
    void everyDefectGetsQemusReplyAndChangesNothing() {
        long base = FuzzSeeds.base(7202L);
        int cases = FuzzSeeds.cases(600);
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = FuzzSeeds.random(base, i);
            Qemu q = Qemu.start("4G,slots=4,maxmem=16G", List.of("-object", "memory-backend-ram,id=mem1,size=1G",
                    "-device", "pc-dimm,id=dimm1,memdev=mem1"), new ManualTimers(), 1_700_000_000L);
            Cmd c = CMDS[r.nextInt(CMDS.length)];
            StringBuilder expect = new StringBuilder();
            String text = mutate(c, r, expect);
            String where = FuzzSeeds.replay("qmp", base, i) + text + ": ";
            String before = state(q);
            List<ObjectNode> replies;
            try {
                replies = QmpMonitor.handle(text, q::qmp);
            } catch (RuntimeException e) {
                fail(where + "escaped: " + e, e);
                return;
            }
            assertFalse(replies.isEmpty(), where + "no reply");
            for (ObjectNode reply : replies) {
                if (reply.has("error")) {
                    JsonNode e = reply.get("error");
                    assertTrue(CLASSES.contains(e.path("class").asText()), where + reply);
                    assertFalse(e.path("desc").asText().isEmpty(), where + reply);
                } else {
                    assertTrue(reply.has("return"), where + reply);
                }
            }
            ObjectNode first = replies.get(0);
            if (!expect.isEmpty()) {
                assertEquals(expect.toString(), first.path("error").path("desc").asText(), where + first);
            }
            if (first.has("error")) {
                assertEquals(before, state(q), where + "a refused request changed the machine");
            }
        }
    }

    /** The objects and devices of the machine. */
    private static String state(Qemu q) {
        ObjectNode devices = q.qmp("query-memory-devices", null);
        return devices + " " + (q.object("mem1") != null) + (q.object("mem9") != null);
    }

    /** One defective request; {@code expect} gets the exact error text where the schema decides it. */
    private static String mutate(Cmd c, SplittableRandom r, StringBuilder expect) {
        String[][] m = c.members;
        int kind = r.nextInt(8);
        if (m.length == 0 && kind < 5) {
            kind = 2;
        }
        StringBuilder args = new StringBuilder("{");
        int target = m.length == 0 ? -1 : r.nextInt(m.length);
        for (int j = 0; j < m.length; j++) {
            String value = m[j][2];
            if (j == target && kind == 0) {
                String other = OTHER_TYPES[r.nextInt(OTHER_TYPES.length)];
                if (!fits(m[j][1], other)) {
                    value = other;
                    expect.append(typeError(m[j][0], m[j][1]));
                }
            } else if (j == target && kind == 1) {
                if (!(c.execute.equals("object-add") && j >= 2 && j < 6)) { // those are optional
                    expect.append("Parameter '").append(m[j][0]).append("' is missing");
                }
                continue;
            } else if (j == target && kind == 4 && (m[j][1].equals("uint64") || m[j][1].equals("int") || m[j][1].equals("uint32"))) {
                value = "1" + "0".repeat(20 + r.nextInt(10));
                expect.append(m[j][1].equals("int") ? typeError(m[j][0], "int") : "Parameter '" + m[j][0] + "' expects uint64");
            }
            args.append(args.length() > 1 ? ", " : "").append('"').append(m[j][0]).append("\": ").append(value);
            if (j == target && kind == 3) {
                args.append(", \"").append(m[j][0]).append("\": ").append(value);
                expect.setLength(0);
                expect.append("JSON parse error, duplicate key");
            }
        }
        if (kind == 2) {
            args.append(args.length() > 1 ? ", " : "").append("\"x-bogus\": 1");
            if (expect.isEmpty()) {
                expect.append("Parameter 'x-bogus' is unexpected");
            }
        }
        args.append('}');
        String text = "{\"execute\": \"" + c.execute + "\", \"arguments\": " + args + "}";
        if (kind == 5) {
            expect.setLength(0);
            int cut = 1 + r.nextInt(text.length() - 1);
            return text.substring(0, cut) + (r.nextBoolean() ? "" : "\u0001}");
        }
        if (kind == 6) {
            expect.setLength(0);
            int at = r.nextInt(text.length());
            return text.substring(0, at) + "%$#@!".charAt(r.nextInt(5)) + text.substring(at);
        }
        if (kind == 7) {
            return text + " " + OTHER_TYPES[r.nextInt(OTHER_TYPES.length)];
        }
        return text;
    }

    private static boolean fits(String type, String json) {
        return switch (type) {
            case "str" -> json.startsWith("\"");
            case "bool" -> json.equals("true");
            case "uint64", "uint32" -> json.equals("-1") || json.equals("7");
            case "int" -> json.equals("-1") || json.equals("7");
            default -> false;
        };
    }

    private static String typeError(String name, String type) {
        return switch (type) {
            case "str" -> "Invalid parameter type for '" + name + "', expected: string";
            case "bool" -> "Invalid parameter type for '" + name + "', expected: boolean";
            case "int" -> "Invalid parameter type for '" + name + "', expected: integer";
            default -> "Parameter '" + name + "' expects " + (type.equals("uint32") ? "uint64" : type);
        };
    }

}
