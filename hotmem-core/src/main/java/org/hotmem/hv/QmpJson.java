package org.hotmem.hv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * QEMU's JSON reader for the QMP monitor: models qobject/json-lexer.c, json-streamer.c and
 * json-parser.c. The input is a stream of top-level values; each is parsed as soon as its
 * braces and brackets balance, so text after a complete value is the next message, not an
 * error of the first. What a value turns into:
 * <ul>
 * <li>an integer in int64 range is a long, one in uint64 range a BigInteger below 2^64,
 *     anything larger a double (QNum's three kinds); a number with a fraction or exponent a
 *     double;</li>
 * <li>strings may be single- or double-quoted; {@code \\u0000} is refused;</li>
 * <li>a duplicate key in an object is refused.</li>
 * </ul>
 * Errors carry QEMU's texts ({@code JSON parse error, stray '%'}, {@code ... expecting value},
 * {@code ... duplicate key}, {@code ... premature EOI}, {@code ... invalid keyword 'x'}, ...);
 * after a lexical error the lexer skips to the next structural or control character.
 * model: the end of the text is the end of input (json_message_parser_flush()), so an
 * unfinished message is answered instead of waited for.
 *
 * <p>The writer, {@link #write}, is JSON as QEMU's QMP monitor sends it (qobject/qjson.c to_json()
 * without pretty printing): members in the order they were added, {@code ", "} and {@code ": "}
 * separators, strings with {@code \"}, {@code \\}, {@code \b \f \n \r \t} and every other
 * character outside printable ASCII as {@code \\uXXXX} (UTF-16 units).
 *
 * <p>Stateless; {@link #parse} builds fresh values, {@link #write} is a pure function of the tree.
 */
public final class QmpJson {
    /** One top-level item of the stream: a value, or QEMU's error text for it. */
    public record Item(JsonNode value, String error) {
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);
    /** MAX_NESTING of json-streamer.c. */
    private static final int MAX_NESTING = 1024;

    private enum T { LCURLY, RCURLY, LSQUARE, RSQUARE, COMMA, COLON, STRING, INTEGER, FLOAT, KEYWORD, ERROR }

    private record Token(T type, String text) {
    }

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

    /** Splits and parses {@code text} as the monitor's JSON message parser does, up to the end of input. */
    public static List<Item> parse(String text) {
        return split(text, true).items();
    }

    /**
     * The messages of a stream read so far: the items of the complete values at the start of
     * {@code text}, and how many characters they used; the rest waits for more input.
     */
    public record Stream(List<Item> items, int consumed) {
    }

    /** Splits the complete messages off {@code text} as json-streamer does before the end of input. */
    public static Stream stream(String text) {
        return split(text, false);
    }

    private static Stream split(String text, boolean endOfInput) {
        List<Item> out = new ArrayList<>();
        List<Token> pending = new ArrayList<>();
        int braces = 0;
        int brackets = 0;
        int consumed = 0;
        List<Integer> ends = new ArrayList<>();
        List<Token> tokens = lex(text, ends);
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            switch (t.type) {
                case LCURLY -> braces++;
                case RCURLY -> braces--;
                case LSQUARE -> brackets++;
                case RSQUARE -> brackets--;
                case ERROR -> {
                    out.add(new Item(null, "JSON parse error, stray '" + t.text + "'"));
                    pending.clear();
                    braces = brackets = 0;
                    consumed = ends.get(k);
                    continue;
                }
                default -> {
                }
            }
            if (braces + brackets > MAX_NESTING) {
                out.add(new Item(null, "JSON nesting depth limit exceeded"));
                pending.clear();
                braces = brackets = 0;
                consumed = ends.get(k);
                continue;
            }
            pending.add(t);
            if ((braces > 0 || brackets > 0) && braces >= 0 && brackets >= 0) {
                continue;
            }
            out.add(new Parser(pending).parseTop());
            pending = new ArrayList<>();
            braces = brackets = 0;
            consumed = ends.get(k);
        }
        if (endOfInput && !pending.isEmpty()) {
            out.add(new Parser(pending).parseTop()); // JSON_END_OF_INPUT
            consumed = text.length();
        }
        return new Stream(out, consumed);
    }

    // ---------------------------------------------------------------- lexer

    /** The tokens of {@code s}; {@code ends} gets each token's end offset. */
    private static List<Token> lex(String s, List<Integer> ends) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (ends.size() < out.size()) {
                ends.add(i);
            }
            char c = s.charAt(i);
            int start = i;
            switch (c) {
                case ' ', '\t', '\r', '\n' -> i++;
                case '{' -> { out.add(new Token(T.LCURLY, "{")); i++; }
                case '}' -> { out.add(new Token(T.RCURLY, "}")); i++; }
                case '[' -> { out.add(new Token(T.LSQUARE, "[")); i++; }
                case ']' -> { out.add(new Token(T.RSQUARE, "]")); i++; }
                case ',' -> { out.add(new Token(T.COMMA, ",")); i++; }
                case ':' -> { out.add(new Token(T.COLON, ":")); i++; }
                case '"', '\'' -> {
                    int end = stringEnd(s, i);
                    if (end < 0) {
                        i = error(out, s, start, -end);
                    } else {
                        out.add(new Token(T.STRING, s.substring(start, end)));
                        i = end;
                    }
                }
                default -> {
                    if (c == '-' || c >= '0' && c <= '9') {
                        int end = numberEnd(s, i);
                        if (end < 0) {
                            i = error(out, s, start, -end);
                        } else {
                            String num = s.substring(start, end);
                            boolean isFloat = num.indexOf('.') >= 0 || num.indexOf('e') >= 0 || num.indexOf('E') >= 0;
                            out.add(new Token(isFloat ? T.FLOAT : T.INTEGER, num));
                            i = end;
                        }
                    } else if (c >= 'a' && c <= 'z') {
                        int end = i;
                        while (end < n && s.charAt(end) >= 'a' && s.charAt(end) <= 'z') {
                            end++;
                        }
                        out.add(new Token(T.KEYWORD, s.substring(start, end)));
                        i = end;
                    } else {
                        i = error(out, s, start, i + 1);
                    }
                }
            }
        }
        while (ends.size() < out.size()) {
            ends.add(i);
        }
        return out;
    }

    /** Emits an error token for s[start, bad) and skips to the next resynchronisation point. */
    private static int error(List<Token> out, String s, int start, int bad) {
        out.add(new Token(T.ERROR, s.substring(start, Math.min(bad, s.length()))));
        int i = bad;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '{' || c == '}' || c == '[' || c == ']' || c < 0x20 && c != '\t' || c >= 0xfe && c <= 0xff) {
                break;
            }
            i++;
        }
        return i;
    }

    /** The end of a string token starting at {@code i}, or -(the index just past the bad character). */
    private static int stringEnd(String s, int i) {
        char q = s.charAt(i);
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == q) {
                return j + 1;
            }
            if (c < 0x20) {
                return -(j + 1);
            }
            if (c == '\\') {
                if (j + 1 >= s.length()) {
                    return -(j + 1);
                }
                char e = s.charAt(j + 1);
                if ("\"'\\/bfnrt".indexOf(e) >= 0) {
                    j += 2;
                    continue;
                }
                if (e == 'u') {
                    for (int k = 0; k < 4; k++) {
                        if (j + 2 + k >= s.length() || Character.digit(s.charAt(j + 2 + k), 16) < 0) {
                            return -(j + 3 + k);
                        }
                    }
                    j += 6;
                    continue;
                }
                return -(j + 2);
            }
            j++;
        }
        return -s.length(); // unterminated: the flush at the end of input makes it an error
    }

    /** The end of a number token at {@code i}, or -(the index just past the bad character). */
    private static int numberEnd(String s, int i) {
        int n = s.length();
        int j = i;
        if (s.charAt(j) == '-') {
            j++;
            if (j >= n || !Character.isDigit(s.charAt(j))) {
                return -Math.min(n, j + 1);
            }
        }
        if (s.charAt(j) == '0') {
            j++;
            if (j < n && Character.isDigit(s.charAt(j))) {
                return -(j + 1);
            }
        } else {
            while (j < n && Character.isDigit(s.charAt(j))) {
                j++;
            }
        }
        if (j < n && s.charAt(j) == '.') {
            j++;
            if (j >= n || !Character.isDigit(s.charAt(j))) {
                return -Math.min(n, j + 1);
            }
            while (j < n && Character.isDigit(s.charAt(j))) {
                j++;
            }
        }
        if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
            j++;
            if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            if (j >= n || !Character.isDigit(s.charAt(j))) {
                return -Math.min(n, j + 1);
            }
            while (j < n && Character.isDigit(s.charAt(j))) {
                j++;
            }
        }
        return j;
    }

    // ---------------------------------------------------------------- parser

    /** Models json_parser_parse() over one message's tokens; the first error wins. */
    private static final class Parser {
        private final List<Token> tokens;
        private int pos;
        private String error;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        Item parseTop() {
            JsonNode v = value();
            return error != null ? new Item(null, error) : new Item(v, null);
        }

        private void fail(String msg) {
            if (error == null) {
                error = "JSON parse error, " + msg;
            }
        }

        private Token peek() {
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        private Token pop() {
            return pos < tokens.size() ? tokens.get(pos++) : null;
        }

        private JsonNode value() {
            Token t = peek();
            if (t == null) {
                fail("premature EOI");
                return null;
            }
            return switch (t.type) {
                case LCURLY -> object();
                case LSQUARE -> array();
                case STRING -> string(pop());
                case INTEGER -> integer(pop().text);
                case FLOAT -> JSON.numberNode(Double.parseDouble(pop().text));
                case KEYWORD -> keyword(pop().text);
                default -> {
                    fail("expecting value");
                    yield null;
                }
            };
        }

        private JsonNode keyword(String k) {
            return switch (k) {
                case "true" -> JSON.booleanNode(true);
                case "false" -> JSON.booleanNode(false);
                case "null" -> JSON.nullNode();
                default -> {
                    fail("invalid keyword '" + k + "'");
                    yield null;
                }
            };
        }

        private static JsonNode integer(String text) {
            BigInteger b = new BigInteger(text);
            if (b.bitLength() < 64) {
                return JSON.numberNode(b.longValue());
            }
            if (b.signum() > 0 && b.compareTo(U64_LIMIT) < 0) {
                return JSON.numberNode(b);
            }
            return JSON.numberNode(b.doubleValue());
        }

        private JsonNode string(Token t) {
            String s = t.text;
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i < s.length() - 1; i++) {
                char c = s.charAt(i);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(++i);
                switch (e) {
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        char cp = (char) Integer.parseInt(s.substring(i + 1, i + 5), 16);
                        if (cp == 0) {
                            fail("\\u0000 is not supported");
                            return null;
                        }
                        sb.append(cp);
                        i += 4;
                    }
                    default -> sb.append(e);
                }
            }
            return JSON.textNode(sb.toString());
        }

        private JsonNode object() {
            pop();
            ObjectNode o = JSON.objectNode();
            Token peek = peek();
            if (peek == null) {
                fail("premature EOI");
                return null;
            }
            if (peek.type == T.RCURLY) {
                pop();
                return o;
            }
            if (!pair(o)) {
                return null;
            }
            Token t = pop();
            while (true) {
                if (t == null) {
                    fail("premature EOI");
                    return null;
                }
                if (t.type == T.RCURLY) {
                    return o;
                }
                if (t.type != T.COMMA) {
                    fail("expected separator in dict");
                    return null;
                }
                if (!pair(o)) {
                    return null;
                }
                t = pop();
            }
        }

        private boolean pair(ObjectNode o) {
            if (peek() == null) {
                fail("premature EOI");
                return false;
            }
            JsonNode key = value();
            if (key == null || !key.isTextual()) {
                fail("key is not a string in object");
                return false;
            }
            Token colon = pop();
            if (colon == null) {
                fail("premature EOI");
                return false;
            }
            if (colon.type != T.COLON) {
                fail("missing : in object pair");
                return false;
            }
            JsonNode v = value();
            if (v == null) {
                fail("Missing value in dict");
                return false;
            }
            if (o.has(key.asText())) {
                fail("duplicate key");
                return false;
            }
            o.set(key.asText(), v);
            return true;
        }

        private JsonNode array() {
            pop();
            ArrayNode a = JSON.arrayNode();
            Token peek = peek();
            if (peek == null) {
                fail("premature EOI");
                return null;
            }
            if (peek.type == T.RSQUARE) {
                pop();
                return a;
            }
            while (true) {
                JsonNode v = value();
                if (v == null) {
                    fail("expecting value");
                    return null;
                }
                a.add(v);
                Token t = pop();
                if (t == null) {
                    fail("premature EOI");
                    return null;
                }
                if (t.type == T.RSQUARE) {
                    return a;
                }
                if (t.type != T.COMMA) {
                    fail("expected separator in list");
                    return null;
                }
            }
        }
    }
}
