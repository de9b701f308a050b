package org.hotmem.mm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One bundled real-kernel recording, read for its boot: the firmware e820 map, the SRAT the
 * kernel printed (its hotplug range decides whether swiotlb is set up) and the initrd
 * size (the inputs QEMU gave the kernel), and what the kernel printed and counted (the
 * "Memory:" line and the first {@code zonesum} after boot). Nothing here is a model result.
 */
record RecordedBoot(String name, KernelVersion version, List<E820Entry> e820, long initrdBytes,
        String memoryLine, long[] managed, Srat srat) {

    private static final Pattern E820 = Pattern.compile("BIOS-e820: \\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\\] (.+)$");
    private static final Pattern RAMDISK = Pattern.compile("RAMDISK: \\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\\]");
    private static final Pattern SRAT = Pattern.compile("ACPI: SRAT: Node \\d+ PXM (\\d+) \\[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\\]( hotplug)?$");
    private static final Pattern ZONE = Pattern.compile("^node 0 (\\S+) .* managed=(\\d+)$");

    /** Loads expected/{6.1|6.12}/{name}.jsonl from the classpath. */
    static RecordedBoot load(KernelVersion v, String name) {
        String dir = v == KernelVersion.V6_1 ? "6.1" : "6.12";
        String res = "/org/hotmem/conformance/expected/" + dir + "/" + name + ".jsonl";
        String text;
        try (InputStream in = RecordedBoot.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled recording " + res);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectMapper json = new ObjectMapper();
        List<E820Entry> e820 = new ArrayList<>();
        long initrd = -1;
        String memory = null;
        long[] managed = null;
        List<Srat.Memory> srat = new ArrayList<>();
        String[] lines = text.split("\n");
        try {
            JsonNode boot = json.readTree(lines[0]);
            for (JsonNode l : boot.get("kernel_log")) {
                String s = l.asText().replaceFirst("^.*?\\[\\s*[0-9.]+\\] ", "");
                Matcher m = E820.matcher(s);
                if (m.find()) {
                    long a = Long.decode(m.group(1));
                    long b = Long.decode(m.group(2));
                    e820.add(new E820Entry(a, b + 1 - a, type(m.group(3).strip())));
                }
                m = RAMDISK.matcher(s);
                if (m.find()) {
                    initrd = Long.decode(m.group(2)) + 1 - Long.decode(m.group(1));
                }
                m = SRAT.matcher(s);
                if (m.find()) {
                    long a = Long.decode(m.group(2));
                    srat.add(new Srat.Memory(a, Long.decode(m.group(3)) + 1 - a, Integer.parseInt(m.group(1)), m.group(4) != null));
                }
                if (s.startsWith("Memory: ")) {
                    memory = s;
                }
            }
            for (int i = 1; i < lines.length && managed == null; i++) {
                JsonNode step = json.readTree(lines[i]);
                if ("guest".equals(step.path("kind").asText()) && "zonesum".equals(step.path("arg").asText())) {
                    managed = new long[3];
                    for (String z : step.get("output").asText().split("\n")) {
                        Matcher m = ZONE.matcher(z);
                        if (m.find()) {
                            int zi = switch (m.group(1)) {
                                case "DMA" -> 0;
                                case "DMA32" -> 1;
                                case "Normal" -> 2;
                                default -> -1;
                            };
                            if (zi >= 0) {
                                managed[zi] = Long.parseLong(m.group(2));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (e820.isEmpty() || initrd < 0 || memory == null || managed == null) {
            throw new IllegalArgumentException(res + ": expected BIOS-e820, RAMDISK and Memory: lines and a zonesum step");
        }
        return new RecordedBoot(name, v, List.copyOf(e820), initrd, memory, managed,
                srat.isEmpty() ? Srat.NONE : new Srat(List.of(0), srat, List.of()));
    }

    private static E820Type type(String text) {
        for (E820Type t : E820Type.values()) {
            if (t.text().equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown e820 type " + text);
    }

    @Override
    public String toString() {
        return version + " " + name;
    }
}
