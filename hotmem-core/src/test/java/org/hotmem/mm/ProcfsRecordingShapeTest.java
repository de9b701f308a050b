package org.hotmem.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hotmem.kernel.Kernel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Compares every mm text file with the recording of a real 4 GiB QEMU guest
 * (docs/recordings/VERSION/procfs-formats.txt) line by line in shape: the same keys in the
 * same order and the same column layout. Numbers may differ where the model's state differs
 * from the recorded run's, except those that follow from the boot layout alone (MemTotal,
 * spanned/present/managed, the headers, the empty zones).
 */
class ProcfsRecordingShapeTest {
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern PADDED_NUMBER = Pattern.compile(" *\\d+");

    private static MemoryModel boot(KernelVersion v) {
        return MemoryModel.boot(BootE820.pc4G(), new MmBootOptions(false, -1), v, Kernel.withSeed(1), null);
    }

    /** The output lines of each command of the recording, by command. */
    static Map<String, List<String>> recording(KernelVersion v) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        Path p = null;
        for (Path d = root; d != null; d = d.getParent()) {
            Path c = d.resolve("docs/recordings/" + v.text() + "/procfs-formats.txt");
            if (Files.exists(c)) {
                p = c;
                break;
            }
        }
        if (p == null) {
            throw new IOException("docs/recordings/" + v.text() + "/procfs-formats.txt not found above " + root);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> cur = null;
        for (String l : Files.readAllLines(p)) {
            if (l.startsWith("$ ")) {
                cur = new ArrayList<>();
                out.put(l.substring(2), cur);
            } else if (cur != null && (l.startsWith("[exit") || l.equals("  [kernel log]"))) {
                cur = null;
            } else if (cur != null && l.startsWith("  ")) {
                cur.add(l.substring(2));
            } else if (cur != null && l.isEmpty()) {
                cur.add("");
            }
        }
        return out;
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
        assertEquals("", out.removeLast(), "output ends with a newline");
        return out;
    }

    /** The line with every number and the blanks before it replaced by " #" (columns are checked apart). */
    private static String skeleton(String l) {
        return PADDED_NUMBER.matcher(l).replaceAll(" #");
    }

    private static List<Integer> ends(String l) {
        List<Integer> out = new ArrayList<>();
        Matcher m = DIGITS.matcher(l);
        while (m.find()) {
            out.add(m.end());
        }
        return out;
    }

    private static int firstDigit(String l) {
        Matcher m = DIGITS.matcher(l);
        return m.find() ? m.start() : -1;
    }

    /**
     * Same number of lines; each line has the same text with numbers masked; right-aligned
     * files end every number in the same column, left-aligned ones start the first number in
     * the same column.
     */
    private static void assertSameShape(String what, List<String> expected, List<String> actual, boolean rightAligned) {
        assertEquals(expected.size(), actual.size(), what + ": line count\nexpected:\n" + String.join("\n", expected)
                + "\nactual:\n" + String.join("\n", actual));
        for (int i = 0; i < expected.size(); i++) {
            String e = expected.get(i);
            String a = actual.get(i);
            String where = what + " line " + (i + 1) + "\nexpected: '" + e + "'\nactual:   '" + a + "'";
            assertEquals(skeleton(e), skeleton(a), where);
            if (rightAligned) {
                assertEquals(ends(e), ends(a), where + " (number columns)");
            } else {
                assertEquals(firstDigit(e), firstDigit(a), where + " (number column)");
            }
        }
    }

    private static String value(List<String> lines, String key) {
        for (String l : lines) {
            String t = l.trim();
            if (t.startsWith(key)) {
                return t.substring(key.length()).trim();
            }
        }
        fail("no line " + key);
        return null;
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void meminfoHasTheRecordedFieldsLayoutAndBootDerivedValues(KernelVersion v) throws IOException {
        MemoryModel mm = boot(v);
        List<String> exp = recording(v).get("cat /proc/meminfo");
        List<String> act = lines(MmProcFiles.meminfo(mm));
        assertSameShape("meminfo " + v.text(), exp, act, true);
        for (String k : new String[] {"MemTotal:", "CommitLimit:", "VmallocTotal:", "Percpu:", "HugePages_Total:",
            "Hugepagesize:", "DirectMap4k:", "DirectMap2M:", "HardwareCorrupted:"}) {
            assertEquals(value(exp, k), value(act, k), k);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void zoneinfoHasTheRecordedStatsLayoutAndZoneSizes(KernelVersion v) throws IOException {
        MemoryModel mm = boot(v);
        List<String> exp = recording(v).get("cat /proc/zoneinfo");
        List<String> act = lines(MmProcFiles.zoneinfo(mm));
        assertSameShape("zoneinfo " + v.text(), exp, act, false);
        for (int i = 0; i < exp.size(); i++) {
            String t = exp.get(i).trim();
            if (t.startsWith("Node ") || t.startsWith("spanned") || t.startsWith("present") || t.startsWith("managed")
                    || t.startsWith("start_pfn:") || t.startsWith("cma") || t.startsWith("vm stats threshold")
                    || t.startsWith("batch:")) {
                assertEquals(exp.get(i), act.get(i), "zoneinfo line " + (i + 1));
            }
        }
        int movable = exp.indexOf("Node 0, zone  Movable");
        assertTrue(movable > 0);
        assertEquals(exp.subList(movable, exp.size()), act.subList(movable, act.size()), "the empty zones");
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void buddyinfoHasTheRecordedLayout(KernelVersion v) throws IOException {
        MemoryModel mm = boot(v);
        assertSameShape("buddyinfo " + v.text(), recording(v).get("cat /proc/buddyinfo"),
                lines(MmProcFiles.buddyinfo(mm)), true);
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void pagetypeinfoHasTheRecordedLayoutAndHeaders(KernelVersion v) throws IOException {
        MemoryModel mm = boot(v);
        List<String> exp = recording(v).get("cat /proc/pagetypeinfo");
        List<String> act = lines(MmProcFiles.pagetypeinfo(mm));
        assertSameShape("pagetypeinfo " + v.text(), exp, act, true);
        for (int i = 0; i < exp.size(); i++) {
            if (!exp.get(i).startsWith("Node ")) {
                assertEquals(exp.get(i), act.get(i), "pagetypeinfo header line " + (i + 1));
            }
        }
        assertTrue(act.contains("Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate "));
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void nodeMeminfoHasTheRecordedFieldsAndLayout(KernelVersion v) throws IOException {
        MemoryModel mm = boot(v);
        List<String> exp = recording(v).get("cat /sys/devices/system/node/node0/meminfo");
        List<String> act = lines(MmProcFiles.nodeMeminfo(mm, mm.node(0)));
        assertSameShape("node0/meminfo " + v.text(), exp, act, true);
        assertEquals(exp.getFirst(), act.getFirst(), "MemTotal");
    }

    @ParameterizedTest
    @EnumSource(KernelVersion.class)
    void vmstatHasTheRecordedItemsInOrder(KernelVersion v) throws IOException {
        MemoryModel mm = boot(v);
        List<String> exp = recording(v).get("cat /proc/vmstat");
        List<String> act = lines(MmProcFiles.vmstat(mm));
        assertSameShape("vmstat " + v.text(), exp, act, false);
        for (String k : new String[] {"pgalloc_dma ", "pgalloc_dma32 ", "direct_map_level2_splits ",
            "nr_memmap_boot_pages "}) {
            if (v == KernelVersion.V6_1 && k.startsWith("nr_memmap")) {
                continue;
            }
            assertEquals(value(exp, k), value(act, k), k);
        }
    }
}
