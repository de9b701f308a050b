package org.hotmem.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.hotmem.kernel.fs.CodePointOrder;

/**
 * Writes JSON exactly as Python's {@code json.dumps(value, sort_keys=True)} does: keys sorted
 * by code point, {@code ", "} and {@code ": "} separators, non-ASCII escaped as
 * {@code \\uXXXX}. The recorded transcripts use this form, and the comparer's normalised QMP
 * replies are compared and printed in it, so hotmem's transcripts diff cleanly against the
 * recordings. Pure function of the tree: deterministic byte for byte.
 */
public final class PyJson {
    private PyJson() {
    }

    /** The Python {@code json.dumps(node, sort_keys=True)} text of {@code node}. */
    public static String dumps(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(sb, node);
        return sb.toString();
    }

    static void write(StringBuilder sb, JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            sb.append("null");
        } else if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                fields.add(it.next());
            }
            fields.sort((a, b) -> CodePointOrder.compare(a.getKey(), b.getKey()));
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : fields) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                string(sb, e.getKey());
                sb.append(": ");
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                write(sb, n.get(i));
            }
            sb.append(']');
        } else if (n.isTextual()) {
            string(sb, n.textValue());
        } else if (n.isBoolean()) {
            sb.append(n.booleanValue() ? "true" : "false");
        } else if (n.isIntegralNumber()) {
            sb.append(n.bigIntegerValue());
        } else if (n.isNumber()) {
            sb.append(pyFloat(n.doubleValue()));
        } else {
            string(sb, n.asText());
        }
    }

    /** Python's repr of a float, as json.dumps prints it. */
    static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        // shortest repr, same digits as Java's; Python switches to exponent form outside [1e-4, 1e16)
        String s = Double.toString(d);
        double a = Math.abs(d);
        if (a != 0 && (a < 1e-4 || a >= 1e16)) {
            java.math.BigDecimal bd = new java.math.BigDecimal(s).stripTrailingZeros();
            String digits = bd.unscaledValue().abs().toString();
            int exp = digits.length() - 1 - bd.scale();
            String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        if (s.contains("E")) {
            s = new java.math.BigDecimal(s).toPlainString();
            if (!s.contains(".")) {
                s += ".0";
            }
        }
        return s;
    }

    /** Appends {@code s} as a JSON string with Python's ensure_ascii escaping. */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
