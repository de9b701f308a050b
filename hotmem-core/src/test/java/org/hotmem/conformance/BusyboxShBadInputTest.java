package org.hotmem.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shell's path lookup, redirections and globs follow the kernel and busybox ash. */
class BusyboxShBadInputTest {
    private final FakeSysfs sys = new FakeSysfs(32, 33, 2, 10);
    private final BusyboxSh sh = new BusyboxSh(sys.fs, ns -> { });
    private static final String M = "/sys/devices/system/memory/";

    private void check(String cmd, String output, int rc) {
        ShellResult r = sh.run(cmd);
        assertEquals(output, r.output(), cmd);
        assertEquals(rc, r.rc(), cmd);
    }

    @Test
    void aTrailingSlashOnAFileIsNotADirectory() {
        check("cat " + M + "memory2/state/", "cat: can't open '" + M + "memory2/state/': Not a directory\n", 1);
        check("echo offline > " + M + "memory2/state/", "sh: can't create " + M + "memory2/state/: Not a directory\n", 1);
        check("cat " + M + "memory2/state", "online\n", 0);
        check("ls " + M + "memory2/state/", "ls: " + M + "memory2/state/: Not a directory\n", 1);
    }

    @Test
    void anEmptyPathDoesNotExist() {
        check("cat ''", "cat: can't open '': No such file or directory\n", 1);
        check("echo 1 > ''", "sh: can't create : nonexistent directory\n", 1);
        check("echo 1 > " + M + "nosuch/", "sh: can't create " + M + "nosuch/: Is a directory\n", 1);
    }

    @Test
    void stderrRedirectionIsARedirectionNotAnArgument() {
        check("cat " + M + "memory99/state 2>/dev/null", "", 1);
        check("cat " + M + "memory2/state 2>/dev/null", "online\n", 0);
        check("cat " + M + "memory99/state " + M + "memory2/state 2>&1",
                "cat: can't open '" + M + "memory99/state': No such file or directory\nonline\n", 1);
        check("cat " + M + "memory2/state >/dev/null", "", 0);
        check("echo 2 >&7", "sh: 7: Bad file descriptor\n", 1);
    }

    @Test
    void globsExpandSortedAndStayLiteralWithoutAMatch() {
        check("cat " + M + "memory3*/state", "online\nonline\n", 0);
        check("ls -d " + M + "memory*", "ls: unrecognized option '-d'\n", 1);
        check("echo " + M + "memory[23]", M + "memory2\n", 0);
        check("echo " + M + "memory?", M + "memory2\n", 0);
        check("echo " + M + "nomatch*", M + "nomatch*\n", 0);
        check("echo '" + M + "memory*'", M + "memory*\n", 0);
        check("echo " + M + "memory\\*", M + "memory*\n", 0);
        List<String> states = new ArrayList<>();
        for (String line : sh.run("grep -H . " + M + "memory*/state").output().split("\n")) {
            states.add(line);
        }
        assertEquals(List.of(M + "memory10/state:online", M + "memory2/state:online", M + "memory32/state:online",
                M + "memory33/state:online"), states);
    }
}
