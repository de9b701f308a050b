package org.hotmem.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The kernel log ring buffer (kernel/printk/printk.c), timestamped with virtual time.
 *
 * <p>Invariants: records are numbered by a sequence number that only grows; the ring keeps the
 * newest {@link #capacity()} records (older ones are overwritten, as in the kernel's log_buf).
 * A multi-line message becomes one record per line, all with the same timestamp.
 * Guarded by the kernel's single-runner discipline: only the task holding the CPU (or the
 * driver when no task runs) prints, so no locking is needed.
 */
public final class Dmesg {
    /** One log line. */
    public record Record(long seq, long timeNs, LogLevel level, String text) {
        /** The line as {@code dmesg} prints it: {@code [    1.234567] text}. */
        public String line() { return Dmesg.format(timeNs, text); }
    }

    private final Kernel kernel;
    private final Record[] ring;
    private long nextSeq; // sequence number of the next record

    Dmesg(Kernel kernel, int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("dmesg capacity must be positive: " + capacity);
        this.kernel = kernel;
        this.ring = new Record[capacity];
    }

    public int capacity() { return ring.length; }

    /** Models printk(): one record per line of {@code text}, stamped with the virtual clock. */
    public void printk(LogLevel level, String text) {
        Objects.requireNonNull(level);
        long t = kernel.now();
        int start = 0;
        for (;;) {
            int nl = text.indexOf('\n', start);
            String line = nl < 0 ? text.substring(start) : text.substring(start, nl);
            ring[(int) (nextSeq % ring.length)] = new Record(nextSeq, t, level, line);
            nextSeq++;
            if (nl < 0 || nl == text.length() - 1) break;
            start = nl + 1;
        }
    }

    /**
     * Models pr_cont(): appends {@code text} to the newest record (the continuation of a line
     * printed without its newline), or starts a record when the log is empty.
     */
    public void amendLast(String text) {
        if (nextSeq == 0) {
            printk(LogLevel.INFO, text);
            return;
        }
        int i = (int) ((nextSeq - 1) % ring.length);
        Record r = ring[i];
        ring[i] = new Record(r.seq(), r.timeNs(), r.level(), r.text() + text);
    }

    /** pr_emerg(). */
    public void emerg(String text) { printk(LogLevel.EMERG, text); }
    /** pr_crit(). */
    public void crit(String text) { printk(LogLevel.CRIT, text); }
    /** pr_err(). */
    public void err(String text) { printk(LogLevel.ERR, text); }
    /** pr_warn(). */
    public void warn(String text) { printk(LogLevel.WARNING, text); }
    /** pr_notice(). */
    public void notice(String text) { printk(LogLevel.NOTICE, text); }
    /** pr_info(). */
    public void info(String text) { printk(LogLevel.INFO, text); }
    /** pr_debug(): always recorded, as with dynamic debug {@code +p}. */
    public void debug(String text) { printk(LogLevel.DEBUG, text); }

    /** Every retained record, oldest first. */
    public List<Record> records() { return recordsSince(0); }

    /** Every retained line, as {@code dmesg} prints them. */
    public List<String> lines() { return since(0); }

    /** A mark to pass to {@link #since(long)}: the sequence number of the next record. */
    public long mark() { return nextSeq; }

    /** The lines printed since {@code mark} (those still in the ring), oldest first. */
    public List<String> since(long mark) {
        List<Record> rs = recordsSince(mark);
        List<String> out = new ArrayList<>(rs.size());
        for (Record r : rs) out.add(r.line());
        return out;
    }

    /** The records printed since {@code mark} (those still in the ring), oldest first. */
    public List<Record> recordsSince(long mark) {
        long first = Math.max(mark, Math.max(0, nextSeq - ring.length));
        List<Record> out = new ArrayList<>((int) Math.max(0, nextSeq - first));
        for (long s = first; s < nextSeq; s++) out.add(ring[(int) (s % ring.length)]);
        return out;
    }

    /** The whole retained log as one string, one line per record, each ending in '\n'. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (String l : lines()) sb.append(l).append('\n');
        return sb.toString();
    }

    /** Formats a timestamp and text as the kernel prints them: {@code [    1.234567] text}. */
    public static String format(long timeNs, String text) {
        return timestamp(timeNs) + " " + text;
    }

    /** {@code [    1.234567]}: seconds right-aligned in five columns, then microseconds. */
    public static String timestamp(long timeNs) {
        long us = timeNs / 1000;
        return String.format("[%5d.%06d]", us / 1_000_000, us % 1_000_000);
    }
}
