package org.hotmem.hv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A QemuOpts-style option string: {@code value,key=value,key=value}. The first element may
 * omit its key (the "implied" key, e.g. {@code size} for {@code -m}, {@code driver} for
 * {@code -device}, {@code qom-type} for {@code -object}). {@code ,,} stands for a literal comma
 * inside a value. A bare {@code key} means {@code key=on}. Models qemu_opts_parse() in
 * util/qemu-option.c (and keyval_parse() for -object, which accepts the same subset here).
 * Keys keep their order; a repeated key keeps the last value (QemuOpts semantics for merge).
 */
public final class QemuOpts {
    private final Map<String, String> values;

    private QemuOpts(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code text}; {@code impliedKey} names the key of a leading element without '='.
     *
     * @throws QemuConfigException with QEMU's text for an empty key
     */
    public static QemuOpts parse(String option, String text, String impliedKey) {
        Map<String, String> map = new LinkedHashMap<>();
        List<String> parts = splitOnSingleCommas(text);
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (i == 0 && impliedKey != null) {
                    map.put(impliedKey, part);
                } else if (part.isEmpty()) {
                    continue;
                } else {
                    map.put(part, "on");
                }
            } else {
                String key = part.substring(0, eq);
                if (key.isEmpty()) {
                    throw new QemuConfigException(option + " " + text + ": Invalid parameter ''");
                }
                map.put(key, part.substring(eq + 1));
            }
        }
        return new QemuOpts(map);
    }

    private static List<String> splitOnSingleCommas(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',') {
                if (i + 1 < text.length() && text.charAt(i + 1) == ',') {
                    cur.append(',');
                    i++;
                } else {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    public String get(String key) {
        return values.get(key);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Keys in the order given. */
    public Iterable<String> keys() {
        return values.keySet();
    }

    public Map<String, String> asMap() {
        return java.util.Collections.unmodifiableMap(values);
    }
}
