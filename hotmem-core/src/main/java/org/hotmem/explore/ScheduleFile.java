package org.hotmem.explore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.hotmem.scenario.ScenarioException;

/**
 * A schedule file: which race (path and SHA-256 of its text), the switch, where the schedule
 * came from (seed and index), the violation it shows, each actor's delay, then the pid chosen
 * at each decision after the actors started (one a line, as {@code ScheduleTrace#scheduleText}).
 *
 * <pre>
 * # hotmem explore schedule: ./hotmem replay FILE
 * race: races/000-hibernation-hotplug.yaml
 * sha256: 3f...
 * historical: true
 * seed: 1
 * index: 7
 * violation: FORBIDDEN outcome: hib=image-incomplete, plug=ok
 * delays: 0 41233001
 * schedule:
 * 51
 * </pre>
 */
public record ScheduleFile(String race, String sha256, boolean historical, long seed, long index, String violation,
                           long[] delays, int[] pids) {

    public String text() {
        StringBuilder sb = new StringBuilder("# hotmem explore schedule: ./hotmem replay FILE\n");
        sb.append("race: ").append(race).append('\n');
        sb.append("sha256: ").append(sha256).append('\n');
        sb.append("historical: ").append(historical).append('\n');
        sb.append("seed: ").append(seed).append('\n');
        sb.append("index: ").append(index).append('\n');
        sb.append("violation: ").append(violation.lines().findFirst().orElse("")).append('\n');
        sb.append("delays:");
        for (long d : delays) sb.append(' ').append(d);
        sb.append("\nschedule:\n");
        for (int p : pids) sb.append(p).append('\n');
        return sb.toString();
    }

    public static ScheduleFile parse(String file, String text) {
        String[] keys = {"race", "sha256", "historical", "seed", "index", "violation", "delays", "schedule"};
        String[] values = new String[keys.length];
        List<String> lines = text.lines().toList();
        int k = 0;
        int i = 0;
        for (; i < lines.size() && k < keys.length; i++) {
            String l = lines.get(i);
            if (l.startsWith("#") || l.isBlank()) continue;
            String want = keys[k] + ":";
            if (!l.startsWith(want)) throw new ScenarioException(file, i + 1, 1, "expected \"" + want + "\", found \"" + l + "\"");
            values[k++] = l.substring(want.length()).strip();
        }
        if (k < keys.length) throw new ScenarioException(file, lines.size(), 0, "expected \"" + keys[k] + ":\", the file ended");
        try {
            String[] ds = values[6].isEmpty() ? new String[0] : values[6].split(" ");
            long[] delays = new long[ds.length];
            for (int j = 0; j < ds.length; j++) delays[j] = Long.parseLong(ds[j]);
            List<Integer> pids = new ArrayList<>();
            for (; i < lines.size(); i++) {
                String l = lines.get(i).strip();
                if (l.isEmpty()) continue;
                try {
                    pids.add(Integer.parseInt(l));
                } catch (NumberFormatException e) {
                    throw new ScenarioException(file, i + 1, 1, "expected a pid (a decimal number), found \"" + l + "\"");
                }
            }
            return new ScheduleFile(values[0], values[1], Boolean.parseBoolean(values[2]), Long.parseLong(values[3]),
                    Long.parseLong(values[4]), values[5], delays, pids.stream().mapToInt(Integer::intValue).toArray());
        } catch (NumberFormatException e) {
            throw new ScenarioException(file, 0, 0, "expected numbers for seed, index and delays: " + e.getMessage());
        }
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
