package org.hotmem.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The conformance set bundled as class-path resources under {@code org/hotmem/conformance/}:
 * {@code scenarios/NAME.scn}, {@code expected/KERNEL/NAME.jsonl}, and
 * {@code scenarios/index.txt} listing the scenario names (a jar cannot be listed). They live in the
 * module {@code hotmem-recordings}, which must be on the class path (the CLI and the tests have it).
 */
public final class Bundled {
    /** The kernel versions with recorded transcripts. */
    public static final List<String> KERNELS = List.of("6.1", "6.12");

    private Bundled() {
    }

    /** The bundled scenario names in index order. */
    public static List<String> scenarioNames() {
        return read("scenarios/index.txt").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The parsed bundled scenario {@code name}. */
    public static ScnScript scenario(String name) {
        return ScnParser.parse(name + ".scn", read("scenarios/" + name + ".scn"));
    }

    /** The recorded transcript of {@code name} under {@code kernel} ("6.1" or "6.12"), as JSONL text. */
    public static String expected(String kernel, String name) {
        return read("expected/" + kernel + "/" + name + ".jsonl");
    }

    private static String read(String rel) {
        try (InputStream in = Bundled.class.getResourceAsStream(rel)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled conformance resource org/hotmem/conformance/" + rel
                        + " (is hotmem-recordings on the class path?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
