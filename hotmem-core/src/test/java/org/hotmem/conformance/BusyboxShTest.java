package org.hotmem.conformance;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusyboxShTest {
    private final FakeSysfs sys = new FakeSysfs(32, 33, 2, 10);
    private final List<Long> spent = new ArrayList<>();
    private final BusyboxSh sh = new BusyboxSh(sys.fs, spent::add);
    private static final String M = "/sys/devices/system/memory/";

    private void check(String cmd, String output, int rc) {
        ShellResult r = sh.run(cmd);
        assertEquals(output, r.output(), cmd);
        assertEquals(rc, r.rc(), cmd);
    }

    @Test
    void catPrintsFilesInOrderAndGoesOnAfterAMissingOne() {
        check("cat " + M + "memory2/state " + M + "memory24/state " + M + "block_size_bytes",
                "online\ncat: can't open '" + M + "memory24/state': No such file or directory\n8000000\n", 1);
    }

    @Test
    void catOfAWriteOnlyFileIsPermissionDeniedAndOfADirectoryAReadError() {
        check("cat " + M + "soft_offline_page", "cat: can't open '" + M + "soft_offline_page': Permission denied\n", 1);
        check("cat " + M + "memory2", "cat: read error: Is a directory\n", 1);
        check("cat " + M + "block_size_bytes/x", "cat: can't open '" + M + "block_size_bytes/x': Not a directory\n", 1);
    }

    @Test
    void echoWritesWordAndNewlineInOneWriteAndEmptyQuotesWriteJustANewline() {
        List<String> writes = new ArrayList<>();
        sys.fs.addFile(sys.memory, "probe", 0200, null, writes::add);
        check("echo online_movable > " + M + "probe", "", 0);
        check("echo \"\" > " + M + "probe", "", 0);
        check("echo '' >" + M + "probe", "", 0);
        check("echo a   b>" + M + "probe", "", 0);
        assertEquals(List.of("online_movable\n", "\n", "\n", "a b\n"), writes);
    }

    @Test
    void storeErrorsBecomeShWriteErrorWithStrerror() {
        check("echo foo > " + M + "memory10/state", "sh: write error: Invalid argument\n", 1);
        check("echo \"\" > " + M + "memory10/state", "sh: write error: Invalid argument\n", 1);
        check("echo offline > " + M + "memory32/state", "sh: write error: Device or resource busy\n", 1);
        check("echo bogus > " + M + "auto_online_blocks", "sh: write error: Invalid argument\n", 1);
        check("echo offline > " + M + "memory10/state", "", 0);
        check("cat " + M + "memory10/state", "offline\n", 0);
    }

    @Test
    void writesToReadOnlyMissingAttributeAndMissingDirectoryGiveAshOpenErrors() {
        check("echo 1 > " + M + "memory10/phys_index", "sh: can't create " + M + "memory10/phys_index: Permission denied\n", 1);
        check("echo 1 > " + M + "block_size_bytes", "sh: can't create " + M + "block_size_bytes: Permission denied\n", 1);
        check("echo online_kernel > " + M + "memory10/online_type",
                "sh: can't create " + M + "memory10/online_type: Permission denied\n", 1);
        check("echo online > " + M + "memory24/state", "sh: can't create " + M + "memory24/state: nonexistent directory\n", 1);
        check("echo online > " + M + "memory2", "sh: can't create " + M + "memory2: Is a directory\n", 1);
    }

    @Test
    void lsListsByByteValueIncludingSymlinksAndReportsAMissingDirectory() {
        check("ls " + M + "memory10", "node0\nonline\nphys_device\nphys_index\npower\nremovable\nstate\nsubsystem\nvalid_zones\n", 0);
        check("ls " + M, "auto_online_blocks\nblock_size_bytes\nmemory10\nmemory2\nmemory32\nmemory33\nsoft_offline_page\n", 0);
        check("ls " + M + "memory24", "ls: " + M + "memory24: No such file or directory\n", 1);
        check("ls " + M + "block_size_bytes", M + "block_size_bytes\n", 0);
    }

    @Test
    void grepPrefixesNonEmptyLinesAndExitsTwoOnAMissingFileEvenAfterAMatch() {
        check("grep -H . " + M + "memory31/state " + M + "memory32/state",
                "grep: " + M + "memory31/state: No such file or directory\n" + M + "memory32/state:online\n", 2);
        check("grep -H . " + M + "memory32/phys_index", M + "memory32/phys_index:00000020\n", 0);
        sys.fs.addFile(sys.memory, "empty", 0444, () -> "\n\n", null);
        check("grep -H . " + M + "empty", "", 1);
        check("grep online " + M + "memory32/state " + M + "memory33/state",
                M + "memory32/state:online\n" + M + "memory33/state:online\n", 0);
    }

    @Test
    void testDashEReportsExistenceByExitStatusOnly() {
        check("test -e " + M + "memory33", "", 0);
        check("test -e " + M + "memory43", "", 1);
        check("[ -d " + M + "memory33 ]", "", 0);
    }

    @Test
    void memblocksPrintsEveryBlockNumericallyOrTheGivenOnesWithAbsent() {
        check("memblocks", "memory2 state=online phys_index=00000002 removable=1 node=0 valid_zones=Normal\n"
                + "memory10 state=online phys_index=0000000a removable=1 node=0 valid_zones=Normal\n"
                + "memory32 state=online phys_index=00000020 removable=1 node=0 valid_zones=Normal\n"
                + "memory33 state=online phys_index=00000021 removable=1 node=0 valid_zones=Normal\n", 0);
        sh.run("echo 0 > " + M + "memory33/online");
        check("memblocks 33 52", "memory33 state=offline phys_index=00000021 removable=1 node=0 valid_zones=Movable Normal\n"
                + "memory52 absent\n", 0);
    }

    @Test
    void zonesumSummarisesEveryZoneWithADashForAnEmptyZone() {
        sh.run("echo online_movable > " + M + "memory33/state"); // EINVAL: already online
        sh.run("echo offline > " + M + "memory33/state");
        sh.run("echo online_movable > " + M + "memory33/state");
        check("zonesum", "node 0 DMA start_pfn=1(0x1) spanned=4095 present=3998 managed=3840\n"
                + "node 0 Normal start_pfn=1048576(0x100000) spanned=98304 present=98304 managed=98204\n"
                + "node 0 Movable start_pfn=1081344(0x108000) spanned=32768 present=32768 managed=32768\n"
                + "node 0 Device start_pfn=- spanned=0 present=0 managed=0\n", 0);
    }

    @Test
    void unknownCommandAndUnsupportedSyntaxAreReportedLikeAsh() {
        check("lsmod", "sh: lsmod: not found\n", 127);
        check("cat a | grep b", "sh: hotmem guest shell: '|' is outside the simple-command subset\n", 2);
        check("echo \"abc > x", "sh: syntax error: unterminated quoted string\n", 2);
    }

    @Test
    void everyCommandSpendsVirtualTimeAndMemblocksSpendsPerBlock() {
        sh.run("cat " + M + "block_size_bytes");
        assertEquals(List.of(BusyboxSh.EXEC_NS), spent);
        spent.clear();
        sh.run("memblocks 2 10 99");
        assertEquals(List.of(BusyboxSh.EXEC_NS, BusyboxSh.MEMBLOCKS_PER_BLOCK_NS, BusyboxSh.MEMBLOCKS_PER_BLOCK_NS,
                BusyboxSh.MEMBLOCKS_PER_BLOCK_NS), spent);
    }

    @Test
    void breTranslationKeepsPlusAndParenthesesLiteral() {
        assertEquals("a\\+\\(b\\)", BusyboxSh.breToJava("a+(b)"));
        assertEquals("a(b)", BusyboxSh.breToJava("a\\(b\\)"));
        assertEquals(".", BusyboxSh.breToJava("."));
    }

    @Test
    void everyGuestCommandOfTheDeterministicBundledScenariosIsInsideTheSupportedSubset() throws Exception {
        java.util.Set<String> supported = java.util.Set.of("cat", "echo", "ls", "grep", "test", "memblocks", "zonesum", "mkswap", "swapon");
        int checked = 0;
        for (String name : Bundled.scenarioNames()) {
            ScnScript scn = Bundled.scenario(name);
            if (scn.needsRealShell()) {
                continue; // runs through the real shell against the FUSE mount (hotmem-fuse)
            }
            checked++;
            for (ScnStep st : scn.steps()) {
                if (st.kind() == StepKind.GUEST || st.kind() == StepKind.WAIT) {
                    ShellTokenizer.Command c = ShellTokenizer.parse(st.arg());
                    assertTrue(supported.contains(c.words().get(0)), name + ":" + st.line() + ": " + st.arg());
                    if (c.words().get(0).equals("echo")) {
                        assertNotNull(c.redirect(), st.arg());
                    }
                }
            }
        }
        assertTrue(checked >= 12, "deterministic bundled scenarios checked: " + checked);
    }
}
