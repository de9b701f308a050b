package org.hotmem.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The kernel's e820_table (arch/x86/kernel/e820.c) as far as the boot options change it: the
 * firmware map plus the user's {@code memmap=} ranges (parse_memmap_one(): {@code nn@ss} usable,
 * {@code nn#ss} ACPI data, {@code nn$ss} reserved, {@code nn!ss} persistent memory, type 12),
 * merged as e820__update_table() does: where entries overlap the larger type wins, adjacent
 * entries of one type become one, and holes stay holes.
 *
 * <p>Model: the other forms of memmap= ({@code exactmap}, a bare size, {@code nn%ss-t+n}) are
 * not modelled and are ignored, as Linux ignores a malformed one.
 *
 * <p>Immutable; no locking.
 */
public final class E820Table {
    private E820Table() {
    }

    /** The user ranges of every {@code memmap=} word of a command line, in order. */
    public static List<E820Entry> parseMemmap(List<String> words) {
        List<E820Entry> out = new ArrayList<>();
        for (String w : words) {
            if (!w.startsWith("memmap=")) {
                continue;
            }
            for (String one : w.substring("memmap=".length()).split(",")) {
                E820Entry e = parseOne(one);
                if (e != null) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** Models parse_memmap_one(): "SIZE{@,#,$,!}START" with memparse() sizes; null for anything else. */
    private static E820Entry parseOne(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            E820Type t = switch (c) {
                case '@' -> E820Type.USABLE;
                case '#' -> E820Type.ACPI;
                case '$' -> E820Type.RESERVED;
                case '!' -> E820Type.PRAM;
                default -> null;
            };
            if (t != null) {
                long size = memparse(s.substring(0, i));
                long start = memparse(s.substring(i + 1));
                return size > 0 && start >= 0 ? new E820Entry(start, size, t) : null;
            }
        }
        return null;
    }

    /** Models memparse() in lib/cmdline.c: a number (0x hex, 0 octal, decimal) with an optional K/M/G/T/P/E suffix; -1 if malformed. */
    static long memparse(String s) {
        int end = s.length();
        int shift = 0;
        if (end > 0) {
            switch (Character.toUpperCase(s.charAt(end - 1))) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                case 'P' -> shift = 50;
                case 'E' -> shift = 60;
                default -> { }
            }
        }
        String num = shift == 0 ? s : s.substring(0, end - 1);
        try {
            long v;
            if (num.startsWith("0x") || num.startsWith("0X")) {
                v = Long.parseUnsignedLong(num.substring(2), 16);
            } else if (num.length() > 1 && num.startsWith("0")) {
                v = Long.parseLong(num.substring(1), 8);
            } else {
                v = Long.parseLong(num);
            }
            return v << shift;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Models e820__range_add() of each user range followed by e820__update_table(): the
     * resulting table, sorted by address.
     */
    public static List<E820Entry> apply(List<E820Entry> firmware, List<E820Entry> user) {
        List<E820Entry> all = new ArrayList<>(firmware);
        all.addAll(user);
        TreeSet<Long> points = new TreeSet<>();
        for (E820Entry e : all) {
            points.add(e.addr());
            points.add(e.end());
        }
        List<E820Entry> out = new ArrayList<>();
        Long prev = null;
        for (long p : points) {
            if (prev != null) {
                E820Type best = null;
                for (E820Entry e : all) {
                    if (e.addr() <= prev && e.end() >= p && (best == null || e.type().value() > best.value())) {
                        best = e.type();
                    }
                }
                if (best != null) {
                    E820Entry last = out.isEmpty() ? null : out.get(out.size() - 1);
                    if (last != null && last.type() == best && last.end() == prev) {
                        out.set(out.size() - 1, new E820Entry(last.addr(), p - last.addr(), best));
                    } else {
                        out.add(new E820Entry(prev, p - prev, best));
                    }
                }
            }
            prev = p;
        }
        return out;
    }
}
