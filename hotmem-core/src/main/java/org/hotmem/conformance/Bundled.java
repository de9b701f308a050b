package org.hotmem.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The conformance set bundled as class-path resources under {@code org/hotmem/conformance/}:
 * {@code scenarios/NAME.scn}, {@code expected/KERNEL/NAME.jsonl}, and
 * {@code scenarios/index.txt} listing the scenario names (a jar cannot be listed); the
 * recordings of the {@code pseries} machine the same way under {@code pseries/} (kernel 6.1
 * only, recorded with ../shared/linux-recorder-ppc). They live in the module
 * {@code hotmem-recordings}, which must be on the class path (the CLI and the tests have it).
 */
public final class Bundled {
    /** The kernel versions with recorded transcripts. */
    public static final List<String> KERNELS = List.of("6.1", "6.12");

    private Bundled() {
    }

    /** The kernel versions with recorded transcripts of the pseries machine. */
    public static final List<String> PSERIES_KERNELS = List.of("6.1");
    /** The resource folder of the pseries recordings. */
    public static final String PSERIES = "pseries/";

    /** The bundled scenario names in index order. */
    public static List<String> scenarioNames() {
        return scenarioNames("");
    }

    /** The bundled scenario names of the set under {@code root} ("" for pc, {@link #PSERIES}). */
    public static List<String> scenarioNames(String root) {
        return read(root + "scenarios/index.txt").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The parsed bundled scenario {@code name}. */
    public static ScnScript scenario(String name) {
        return scenario("", name);
    }

    /** The parsed bundled scenario {@code name} of the set under {@code root}. */
    public static ScnScript scenario(String root, String name) {
        return ScnParser.parse(name + ".scn", read(root + "scenarios/" + name + ".scn"));
    }

    /** The recorded transcript of {@code name} under {@code kernel} ("6.1" or "6.12"), as JSONL text. */
    public static String expected(String kernel, String name) {
        return expected("", kernel, name);
    }

    /** The recorded transcript of {@code name} of the set under {@code root}. */
    public static String expected(String root, String kernel, String name) {
        return read(root + "expected/" + kernel + "/" + name + ".jsonl");
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
