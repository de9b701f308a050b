package org.hotmem.scenario;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the place it was written: a mapping, a sequence, a scalar or null. Scenario
 * validation works on this tree so that every error names the file, line and column of the value
 * at fault. Immutable once built by {@link YamlTree}.
 */
public final class Node {
    /** The four shapes a YAML value can take here. */
    public enum Kind { MAP, LIST, SCALAR, NULL }

    private final Kind kind;
    private final String file;
    private final int line;
    private final int column;
    private final String path;
    private final Map<String, Node> map;
    private final List<Node> list;
    private final String text;
    /** For scalars: whether YAML typed it as a number or boolean (unquoted) rather than a string. */
    private final boolean plain;

    Node(Kind kind, String file, int line, int column, String path,
         Map<String, Node> map, List<Node> list, String text, boolean plain) {
        this.kind = kind;
        this.file = file;
        this.line = line;
        this.column = column;
        this.path = path;
        this.map = map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
        this.list = list == null ? List.of() : List.copyOf(list);
        this.text = text;
        this.plain = plain;
    }

    public Kind kind() { return kind; }
    public String file() { return file; }
    public int line() { return line; }
    public int column() { return column; }
    /** Where in the document: {@code timeline[2].at}. */
    public String path() { return path; }
    public boolean isMap() { return kind == Kind.MAP; }
    public boolean isList() { return kind == Kind.LIST; }
    public boolean isScalar() { return kind == Kind.SCALAR; }
    public boolean isNull() { return kind == Kind.NULL; }
    public Map<String, Node> entries() { return map; }
    public List<Node> items() { return list; }
    /** The scalar's text; null for anything else. */
    public String text() { return text; }
    public boolean plainScalar() { return plain; }

    /** An error located at this node: {@code FILE:LINE:COL: PATH: detail}. */
    public ScenarioException error(String detail) {
        return new ScenarioException(file, line, column, (path.isEmpty() ? "" : path + ": ") + detail);
    }

    /** A short description of what this node is, for "expected X, got Y" messages. */
    public String describe() {
        return switch (kind) {
            case MAP -> "a mapping";
            case LIST -> "a list";
            case NULL -> "nothing";
            case SCALAR -> '"' + text + '"';
        };
    }
}
