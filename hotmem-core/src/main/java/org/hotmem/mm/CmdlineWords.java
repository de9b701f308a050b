package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;

/** Splits a kernel command line into words the way the kernel's next_arg() does (double quotes group). */
public final class CmdlineWords {
    private CmdlineWords() {
    }

    public static List<String> split(String cmdline) {
        List<String> out = new ArrayList<>();
        if (cmdline == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < cmdline.length(); i++) {
            char c = cmdline.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (!quoted && Character.isWhitespace(c)) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            cur.append(c);
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }
}
