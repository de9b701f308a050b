package org.hotmem.scenario;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario parameters: textual substitution of {@code ${NAME}} and {@code ${NAME:-DEFAULT}} in the
 * scenario text before it is parsed as YAML, so a parameter can stand for any value (a size, a
 * duration, a zone name, part of a kernel command line). Names are letters, digits and
 * underscores. {@code $$} writes a literal {@code $}. A placeholder without a default that is
 * given no value is an error at its line; so is a given value that no placeholder uses (a
 * misspelt {@code --param}). Substitution never changes line numbers unless a value contains a
 * newline, which is rejected.
 */
public final class Params {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private Params() {}

    /** Substitutes {@code values} into {@code text}; {@code file} names the scenario in errors. */
    public static String substitute(String file, String text, Map<String, String> values) {
        Set<String> used = new TreeSet<>();
        StringBuilder out = new StringBuilder(text.length());
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            // A comment line keeps its placeholders as written (headers document parameters).
            boolean comment = line.stripLeading().startsWith("#");
            Matcher m = PLACEHOLDER.matcher(line);
            int last = 0;
            while (m.find()) {
                out.append(line, last, m.start());
                last = m.end();
                if (m.group().equals("$$")) {
                    out.append('$');
                    continue;
                }
                String name = m.group(1);
                String value = values.get(name);
                if (comment) {
                    out.append(m.group());
                    continue;
                }
                if (value != null) used.add(name);
                if (value == null) value = m.group(2);
                if (value == null) {
                    throw new ScenarioException(file, i + 1, m.start() + 1,
                            "parameter ${" + name + "} has no value: pass --param " + name
                                    + "=VALUE or write ${" + name + ":-DEFAULT}");
                }
                if (value.indexOf('\n') >= 0) {
                    throw new ScenarioException(file, i + 1, m.start() + 1,
                            "the value of parameter " + name + " must be on one line");
                }
                out.append(value);
            }
            out.append(line, last, line.length());
            if (i < lines.length - 1) out.append('\n');
        }
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new ScenarioException(file, 0, 0, "parameter " + name
                        + " is not used: the file has no ${" + name + "} placeholder");
            }
        }
        return out.toString();
    }

    /** The parameter names a text uses (for listing and for the sweep header). */
    public static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) if (m.group(1) != null) names.add(m.group(1));
        return names;
    }
}
