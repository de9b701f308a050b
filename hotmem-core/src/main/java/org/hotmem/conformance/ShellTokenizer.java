package org.hotmem.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one guest command line into words and redirections the way busybox ash does for the
 * simple-command subset: blanks separate words; {@code '...'} quotes literally;
 * {@code "..."} quotes with {@code \\} escaping {@code $ ` " \\} and newline; an unquoted
 * {@code \\} escapes the next character; {@code [N]>WORD}, {@code [N]>>WORD} and
 * {@code [N]>&M} redirect output descriptor N (default 1) as ash does, in order. An unquoted
 * {@code * ? [} makes a word a glob pattern (expanded by the shell against the file tree).
 * Pipes, lists, subshells, variables, command substitution and input redirection are outside
 * the subset and rejected with a message.
 */
final class ShellTokenizer {
    /**
     * A parsed simple command: its words (quotes removed), for each word its glob pattern
     * (null if it has no unquoted metacharacter; quoted metacharacters are backslash-escaped
     * in it), and its output redirections in order.
     */
    record Command(List<String> words, List<String> globs, List<Redirect> redirects) {
        /** The file standard output goes to, or null for the console. */
        String redirect() {
            String target = null;
            for (Redirect r : redirects) {
                if (r.fd() == 1) {
                    target = r.dupOf() < 0 ? r.target() : r.dupOf() == 1 ? target : null;
                }
            }
            return target;
        }
    }

    /** {@code fd>target}, or {@code fd>&dupOf} (target null). */
    record Redirect(int fd, String target, int dupOf) {
    }

    /** A line outside the supported subset; the message is what the shell prints. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        /** The exit status: 2 for a syntax error, 1 for a failed redirection. */
        final int rc;

        SyntaxError(String message) {
            this(message, 2);
        }

        SyntaxError(String message, int rc) {
            super(message);
            this.rc = rc;
        }
    }

    private ShellTokenizer() {
    }

    static Command parse(String line) throws SyntaxError {
        List<String> words = new ArrayList<>();
        List<String> globs = new ArrayList<>();
        List<Redirect> redirects = new ArrayList<>();
        int targetFd = -1;
        StringBuilder cur = new StringBuilder();
        StringBuilder glob = new StringBuilder();
        boolean isGlob = false;
        boolean quotedAny = false;
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i <= n) {
            char c = i < n ? line.charAt(i) : '\n';
            if (i == n || c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    if (targetFd >= 0) {
                        redirects.add(new Redirect(targetFd, cur.toString(), -1));
                        targetFd = -1;
                    } else {
                        words.add(cur.toString());
                        globs.add(isGlob ? glob.toString() : null);
                    }
                    cur.setLength(0);
                    glob.setLength(0);
                    isGlob = false;
                    quotedAny = false;
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
                    quoted(cur, glob, line.substring(i + 1, end));
                    inWord = true;
                    quotedAny = true;
                    i = end + 1;
                }
                case '"' -> {
                    i++;
                    StringBuilder q = new StringBuilder();
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
                            q.append(line.charAt(i + 1));
                            i += 2;
                            continue;
                        }
                        q.append(d);
                        i++;
                    }
                    quoted(cur, glob, q.toString());
                    inWord = true;
                    quotedAny = true;
                }
                case '\\' -> {
                    if (i + 1 < n) {
                        quoted(cur, glob, String.valueOf(line.charAt(i + 1)));
                    }
                    inWord = true;
                    quotedAny = true;
                    i += 2;
                }
                case '>' -> {
                    int fd = 1;
                    if (inWord) {
                        String w = cur.toString();
                        if (!quotedAny && targetFd < 0 && w.chars().allMatch(Character::isDigit) && w.length() < 3) {
                            fd = Integer.parseInt(w); // "2>" names the descriptor
                        } else if (targetFd >= 0) {
                            throw new SyntaxError("sh: syntax error: unexpected redirection");
                        } else {
                            words.add(w);
                            globs.add(isGlob ? glob.toString() : null);
                        }
                        cur.setLength(0);
                        glob.setLength(0);
                        isGlob = false;
                        quotedAny = false;
                        inWord = false;
                    }
                    if (targetFd >= 0) {
                        throw new SyntaxError("sh: syntax error: unexpected redirection");
                    }
                    i++;
                    if (i < n && line.charAt(i) == '>') {
                        i++; // >> appends; a sysfs attribute has no end to append to
                    }
                    if (i < n && line.charAt(i) == '&') {
                        int j = i + 1;
                        while (j < n && Character.isDigit(line.charAt(j))) {
                            j++;
                        }
                        if (j == i + 1 || j < n && " \t".indexOf(line.charAt(j)) < 0) {
                            throw unsupported("&");
                        }
                        int dup = Integer.parseInt(line.substring(i + 1, j));
                        if (dup != 1 && dup != 2) {
                            return badFd(dup);
                        }
                        redirects.add(new Redirect(fd, null, dup));
                        i = j;
                        continue;
                    }
                    targetFd = fd;
                }
                case '|', ';', '&', '<', '(', ')', '$', '`' -> throw unsupported(String.valueOf(c));
                default -> {
                    cur.append(c);
                    if (c == '*' || c == '?' || c == '[') {
                        isGlob = true;
                    }
                    glob.append(c);
                    inWord = true;
                    i++;
                }
            }
        }
        if (targetFd >= 0) {
            throw new SyntaxError("sh: syntax error: unexpected newline");
        }
        return new Command(words, globs, redirects);
    }

    /** Appends quoted text: literal in the word, escaped in its glob pattern. */
    private static void quoted(StringBuilder cur, StringBuilder glob, String text) {
        cur.append(text);
        for (char ch : text.toCharArray()) {
            if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') {
                glob.append('\\');
            }
            glob.append(ch);
        }
    }

    private static Command badFd(int fd) throws SyntaxError {
        throw new SyntaxError("sh: " + fd + ": Bad file descriptor", 1);
    }

    private static SyntaxError unsupported(String what) {
        return new SyntaxError("sh: hotmem guest shell: '" + what + "' is outside the simple-command subset");
    }
}
