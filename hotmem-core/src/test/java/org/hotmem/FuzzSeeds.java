package org.hotmem;

import java.util.SplittableRandom;

/**
 * The seeds and sizes of the bad-input fuzzers (our own generators, no framework). CI runs a
 * fixed number of cases from a fixed base seed; {@code -Dhotmem.fuzz.seed=N} replays a base seed
 * (each failure message names it), {@code -Dhotmem.fuzz.cases=N} runs N cases per fuzzer, and
 * {@code -Dhotmem.fuzz.random=true} draws the base seed from the clock (printed) for longer
 * exploratory runs.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {
    }

    /** The base seed of this run: the property, a clock-drawn one (random=true), else {@code dflt}. */
    public static long base(long dflt) {
        String s = System.getProperty("hotmem.fuzz.seed");
        if (s != null) {
            return Long.parseLong(s);
        }
        if (Boolean.getBoolean("hotmem.fuzz.random")) {
            long seed = System.nanoTime();
            System.out.println("hotmem fuzz: random base seed " + seed + " (replay with -Dhotmem.fuzz.seed=" + seed + ")");
            return seed;
        }
        return dflt;
    }

    /** The number of cases of a fuzzer: the property, else the CI default. */
    public static int cases(int ciDefault) {
        return Integer.getInteger("hotmem.fuzz.cases", ciDefault);
    }

    /** The generator of one case. */
    public static SplittableRandom random(long base, int caseNo) {
        return new SplittableRandom(base * 0x9E3779B97F4A7C15L + caseNo);
    }

    /** The prefix of every failure message: how to replay it. */
    public static String replay(String fuzzer, long base, int caseNo) {
        return fuzzer + " case " + caseNo + " (base seed " + base + ", replay: -Dhotmem.fuzz.seed=" + base + "): ";
    }

    /** One of the value classes of a malformed number or word. */
    public static String badValue(SplittableRandom r) {
        String[] words = {"online", "offline", "online_movable", "online_kernel", "add", "change", "contig-zones",
                "auto-movable", "1", "0", "y", "N", "on", "off", "301", "0x10", "010"};
        String w = words[r.nextInt(words.length)];
        return switch (r.nextInt(12)) {
            case 0 -> "";
            case 1 -> " \t".repeat(r.nextInt(3) + 1);
            case 2 -> (r.nextBoolean() ? "+" : "-") + w;
            case 3 -> "0x" + Long.toHexString(r.nextLong());
            case 4 -> "0" + Long.toOctalString(r.nextLong() >>> 1);
            case 5 -> "1" + "0".repeat(r.nextInt(30));
            case 6 -> "9".repeat(r.nextInt(25) + 1) + (r.nextBoolean() ? "x" : "");
            case 7 -> w.repeat(r.nextInt(600) + 1);
            case 8 -> w + "\0" + w;
            case 9 -> w + (char) r.nextInt(0x20) + "junk";
            case 10 -> w + "\n\n";
            default -> w + " " + w;
        };
    }
}
