package org.hotmem.scenario;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the fields of one YAML mapping, converting and validating each value, and rejects keys
 * it was not asked about (so that a typo like {@code lifetme:} is an error, not a silent default).
 * Single-use: create, read fields, then {@link #done()}.
 */
final class Fields {
    private final Node node;
    private final Set<String> known = new LinkedHashSet<>();

    private Fields(Node node) { this.node = node; }

    static Fields of(Node node, String what) {
        if (!node.isMap()) throw node.error("expected " + what + " (a mapping), got " + node.describe());
        return new Fields(node);
    }

    Node node() { return node; }

    boolean has(String key) {
        known.add(key);
        Node n = node.entries().get(key);
        return n != null && !n.isNull();
    }

    /** The node of a key, or null when absent or null. */
    Node get(String key) {
        known.add(key);
        Node n = node.entries().get(key);
        return n == null || n.isNull() ? null : n;
    }

    Node require(String key, String expected) {
        Node n = get(key);
        if (n == null) throw node.error("missing \"" + key + "\": expected " + expected);
        return n;
    }

    String string(String key, String dflt) {
        Node n = get(key);
        return n == null ? dflt : scalar(n, "a string");
    }

    /** A required scalar; an empty one is as good as missing. */
    String requireString(String key, String expected) {
        Node n = require(key, expected);
        String s = scalar(n, expected);
        if (s.isBlank()) throw n.error("expected " + expected + ", got an empty value");
        return s;
    }

    long size(String key, long dflt) {
        Node n = get(key);
        return n == null ? dflt : Quantities.size(n);
    }

    long duration(String key, long dflt) {
        Node n = get(key);
        return n == null ? dflt : Quantities.duration(n);
    }

    long integer(String key, long dflt) {
        Node n = get(key);
        if (n == null) return dflt;
        String s = scalar(n, "an integer");
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw n.error("expected an integer, got " + n.describe());
        }
    }

    boolean bool(String key, boolean dflt) {
        Node n = get(key);
        if (n == null) return dflt;
        String s = scalar(n, "true or false").toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw n.error("expected true or false, got " + n.describe());
        };
    }

    List<String> strings(String key) {
        Node n = get(key);
        List<String> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isScalar()) {
            out.add(n.text());
            return out;
        }
        if (!n.isList()) throw n.error("expected a string or a list of strings, got " + n.describe());
        for (Node item : n.items()) out.add(scalar(item, "a string"));
        return out;
    }

    static String scalar(Node n, String expected) {
        if (!n.isScalar()) throw n.error("expected " + expected + ", got " + n.describe());
        return n.text();
    }

    /** Rejects any key that was not read. */
    void done() {
        for (var e : node.entries().entrySet()) {
            if (!known.contains(e.getKey())) {
                throw e.getValue().error("unknown key \"" + e.getKey() + "\": expected one of "
                        + String.join(", ", known));
            }
        }
    }
}
