package org.hotmem.conformance;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hotmem.hv.QemuSize;

/**
 * The host commands of a scenario's {@code prepare:} lines, as the recorder runs them with
 * {@code sh -c} in the run directory before the first boot: what the recorded scenarios use to
 * make their disk images, {@code rm -f FILE} and {@code qemu-img create -f raw FILE SIZE}
 * (a sparse file of SIZE bytes, QEMU's size suffixes), joined by {@code &&}. Anything else is
 * refused by name, so a scenario never runs an unmodelled host program.
 */
public final class HostCommands {
    private HostCommands() {
    }

    /**
     * Runs one {@code prepare:} line with {@code {run}} replaced by {@code runDir}.
     *
     * @throws IllegalArgumentException {@code prepare failed: LINE: why} (the recorder's abort text)
     */
    public static void prepare(String line, Path runDir) {
        for (String part : line.replace(ScnScript.RUN, runDir.toString()).split("&&")) {
            String[] w = part.trim().split("\\s+");
            try {
                if (w.length == 3 && w[0].equals("rm") && w[1].equals("-f")) {
                    Files.deleteIfExists(Path.of(w[2]));
                } else if (w.length == 6 && w[0].equals("qemu-img") && w[1].equals("create") && w[2].equals("-f")
                        && w[3].equals("raw")) {
                    createRaw(Path.of(w[4]), QemuSize.parse(w[5], 'B'));
                } else {
                    throw new IllegalArgumentException("prepare failed: " + line
                            + ": only 'rm -f FILE' and 'qemu-img create -f raw FILE SIZE' are modelled");
                }
            } catch (QemuSize.SizeFormatException e) {
                throw new IllegalArgumentException("prepare failed: " + line + ": qemu-img: Invalid image size specified", e);
            } catch (IOException e) {
                throw new UncheckedIOException("prepare failed: " + line + ": " + e.getMessage(), e);
            }
        }
    }

    /** qemu-img create -f raw: a file of {@code size} bytes that reads as zeros (sparse). */
    private static void createRaw(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.setLength(size);
        }
    }
}
