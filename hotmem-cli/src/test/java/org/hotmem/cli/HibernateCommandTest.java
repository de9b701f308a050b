package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HibernateCommandTest {
    @Test
    void theComparisonPrintsOneRowPerDesignAndReserve() {
        HibernateCommand cmd = new HibernateCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cmd.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, new CommandLine(cmd).execute("--compare", "-m", "1G", "--dimm", "512M", "--anon-pages", "8192",
                "--cow-reserve", "8192,4"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("design "), lines.get(0));
        assertTrue(lines.get(1).startsWith("swsusp ") && lines.get(1).contains("resumed, intact"), lines.get(1));
        assertTrue(lines.get(2).startsWith("two pagesets ") && lines.get(2).contains("resumed, intact"), lines.get(2));
        assertTrue(lines.get(3).startsWith("COW, 8192-page reserve ") && lines.get(3).contains("resumed, intact"), lines.get(3));
        assertTrue(lines.get(4).startsWith("COW, 4-page reserve ") && lines.get(4).endsWith("COW reserve exhausted after 4 copies:"
                + " snapshot aborted (ENOMEM), no image, tasks ran on"), lines.get(4));
    }

    @Test
    void badSizesAreRefused() {
        assertEquals(2, new CommandLine(new HibernateCommand()).execute("--compare", "-m", "lots"));
        assertEquals(2, new CommandLine(new HibernateCommand()).execute("--compare", "--anon-pages", "0"));
        assertEquals(2, new CommandLine(new HibernateCommand()).execute("--compare", "--kernel", "5.4"));
    }
}
