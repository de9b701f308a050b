package org.hotmem.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The record of a run's scheduling: the context switches (time, pid switched to, reason) and
 * the schedule (the pid chosen at each decision where more than one task was runnable).
 *
 * <p>Stored compactly in primitive arrays; {@link #text()} renders the switches, one per line,
 * and {@link #scheduleText()} the schedule in the format {@link SchedulingStrategy#replay(Path)}
 * reads. Guarded by the kernel's single-runner discipline.
 */
public final class ScheduleTrace {
    /** Why the previous task gave up the CPU. */
    public static final byte START = 0, PREEMPT = 1, BLOCK = 2, EXIT = 3;
    private static final String[] REASONS = {"start", "preempt", "block", "exit"};

    private final Kernel kernel;
    private long[] times = new long[256];
    private int[] pids = new int[256];
    private byte[] reasons = new byte[256];
    private int switches;
    private int[] schedule = new int[256];
    private int decisions;
    private boolean enabled = true;

    ScheduleTrace(Kernel kernel) { this.kernel = kernel; }

    /** Stops (or resumes) recording switches; the schedule (decisions) is always recorded. */
    public void setSwitchesRecorded(boolean on) { enabled = on; }

    void recordSwitch(long time, int pid, byte reason) {
        if (!enabled) return;
        if (switches == pids.length) {
            int cap = switches * 2;
            times = Arrays.copyOf(times, cap);
            pids = Arrays.copyOf(pids, cap);
            reasons = Arrays.copyOf(reasons, cap);
        }
        times[switches] = time;
        pids[switches] = pid;
        reasons[switches] = reason;
        switches++;
    }

    void recordDecision(int pid) {
        if (decisions == schedule.length) schedule = Arrays.copyOf(schedule, decisions * 2);
        schedule[decisions++] = pid;
    }

    /** How many context switches were recorded. */
    public int switches() { return switches; }
    /** Virtual time of switch {@code i}. */
    public long timeNs(int i) { return times[check(i)]; }
    /** Pid switched to at switch {@code i}. */
    public int pid(int i) { return pids[check(i)]; }
    /** Why the previous task left the CPU at switch {@code i} ({@link #START}, ...). */
    public byte reason(int i) { return reasons[check(i)]; }
    /** The name of a reason code. */
    public static String reasonName(byte reason) { return REASONS[reason]; }

    /** The pids chosen at each decision, in order (the replayable schedule). */
    public int[] schedule() { return Arrays.copyOf(schedule, decisions); }

    /** How many decisions were made. */
    public int decisions() { return decisions; }

    /**
     * The switches, one line each: {@code [    0.000000] -> pid name (reason)} where reason
     * says why the previous task left the CPU.
     */
    public String text() {
        StringBuilder sb = new StringBuilder(switches * 40);
        for (int i = 0; i < switches; i++) {
            Task t = kernel.task(pids[i]);
            sb.append(Dmesg.timestamp(times[i])).append(" -> ").append(pids[i]).append(' ')
              .append(t == null ? "?" : t.name).append(" (").append(REASONS[reasons[i]]).append(")\n");
        }
        return sb.toString();
    }

    /** The schedule as text: one chosen pid per line. */
    public String scheduleText() {
        StringBuilder sb = new StringBuilder(decisions * 3);
        for (int i = 0; i < decisions; i++) sb.append(schedule[i]).append('\n');
        return sb.toString();
    }

    /** Writes {@link #scheduleText()} to a file. */
    public void writeSchedule(Path file) {
        try {
            Files.writeString(file, scheduleText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int check(int i) {
        if (i < 0 || i >= switches) throw new IndexOutOfBoundsException("switch " + i + " of " + switches);
        return i;
    }
}
