package org.hotmem.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The few Python semantics the reference comparer relies on, over Jackson trees: truthiness,
 * {@code ==} of JSON values (1 == 1.0 == True), {@code str()}/{@code repr()} of values in
 * messages, {@code str.rstrip()} and {@code str.splitlines(keepends=True)}.
 */
final class Py {
    private Py() {
    }

    /** Python's {@code bool(x)} of a JSON value; a missing member is None. */
    static boolean truthy(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNumber()) {
            return n.doubleValue() != 0;
        }
        if (n.isTextual()) {
            return !n.textValue().isEmpty();
        }
        return n.size() > 0;
    }

    /** Python's {@code x == y} of two JSON values (None for missing). */
    static boolean eq(JsonNode x, JsonNode y) {
        boolean xn = x == null || x.isNull() || x.isMissingNode();
        boolean yn = y == null || y.isNull() || y.isMissingNode();
        if (xn || yn) {
            return xn && yn;
        }
        if ((x.isNumber() || x.isBoolean()) && (y.isNumber() || y.isBoolean())) {
            return num(x).compareTo(num(y)) == 0;
        }
        if (x.isObject() && y.isObject()) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = x.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!y.has(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (x.isArray() && y.isArray()) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return x.equals(y);
    }

    private static java.math.BigDecimal num(JsonNode n) {
        if (n.isBoolean()) {
            return n.booleanValue() ? java.math.BigDecimal.ONE : java.math.BigDecimal.ZERO;
        }
        return n.decimalValue();
    }

    /** Python's {@code str(x)} ({@code "%s"}) of a JSON value. */
    static String str(JsonNode n) {
        if (n != null && n.isTextual()) {
            return n.textValue();
        }
        return repr(n);
    }

    /** Python's {@code repr(x)} ({@code "%r"}) of a JSON value. */
    static String repr(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "None";
        }
        if (n.isBoolean()) {
            return n.booleanValue() ? "True" : "False";
        }
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().toString();
        }
        if (n.isNumber()) {
            return PyJson.pyFloat(n.doubleValue());
        }
        if (n.isTextual()) {
            return reprString(n.textValue());
        }
        StringBuilder sb = new StringBuilder();
        if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(repr(n.get(i)));
            }
            return sb.append(']').toString();
        }
        sb.append('{');
        boolean first = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sb.append(first ? "" : ", ").append(reprString(e.getKey())).append(": ").append(repr(e.getValue()));
            first = false;
        }
        return sb.append('}').toString();
    }

    /** Python's {@code repr(str)}: single quotes unless the text has ' and no ". */
    static String reprString(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == q || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else if (c >= 0x80 && !printable(c)) {
                sb.append(c <= 0xff ? String.format("\\x%02x", c)
                        : c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
            } else {
                sb.appendCodePoint(c);
            }
        }
        return sb.append(q).toString();
    }

    private static boolean printable(int c) {
        int t = Character.getType(c);
        if (c == ' ') {
            return true;
        }
        return !(t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE
                || t == Character.PRIVATE_USE || t == Character.UNASSIGNED || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR || t == Character.SPACE_SEPARATOR);
    }

    /** Python's {@code str.isspace()} for one character. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029
                || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    /** Python's {@code s.rstrip()}. */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Python's {@code s.rstrip("\n")}. */
    static String rstripNewlines(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
        }
        return s.substring(0, end);
    }

    /** Python's {@code s.splitlines(keepends=True)}. */
    static List<String> splitlinesKeepends(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                out.add(s.substring(start, i + 2));
                i += 2;
                start = i;
            } else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e)
                    || c == 0x85 || c == 0x2028 || c == 0x2029) {
                out.add(s.substring(start, i + 1));
                i++;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }
}
