package org.hotmem.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the {@code .scn} format of the recorder (linux-recorder's run-scenario): header lines
 * {@code memory:}, {@code cmdline:}, {@code qemu:} (e.g. {@code -drive file={run}/swap.img,...};
 * {@code {run}} is the run directory), {@code prepare:} (a host command before the first boot),
 * {@code timeout:} (the default per-step timeout), {@code machine: pc}, {@code smp: 1},
 * {@code name:}; step lines {@code note:}, {@code guest [N]:}, {@code guest-async:},
 * {@code wait N:}, {@code qmp: EXECUTE {json}}, {@code event N:}, {@code sleep: N},
 * {@code expect-exit [N]:}, {@code restart [N]:}, {@code restart-with-qemu [N]: ARGS}; a line
 * ending in a backslash continues on the next one (backslash and newline are kept, as sh reads
 * them); empty lines and lines starting with {@code #} are ignored. The recorder's
 * {@code host:} step (an arbitrary host command with recorded output) and other machines or
 * CPU counts are refused with a message saying so. A malformed line raises
 * {@link ScnFormatException} naming file, line and what was expected; nothing is returned
 * then. Without {@code timeout:}, {@code wait}/{@code event}/{@code expect-exit}/{@code restart}
 * default to {@value #DEFAULT_TIMEOUT_NS} ns and guest commands to {@link GuestShell#GUEST_TIMEOUT_NS}.
 */
public final class ScnParser {
    /** Timeout of {@code wait:}/{@code event:} lines written without a number. */
    public static final long DEFAULT_TIMEOUT_NS = 60_000_000_000L;

    private static final Pattern LINE = Pattern.compile("([a-z][a-z-]*)(?: +([0-9]{1,6}(?:\\.[0-9]{1,9})?))?:(.*)", Pattern.DOTALL);
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,6}(?:\\.[0-9]{1,9})?");
    private static final String EXPECTED = "expected 'memory:', 'cmdline:', 'qemu:', 'prepare:', 'timeout:', 'note:', "
            + "'guest:', 'guest-async:', 'wait N:', 'qmp:', 'event N:', 'sleep:', 'expect-exit N:', 'restart N:' "
            + "or 'restart-with-qemu N:'";
    /** The keywords that take a timeout ({@code KEYWORD N:}). */
    private static final java.util.Set<String> TIMED = java.util.Set.of("guest", "wait", "event", "expect-exit", "restart",
            "restart-with-qemu");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScnParser() {
    }

    /** Parses a scenario file; the scenario's name is the file name without {@code .scn}. */
    public static ScnScript parse(Path file) {
        try {
            String name = file.getFileName().toString();
            return parse(name, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scenario " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses scenario text. {@code fileName} is used in error messages and, without a
     * {@code .scn} suffix, as the scenario name.
     */
    public static ScnScript parse(String fileName, String text) {
        String memory = null;
        StringBuilder cmdline = new StringBuilder();
        List<String> qemu = new ArrayList<>();
        List<String> prepare = new ArrayList<>();
        List<ScnStep> steps = new ArrayList<>();
        long defaultTimeout = 0; // none: the per-kind defaults
        String[] lines = text.split("\n", -1);
        int count = text.endsWith("\n") ? lines.length - 1 : lines.length;
        for (int i = 0; i < count; i++) {
            int lineNo = i + 1;
            String raw = stripCr(lines[i]);
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            while (raw.endsWith("\\") && i + 1 < count) {
                raw = raw + "\n" + stripCr(lines[++i]);
            }
            Matcher m = LINE.matcher(raw);
            if (!m.matches()) {
                throw new ScnFormatException(fileName, lineNo, EXPECTED + ", got '" + raw + "'");
            }
            String keyword = m.group(1);
            String number = m.group(2);
            String arg = m.group(3);
            if (arg.startsWith(" ")) {
                arg = arg.substring(1);
            }
            if (number != null && !TIMED.contains(keyword)) {
                throw new ScnFormatException(fileName, lineNo, "'" + keyword + "' takes no timeout (only 'guest N:', "
                        + "'wait N:', 'event N:', 'expect-exit N:', 'restart N:' and 'restart-with-qemu N:' do), got '" + raw + "'");
            }
            int stepNo = steps.size() + 1;
            switch (keyword) {
                case "memory" -> {
                    if (memory != null) {
                        throw new ScnFormatException(fileName, lineNo, "expected one 'memory:' line, got a second one");
                    }
                    memory = requireText(fileName, lineNo, keyword, arg, "a QEMU -m value such as 4G,slots=8,maxmem=16G").trim();
                }
                case "cmdline" -> {
                    String c = requireText(fileName, lineNo, keyword, arg, "kernel command-line parameters").trim();
                    if (!cmdline.isEmpty()) {
                        cmdline.append(' ');
                    }
                    cmdline.append(c);
                }
                case "qemu" -> {
                    String q = requireText(fileName, lineNo, keyword, arg, "QEMU arguments").trim();
                    qemu.addAll(qemuWords(q));
                }
                case "prepare" -> prepare.add(requireText(fileName, lineNo, keyword, arg, "a host command").trim());
                case "timeout" -> {
                    String t = arg.trim();
                    if (!NUMBER.matcher(t).matches()) {
                        throw new ScnFormatException(fileName, lineNo, "expected 'timeout: SECONDS', got '" + raw + "'");
                    }
                    defaultTimeout = seconds(t);
                }
                case "machine" -> {
                    if (!arg.trim().equals("pc")) {
                        throw new ScnFormatException(fileName, lineNo,
                                "hotmem models QEMU's pc machine only, got 'machine: " + arg.trim() + "'");
                    }
                }
                case "smp" -> {
                    if (!arg.trim().equals("1")) {
                        throw new ScnFormatException(fileName, lineNo,
                                "hotmem models one CPU (the recordings' -smp 1), got 'smp: " + arg.trim() + "'");
                    }
                }
                case "name" -> { }
                case "host" -> throw new ScnFormatException(fileName, lineNo, "'host:' (a host shell command of the"
                        + " recorder, its output recorded) is not modelled here");
                case "guest-async" -> {
                    requireText(fileName, lineNo, keyword, arg, "a guest command");
                    steps.add(new ScnStep(stepNo, lineNo, StepKind.GUEST_ASYNC, arg, 0, null, null));
                }
                case "expect-exit", "restart" -> {
                    if (!arg.isBlank()) {
                        throw new ScnFormatException(fileName, lineNo, "expected '" + keyword + " N:' with nothing after the"
                                + " colon, got '" + raw + "'");
                    }
                    StepKind k = keyword.equals("restart") ? StepKind.RESTART : StepKind.EXPECT_EXIT;
                    steps.add(new ScnStep(stepNo, lineNo, k, arg, timeout(number, defaultTimeout), null, null));
                }
                case "restart-with-qemu" ->
                        steps.add(new ScnStep(stepNo, lineNo, StepKind.RESTART_WITH_QEMU, arg, timeout(number, defaultTimeout), null, null));
                case "note" -> steps.add(new ScnStep(stepNo, lineNo, StepKind.NOTE, arg, 0, null, null));
                case "guest" -> {
                    requireText(fileName, lineNo, keyword, arg, "a guest command");
                    steps.add(new ScnStep(stepNo, lineNo, StepKind.GUEST, arg, guestTimeout(number, defaultTimeout), null, null));
                }
                case "wait" -> {
                    requireText(fileName, lineNo, keyword, arg, "a guest command such as 'test -e PATH'");
                    steps.add(new ScnStep(stepNo, lineNo, StepKind.WAIT, arg, timeout(number, defaultTimeout), null, null));
                }
                case "event" -> {
                    String name = arg.trim();
                    if (name.isEmpty() || name.contains(" ")) {
                        throw new ScnFormatException(fileName, lineNo, "expected 'event N: EVENT_NAME', got '" + raw + "'");
                    }
                    steps.add(new ScnStep(stepNo, lineNo, StepKind.EVENT, arg, timeout(number, defaultTimeout), null, null));
                }
                case "sleep" -> {
                    if (!NUMBER.matcher(arg.trim()).matches()) {
                        throw new ScnFormatException(fileName, lineNo, "expected 'sleep: SECONDS', got '" + raw + "'");
                    }
                    steps.add(new ScnStep(stepNo, lineNo, StepKind.SLEEP, arg, seconds(arg.trim()), null, null));
                }
                case "qmp" -> steps.add(qmp(fileName, lineNo, stepNo, arg, raw));
                default -> throw new ScnFormatException(fileName, lineNo, EXPECTED + ", got '" + raw + "'");
            }
        }
        String name = fileName.endsWith(".scn") ? fileName.substring(0, fileName.length() - 4) : fileName;
        int slash = name.lastIndexOf('/');
        name = name.substring(slash + 1);
        return new ScnScript(name, memory == null ? ScnScript.DEFAULT_MEMORY : memory, cmdline.toString(), qemu, prepare, steps);
    }

    /** QEMU arguments of a {@code qemu:} or {@code restart-with-qemu:} line: split at blanks (none for a blank line). */
    public static List<String> qemuWords(String text) {
        String t = text.trim();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    private static ScnStep qmp(String file, int lineNo, int stepNo, String arg, String raw) {
        String a = arg.trim();
        int sp = indexOfBlank(a);
        String execute = sp < 0 ? a : a.substring(0, sp);
        String rest = sp < 0 ? "" : a.substring(sp).trim();
        if (execute.isEmpty() || execute.startsWith("{")) {
            throw new ScnFormatException(file, lineNo, "expected 'qmp: EXECUTE [{JSON arguments}]', got '" + raw + "'");
        }
        ObjectNode args = null;
        if (!rest.isEmpty()) {
            JsonNode n;
            try {
                n = JSON.readTree(rest);
            } catch (JsonProcessingException e) {
                throw new ScnFormatException(file, lineNo,
                        "expected a JSON object of arguments after '" + execute + "': " + e.getOriginalMessage());
            }
            if (!(n instanceof ObjectNode o)) {
                throw new ScnFormatException(file, lineNo,
                        "expected a JSON object of arguments after '" + execute + "', got '" + rest + "'");
            }
            args = o;
        }
        return new ScnStep(stepNo, lineNo, StepKind.QMP, arg, 0, execute, args);
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String requireText(String file, int lineNo, String keyword, String arg, String what) {
        if (arg.isBlank()) {
            throw new ScnFormatException(file, lineNo, "expected " + what + " after '" + keyword + ":'");
        }
        return arg;
    }

    /** A wait/event step's timeout: its number, else the {@code timeout:} header, else {@link #DEFAULT_TIMEOUT_NS}. */
    private static long timeout(String number, long header) {
        return number != null ? seconds(number) : header > 0 ? header : DEFAULT_TIMEOUT_NS;
    }

    /** A guest step's timeout: its number, else the {@code timeout:} header, else {@link GuestShell#GUEST_TIMEOUT_NS}. */
    private static long guestTimeout(String number, long header) {
        return number != null ? seconds(number) : header > 0 ? header : GuestShell.GUEST_TIMEOUT_NS;
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static long seconds(String number) {
        return new BigDecimal(number).movePointRight(9).longValueExact();
    }
}
