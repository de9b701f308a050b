package org.hotmem.hv;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON as QEMU's QMP monitor writes it (qobject/qjson.c to_json() without pretty printing):
 * members in the order they were added, {@code ", "} and {@code ": "} separators, strings with
 * {@code \"}, {@code \\}, {@code \b \f \n \r \t} and every other character outside printable
 * ASCII as {@code \\uXXXX} (UTF-16 units). Pure function of the tree.
 */
public final class QmpJson {
    private QmpJson() {
    }

    /** The text QEMU would send for {@code node} (without the line end). */
    public static String write(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(sb, node);
        return sb.toString();
    }

    private static void write(StringBuilder sb, JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            sb.append("null");
        } else if (n.isObject()) {
            sb.append('{');
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                string(sb, e.getKey());
                sb.append(": ");
                write(sb, e.getValue());
                if (it.hasNext()) {
                    sb.append(", ");
                }
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
        } else if (n.isBoolean() || n.isNumber()) {
            sb.append(n.asText());
        } else {
            string(sb, n.asText());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        sb.append('"');
    }
}
