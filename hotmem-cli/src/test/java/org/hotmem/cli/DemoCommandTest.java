package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertEquals(0, cl.execute(args));
        return out.toString();
    }

    @Test
    void lockDemoOutputIsAPureFunctionOfTheSeed() {
        assertEquals(run("demo", "--locks", "--seed", "3"), run("demo", "--locks", "--seed", "3"));
        assertNotEquals(run("demo", "--locks", "--seed", "3"), run("demo", "--locks", "--seed", "4"));
    }

    @Test
    void lockDemoShowsTraceLockdepReportAndReplayCheck() {
        String out = run("demo", "--locks");
        assertTrue(out.contains("== schedule trace: "), out);
        assertTrue(out.contains("] WARNING: possible circular locking dependency detected\n"), out);
        assertTrue(out.contains("buggy_driver/6 is trying to acquire lock:"), out);
        assertTrue(out.contains("deadlock: none"), out);
        assertTrue(out.contains("decisions: trace and log identical"), out);
    }

    @Test
    void anUnknownStrategyIsRejected() {
        CommandLine cl = new CommandLine(new Main());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        assertEquals(2, cl.execute("demo", "--locks", "--strategy", "fifo"));
        assertTrue(err.toString().contains("--strategy: expected random, pct or round-robin, found 'fifo'"), err.toString());
    }
}
