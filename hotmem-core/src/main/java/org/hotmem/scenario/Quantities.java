package org.hotmem.scenario;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes, durations and rates as people write them. Sizes follow QEMU's {@code -m} convention: the
 * suffixes K, M, G, T (also KB/KiB, MB/MiB, ...) are powers of 1024; a bare number is bytes.
 * Durations need a unit: ns, us, ms, s, m (or min), h. Rates are a size per second ({@code 1G/s}).
 * Everything is exact integer arithmetic (bytes, nanoseconds), except fractional inputs
 * ({@code 1.5G}), which are rounded down to a whole byte or nanosecond.
 */
public final class Quantities {
    private static final Pattern SIZE = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|sec|min|s|m|h)(?![a-z])", Pattern.CASE_INSENSITIVE);
    public static final long NS_PER_SEC = 1_000_000_000L;

    private Quantities() {}

    /** Parses a size; returns -1 for text that is not one, {@link #OUT_OF_RANGE} for one of 2^63 bytes or more. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) return -1;
        long mult = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 1L;
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            default -> 1L << 50;
        };
        return exact(new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(mult)));
    }

    /** A whole number of bytes or nanoseconds (rounded down); -2 when it does not fit in 63 bits. */
    private static long exact(java.math.BigDecimal v) {
        java.math.BigInteger b = v.toBigInteger();
        return b.bitLength() < 63 ? b.longValue() : OUT_OF_RANGE;
    }

    /** What {@link #parseSize} and {@link #parseDuration} return for a value too large to hold. */
    static final long OUT_OF_RANGE = -2;

    /**
     * Parses a duration to nanoseconds ({@code 90s}, {@code 1.5h}, {@code 2m10s}); returns -1 for
     * text that is not one, {@link #OUT_OF_RANGE} for one of 2^63 ns (292 years) or more.
     */
    public static long parseDuration(String text) {
        String t = text.trim();
        if (t.isEmpty()) return -1;
        Matcher m = DURATION.matcher(t);
        long total = 0;
        int pos = 0;
        while (pos < t.length()) {
            if (!m.find(pos) || m.start() != pos) return -1;
            long mult = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s", "sec" -> NS_PER_SEC;
                case "m", "min" -> 60 * NS_PER_SEC;
                default -> 3600 * NS_PER_SEC;
            };
            long part = exact(new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(mult)));
            if (part < 0 || total + part < 0) return OUT_OF_RANGE;
            total += part;
            pos = m.end();
        }
        return total;
    }

    /** The virtual-time budget of a scenario: no time in it may lie further than this (a year). */
    public static final long MAX_TIME_NS = 366L * 86400 * NS_PER_SEC;

    static long size(Node n) {
        long v = n.isScalar() ? parseSize(n.text()) : -1;
        if (v == OUT_OF_RANGE) throw n.error("expected a size below 8E (2^63 bytes), got " + n.describe());
        if (v < 0) throw n.error("expected a size like 512M, 8G or 4096 (bytes), got " + n.describe());
        return v;
    }

    static long duration(Node n) {
        long v = n.isScalar() ? parseDuration(n.text()) : -1;
        if (v == OUT_OF_RANGE || v > MAX_TIME_NS) {
            throw n.error("expected a duration within the virtual-time budget of 366 days, got " + n.describe());
        }
        if (v < 0) throw n.error("expected a duration with a unit like 500ms, 30s, 10m or 1h, got " + n.describe());
        return v;
    }

    /** A rate {@code SIZE/s}, in bytes per second. */
    static long rate(Node n) {
        if (n.isScalar()) {
            String t = n.text().trim();
            if (t.endsWith("/s")) {
                long v = parseSize(t.substring(0, t.length() - 2));
                if (v > 0) return v;
            }
        }
        throw n.error("expected a rate like 256M/s, got " + n.describe());
    }

    /** A fraction written as {@code 2%} or {@code 0.02}. */
    static double fraction(Node n) {
        if (n.isScalar()) {
            String t = n.text().trim();
            try {
                double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100
                        : Double.parseDouble(t);
                if (v >= 0 && v <= 1) return v;
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
        }
        throw n.error("expected a fraction between 0 and 1, like 2% or 0.02, got " + n.describe());
    }

    /** Formats bytes the way free(1) -h and QEMU would: 24G, 512M, 4K, 1536M. */
    public static String formatSize(long bytes) {
        String[] units = {"", "K", "M", "G", "T", "P"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        if (u == 0 && bytes >= 1024) {
            return String.format(Locale.ROOT, "%.1fK", bytes / 1024.0);
        }
        return v + units[u];
    }

    /** Formats virtual nanoseconds as seconds with microsecond precision: {@code 3600.000125}. */
    public static String formatSeconds(long ns) {
        return String.format(Locale.ROOT, "%d.%06d", ns / NS_PER_SEC, (ns % NS_PER_SEC) / 1000);
    }

    /** A short human duration: 42ms, 1.5s, 10m, 1h. */
    public static String formatDuration(long ns) {
        if (ns < 1_000) return ns + "ns";
        if (ns < 1_000_000) return trim(ns / 1e3) + "us";
        if (ns < NS_PER_SEC) return trim(ns / 1e6) + "ms";
        if (ns < 60 * NS_PER_SEC) return trim(ns / 1e9) + "s";
        if (ns < 3600 * NS_PER_SEC) return trim(ns / 6e10) + "m";
        return trim(ns / 3.6e12) + "h";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
