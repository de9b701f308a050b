package org.hotmem.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one guest command line into words and output redirections the way busybox ash does
 * for the simple-command subset: blanks separate words; {@code '...'} quotes literally;
 * {@code "..."} quotes with {@code \\} escaping {@code $ ` " \\} and newline; an unquoted
 * {@code \\} escapes the next character; an unquoted {@code >} or {@code >>} starts a
 * redirection whose target is the next word. Pipes, lists, subshells, variables, command
 * substitution and input redirection are outside the subset and rejected with a message.
 */
final class ShellTokenizer {
    /** A parsed simple command: its words and its output redirection target (or null). */
    record Command(List<String> words, String redirect) {
    }

    /** A line outside the supported subset; the message is what the shell prints. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        /** True when the line is valid sh but outside the subset (a real shell would run it). */
        final boolean outsideSubset;

        SyntaxError(String message) {
            this(message, false);
        }

        SyntaxError(String message, boolean outsideSubset) {
            super(message);
            this.outsideSubset = outsideSubset;
        }
    }

    private ShellTokenizer() {
    }

    static Command parse(String line) throws SyntaxError {
        List<String> words = new ArrayList<>();
        String redirect = null;
        boolean expectTarget = false;
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i <= n) {
            char c = i < n ? line.charAt(i) : '\n';
            if (i == n || c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    if (expectTarget) {
                        redirect = cur.toString();
                        expectTarget = false;
                    } else {
                        words.add(cur.toString());
                    }
                    cur.setLength(0);
                    inWord = false;
                }
                i++;
                continue;
            }
            switch (c) {
                case '\'' -> {
                    int end = line.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw new SyntaxError("sh: syntax error: unterminated quoted string");
                    }
                    cur.append(line, i + 1, end);
                    inWord = true;
                    i = end + 1;
                }
                case '"' -> {
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw new SyntaxError("sh: syntax error: unterminated quoted string");
                        }
                        char d = line.charAt(i);
                        if (d == '"') {
                            i++;
                            break;
                        }
                        if (d == '$' || d == '`') {
                            throw unsupported(String.valueOf(d));
                        }
                        if (d == '\\' && i + 1 < n && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
                            cur.append(line.charAt(i + 1));
                            i += 2;
                            continue;
                        }
                        cur.append(d);
                        i++;
                    }
                    inWord = true;
                }
                case '\\' -> {
                    if (i + 1 < n) {
                        cur.append(line.charAt(i + 1));
                    }
                    inWord = true;
                    i += 2;
                }
                case '>' -> {
                    if (inWord) {
                        if (expectTarget) {
                            throw new SyntaxError("sh: syntax error: unexpected redirection");
                        }
                        words.add(cur.toString());
                        cur.setLength(0);
                        inWord = false;
                    }
                    if (expectTarget || redirect != null) {
                        throw unsupported("more than one redirection");
                    }
                    i++;
                    if (i < n && line.charAt(i) == '>') {
                        i++; // >> appends; a sysfs attribute has no end to append to
                    }
                    expectTarget = true;
                }
                case '|', ';', '&', '<', '(', ')', '$', '`' -> throw unsupported(String.valueOf(c));
                default -> {
                    cur.append(c);
                    inWord = true;
                    i++;
                }
            }
        }
        if (expectTarget) {
            throw new SyntaxError("sh: syntax error: unexpected newline");
        }
        return new Command(words, redirect);
    }

    private static SyntaxError unsupported(String what) {
        return new SyntaxError("sh: hotmem guest shell: '" + what + "' is outside the simple-command subset", true);
    }
}
