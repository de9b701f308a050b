package org.hotmem.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.KNode;
import org.hotmem.kernel.fs.Kernfs;

/**
 * ash's pathname expansion (glob(3) without flags, as busybox's expandmeta() does it):
 * {@code *}, {@code ?} and {@code [...]} (with {@code !} or {@code ^} negation) match within
 * one path component; a leading {@code '.'} is matched only by a pattern that starts with one;
 * matches are sorted per component by byte value. A backslash escapes the next character.
 * Relative patterns are taken from {@code /} (the shell's working directory) and stay
 * relative in the result.
 *
 * <p>Stateless.
 */
final class Glob {
    private Glob() {
    }

    /** The paths {@code pattern} matches, sorted; empty if none (the shell then keeps the word). */
    static List<String> expand(Kernfs fs, String pattern) {
        boolean absolute = pattern.startsWith("/");
        String[] parts = pattern.split("/", -1);
        List<String> acc = new ArrayList<>();
        acc.add(absolute ? "/" : "");
        for (int i = absolute ? 1 : 0; i < parts.length; i++) {
            String comp = parts[i];
            boolean last = i == parts.length - 1;
            List<String> next = new ArrayList<>();
            for (String prefix : acc) {
                String sep = prefix.isEmpty() || prefix.endsWith("/") ? "" : "/";
                if (comp.isEmpty()) {
                    next.add(prefix + sep); // a doubled or trailing slash
                } else if (!hasMeta(comp)) {
                    String path = prefix + sep + unescape(comp);
                    if (!last || fs.lookup(real(path)) != null) {
                        next.add(path);
                    }
                } else if (fs.resolve(real(prefix)) instanceof KDir d) {
                    Pattern re = toRegex(comp);
                    for (String name : d.list()) {
                        if (name.startsWith(".") && !comp.startsWith(".")) {
                            continue;
                        }
                        if (re.matcher(name).matches()) {
                            String path = prefix + sep + name;
                            KNode n = fs.resolve(real(path));
                            if (last || n instanceof KDir) {
                                next.add(path);
                            }
                        }
                    }
                }
            }
            acc = next;
            if (acc.isEmpty()) {
                return List.of();
            }
        }
        return acc;
    }

    private static String real(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }

    static boolean hasMeta(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return true;
            }
        }
        return false;
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                c = s.charAt(++i);
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** fnmatch(3) of one component as a regex; an unclosed '[' is a literal. */
    private static Pattern toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    }
                }
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int j = i + 1;
                    if (j < glob.length() && (glob.charAt(j) == '!' || glob.charAt(j) == '^')) {
                        j++;
                    }
                    if (j < glob.length() && glob.charAt(j) == ']') {
                        j++;
                    }
                    while (j < glob.length() && glob.charAt(j) != ']') {
                        j++;
                    }
                    if (j >= glob.length()) {
                        re.append("\\[");
                        break;
                    }
                    StringBuilder cls = new StringBuilder("[");
                    int k = i + 1;
                    if (glob.charAt(k) == '!' || glob.charAt(k) == '^') {
                        cls.append('^');
                        k++;
                    }
                    for (; k < j; k++) {
                        char d = glob.charAt(k);
                        if (d == '\\' || d == '[' || d == '&' || d == '^' || d == ']' && k > i + 1) {
                            cls.append('\\');
                        }
                        cls.append(d);
                    }
                    re.append(cls).append(']');
                    i = j;
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
