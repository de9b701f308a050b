package org.hotmem.conformance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import org.hotmem.hv.QmpMonitor;

/**
 * An interactive session on a booted target, like the recording harness's console: a
 * {@code # } prompt reads guest commands (the busybox subset of {@link BusyboxSh}), and
 * host commands {@code qmp EXECUTE [{json}]} and {@code sleep SECONDS}; {@code exit} or end of
 * input ends it. After each line the kernel log lines printed meanwhile are shown as the
 * serial console shows them, then the output, then any QMP events as JSON.
 *
 * <p>Invariant: holds no state but its final collaborators; one session per target, run by
 * one thread.
 */
public final class InteractiveShell {
    private final ConformanceTarget target;
    private final GuestShell shell;
    private final PrintStream out;

    public InteractiveShell(ConformanceTarget target, PrintStream out) {
        this.target = target;
        this.shell = new GuestShell(target.kernel(), target.fs(), target.power());
        this.out = out;
    }

    /** Reads and runs lines until {@code exit} or end of input; returns the last guest command's exit status. */
    public int run(BufferedReader in) {
        int rc = 0;
        flush();
        try {
            while (true) {
                out.print("# ");
                out.flush();
                String line = in.readLine();
                if (line == null) {
                    out.println();
                    return rc;
                }
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                if (l.equals("exit") || l.equals("quit")) {
                    return rc;
                }
                rc = execute(l, rc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one line; returns the new "last exit status". */
    int execute(String l, int rc) {
        if (l.equals("qmp") || l.startsWith("qmp ")) {
            qmp(l.substring(3).strip());
            return rc;
        }
        if (l.equals("sleep") || l.startsWith("sleep ")) {
            long ns;
            try {
                ns = sleepNs(l.substring(5).strip().split("\\s+"));
            } catch (IllegalArgumentException e) {
                out.println(e.getMessage());
                return 1;
            }
            target.runFor(ns);
            flush();
            return 0;
        }
        GuestShell.Outcome o = shell.run(l);
        flushKernelLog();
        if (o.timedOut()) {
            out.println("(no result after " + GuestShell.GUEST_TIMEOUT_NS / 1_000_000_000L + " s of virtual time)");
            flushEvents();
            return 1;
        }
        out.print(o.result().output());
        flushEvents();
        return o.result().rc();
    }

    /**
     * busybox 1.35 sleep's arguments (parse_duration_str() with FLOAT_DURATION): each a
     * non-negative integer or decimal with an optional suffix s, m, h or d; the sum is slept.
     * Errors carry busybox's text ({@code sleep: invalid number '-1'}).
     */
    static long sleepNs(String[] args) {
        if (args.length == 0 || args[0].isEmpty()) {
            throw new IllegalArgumentException("usage: sleep seconds");
        }
        BigDecimal total = BigDecimal.ZERO;
        for (String a : args) {
            if (a.equals("inf") || a.equals("infinity")) {
                throw new IllegalArgumentException("sleep: hotmem: an endless sleep never returns to the prompt");
            }
            String num = a;
            long mul = 1;
            if (!a.isEmpty() && "smhd".indexOf(a.charAt(a.length() - 1)) >= 0) {
                mul = switch (a.charAt(a.length() - 1)) {
                    case 'm' -> 60;
                    case 'h' -> 3600;
                    case 'd' -> 86400;
                    default -> 1;
                };
                num = a.substring(0, a.length() - 1);
            }
            if (!num.matches("[0-9]+(\\.[0-9]*)?|\\.[0-9]+")) {
                throw new IllegalArgumentException("sleep: invalid number '" + a + "'");
            }
            if (!num.contains(".") && new java.math.BigInteger(num).bitLength() > 64) {
                throw new IllegalArgumentException("sleep: number " + a + " is not in 0..18446744073709551615 range");
            }
            total = total.add(new BigDecimal(num).multiply(BigDecimal.valueOf(mul)));
        }
        BigDecimal ns = total.movePointRight(9);
        return ns.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : ns.longValue();
    }

    /**
     * {@code qmp EXECUTE [ARGS]} sends {@code {"execute": EXECUTE, "arguments": ARGS}} with ARGS
     * as typed; {@code qmp {...}} sends the text itself. QEMU's monitor reads it, so malformed
     * JSON gets QEMU's parse error and text after the first value is the next request.
     */
    private void qmp(String rest) {
        if (rest.isEmpty()) {
            out.println("usage: qmp EXECUTE [{JSON arguments}] | qmp {QMP request}");
            return;
        }
        String text;
        if (rest.startsWith("{")) {
            text = rest;
        } else {
            int sp = rest.indexOf(' ');
            text = QmpMonitor.request(sp < 0 ? rest : rest.substring(0, sp), sp < 0 ? "" : rest.substring(sp).strip());
        }
        List<ObjectNode> replies = target.qmpText(text);
        flushKernelLog();
        replies.forEach(r -> out.println(PyJson.dumps(r)));
        flushEvents();
    }

    private void flush() {
        flushKernelLog();
        flushEvents();
    }

    private void flushKernelLog() {
        for (String k : target.drainKernelLog()) {
            out.println(k);
        }
    }

    private void flushEvents() {
        for (ObjectNode e : target.drainEvents()) {
            out.println(PyJson.dumps(e));
        }
    }
}
