package org.hotmem.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** File access of the commands: failures become a {@link CliFailure} naming the file and the reason. */
final class CliFiles {
    private CliFiles() {
    }

    /** The text of an input file, or NO_INPUT ("hotmem run: x.yaml: cannot read: No such file or directory"). */
    static String read(String command, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliFailure(ExitStatus.NO_INPUT, "hotmem " + command + ": " + file + ": cannot read: " + reason(e), e);
        }
    }

    /** Writes an output file, or CANT_WRITE ("hotmem sweep: --csv /x/y.csv: cannot write: No such file or directory"). */
    static void write(String command, String option, Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw cantWrite(command, option, file, e);
        }
    }

    static CliFailure cantWrite(String command, String option, Path file, IOException e) {
        return new CliFailure(ExitStatus.CANT_WRITE, "hotmem " + command + ": " + option + " " + file + ": cannot write: " + reason(e), e);
    }

    /** The strerror-like reason of an I/O failure. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage();
    }
}
