package org.hotmem.hv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Typed access to a QMP command's "arguments" object with QEMU's error texts (the QObject
 * input visitor, qapi/qobject-input-visitor.c): a missing member is
 * {@code Parameter 'x' is missing}, a member of the wrong JSON type
 * {@code Invalid parameter type for 'x', expected: T}, and a member the command does not
 * know {@code Parameter 'x' is unexpected} (checked by {@link #checkConsumed}).
 *
 * <p>Invariant: {@code consumed} holds every member name a getter has asked for. One instance
 * per command, used by the one handler running it.
 */
final class QmpArgs {
    private final ObjectNode args;
    private final Set<String> consumed = new HashSet<>();

    QmpArgs(ObjectNode args) {
        this.args = args != null ? args : JsonNodeFactory.instance.objectNode();
    }

    ObjectNode raw() {
        return args;
    }

    boolean has(String name) {
        return args.has(name);
    }

    String requiredString(String name) {
        String s = optionalString(name);
        if (s == null) {
            throw QmpException.generic("Parameter '" + name + "' is missing");
        }
        return s;
    }

    String optionalString(String name) {
        consumed.add(name);
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw QmpException.generic("Invalid parameter type for '" + name + "', expected: string");
        }
        return n.asText();
    }

    long requiredInt(String name) {
        consumed.add(name);
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            throw QmpException.generic("Parameter '" + name + "' is missing");
        }
        if (!n.isIntegralNumber()) {
            throw QmpException.generic("Invalid parameter type for '" + name + "', expected: integer");
        }
        return n.asLong();
    }

    JsonNode optionalAny(String name) {
        consumed.add(name);
        return args.get(name);
    }

    void checkConsumed() {
        Iterator<String> it = args.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!consumed.contains(f)) {
                throw QmpException.generic("Parameter '" + f + "' is unexpected");
            }
        }
    }
}
