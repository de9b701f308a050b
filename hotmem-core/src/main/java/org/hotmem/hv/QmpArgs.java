package org.hotmem.hv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one QMP argument validator: a command's "arguments" object visited member by member in
 * QAPI schema order, with the QObject input visitor's rules and texts
 * (qapi/qobject-input-visitor.c, qapi/qapi-visit-core.c):
 * <ul>
 * <li>a missing required member: {@code Parameter 'x' is missing};</li>
 * <li>{@code str}, {@code bool}, {@code int}, objects and arrays of the wrong JSON type:
 *     {@code Invalid parameter type for 'x', expected: string|boolean|integer|object|array};</li>
 * <li>{@code uint64} and {@code size} (the QObject visitor has no size parser, so size is
 *     uint64): any integer in [-2^63, 2^64) is taken (a negative one wraps, for backward
 *     compatibility, as QEMU does); anything else, an integer at or beyond 2^64 included
 *     (QEMU's JSON parser makes it a double), is {@code Parameter 'x' expects uint64};
 *     narrower types ({@code uint32}, {@code int32}) are {@code Parameter 'x' expects uint32};</li>
 * <li>an enum value not in the list: {@code Parameter 'x' does not accept value 'v'};</li>
 * <li>a member present as JSON {@code null} is present (and of the wrong type);</li>
 * <li>members the command does not know: {@code Parameter 'x' is unexpected} ({@link #check}).</li>
 * </ul>
 *
 * <p>Invariant: {@code unvisited} holds the members no getter has asked for yet, in their
 * order. One instance per command, used by the one handler running it.
 */
final class QmpArgs {
    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger S64_MIN = BigInteger.valueOf(Long.MIN_VALUE);

    private final ObjectNode args;
    private final Set<String> unvisited = new LinkedHashSet<>();

    QmpArgs(ObjectNode args) {
        this.args = args != null ? args : JsonNodeFactory.instance.objectNode();
        this.args.fieldNames().forEachRemaining(unvisited::add);
    }

    ObjectNode raw() {
        return args;
    }

    /** The member, marked visited; null if absent (and then an error if required). */
    private JsonNode get(String name, boolean required) {
        unvisited.remove(name);
        JsonNode n = args.get(name);
        if (n == null && required) {
            throw QmpException.generic("Parameter '" + name + "' is missing");
        }
        return n;
    }

    private static QmpException type(String name, String expected) {
        return QmpException.generic("Invalid parameter type for '" + name + "', expected: " + expected);
    }

    /** A {@code str} member. */
    String str(String name, boolean required) {
        JsonNode n = get(name, required);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw type(name, "string");
        }
        return n.asText();
    }

    /** A {@code bool} member. */
    Boolean bool(String name, boolean required) {
        JsonNode n = get(name, required);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw type(name, "boolean");
        }
        return n.booleanValue();
    }

    /** An {@code int} member (int64). */
    Long int64(String name, boolean required) {
        JsonNode n = get(name, required);
        if (n == null) {
            return null;
        }
        Long v = asInt64(n);
        if (v == null) {
            throw type(name, "integer");
        }
        return v;
    }

    /** A {@code uint64} member; the value is unsigned 64-bit held in a long. */
    Long uint64(String name, boolean required) {
        JsonNode n = get(name, required);
        return n == null ? null : uint64Value(name, n);
    }

    /** A {@code size} member: uint64 on QMP. */
    Long size(String name, boolean required) {
        return uint64(name, required);
    }

    /** A {@code uint32} member (visit_type_uint32: uint64, then a range check). */
    Long uint32(String name, boolean required) {
        Long v = uint64(name, required);
        if (v != null && Long.compareUnsigned(v, 0xffff_ffffL) > 0) {
            throw QmpException.generic("Parameter '" + name + "' expects uint32");
        }
        return v;
    }

    /** An enum member. */
    String enumValue(String name, boolean required, List<String> values) {
        String s = str(name, required);
        if (s != null && !values.contains(s)) {
            throw QmpException.generic("Parameter '" + name + "' does not accept value '" + s + "'");
        }
        return s;
    }

    /** A list-of-enum member ({@code ['QMPCapability']}). */
    List<String> enumList(String name, boolean required, List<String> values) {
        JsonNode n = get(name, required);
        if (n == null) {
            return null;
        }
        if (!n.isArray()) {
            throw type(name, "array");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String full = name + "[" + i + "]";
            if (!e.isTextual()) {
                throw type(full, "string");
            }
            if (!values.contains(e.asText())) {
                throw QmpException.generic("Parameter '" + full + "' does not accept value '" + e.asText() + "'");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** A member of type {@code any}, or a member handed on as it is (device properties). */
    JsonNode any(String name, boolean required) {
        return get(name, required);
    }

    /** Models qobject_input_check_struct(): the first member nobody visited is unexpected. */
    void check() {
        Iterator<String> it = unvisited.iterator();
        if (it.hasNext()) {
            throw QmpException.generic("Parameter '" + it.next() + "' is unexpected");
        }
    }

    /** The members not visited yet, in order (device_add hands them to the device's properties). */
    List<String> unvisited() {
        return List.copyOf(unvisited);
    }

    /** qnum_get_try_int(): an integer in int64's range, else null (a double, a string, ...). */
    static Long asInt64(JsonNode n) {
        if (!n.isIntegralNumber()) {
            return null;
        }
        BigInteger b = n.bigIntegerValue();
        return b.bitLength() < 64 ? b.longValue() : null;
    }

    /** Models qobject_input_type_uint64(): [-2^63, 2^64) taken (negative values wrap), else "expects uint64". */
    static long uint64Value(String name, JsonNode n) {
        if (n.isIntegralNumber()) {
            BigInteger b = n.bigIntegerValue();
            if (b.compareTo(S64_MIN) >= 0 && b.compareTo(U64_LIMIT) < 0) {
                return b.longValue();
            }
        }
        throw QmpException.generic("Parameter '" + name + "' expects uint64");
    }
}
