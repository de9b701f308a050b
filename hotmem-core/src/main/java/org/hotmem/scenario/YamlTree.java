package org.hotmem.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML text into a {@link Node} tree that remembers line and column of every value, using
 * Jackson's streaming YAML parser. Duplicate keys and syntax errors are reported with their
 * location. Stateless; one factory per call keeps it free of shared mutable state.
 */
public final class YamlTree {
    private YamlTree() {}

    /** Parses one YAML document; {@code file} names it in errors. */
    public static Node parse(String file, String text) {
        YAMLFactory factory = YAMLFactory.builder().build();
        try (JsonParser p = factory.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new ScenarioException(file, 1, 1, "the file is empty: expected a YAML mapping");
            Node root = read(p, file, "");
            if (p.nextToken() != null) {
                JsonLocation l = p.currentTokenLocation();
                throw new ScenarioException(file, l.getLineNr(), l.getColumnNr(),
                        "expected one YAML document, found more");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage();
            int nl = msg.indexOf('\n');
            if (nl > 0) msg = msg.substring(0, nl);
            throw new ScenarioException(file, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "not valid YAML: " + msg);
        } catch (IOException e) {
            throw new ScenarioException(file, 0, 0, "cannot read: " + e.getMessage());
        }
    }

    private static Node read(JsonParser p, String file, String path) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int col = loc.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Node> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation kl = p.currentTokenLocation();
                    if (map.containsKey(key)) {
                        throw new ScenarioException(file, kl.getLineNr(), kl.getColumnNr(),
                                join(path, key) + ": duplicate key \"" + key + "\" (first on line "
                                        + map.get(key).line() + ")");
                    }
                    p.nextToken();
                    map.put(key, read(p, file, join(path, key)));
                }
                return new Node(Node.Kind.MAP, file, line, col, path, map, null, null, false);
            }
            case START_ARRAY -> {
                List<Node> list = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p, file, path + "[" + i++ + "]"));
                }
                return new Node(Node.Kind.LIST, file, line, col, path, null, list, null, false);
            }
            case VALUE_NULL -> {
                return new Node(Node.Kind.NULL, file, line, col, path, null, null, null, false);
            }
            case VALUE_STRING -> {
                return new Node(Node.Kind.SCALAR, file, line, col, path, null, null, p.getText(), false);
            }
            default -> {
                return new Node(Node.Kind.SCALAR, file, line, col, path, null, null, p.getText(), true);
            }
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
