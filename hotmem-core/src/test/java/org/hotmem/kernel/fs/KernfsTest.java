package org.hotmem.kernel.fs;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernfsTest {
    private final Kernfs fs = new Kernfs();

    @Test
    void mkdirsCreatesEveryMissingDirectoryAndReturnsExistingOnes() {
        KDir mem = fs.mkdirs("/sys/devices/system/memory");
        assertEquals("/sys/devices/system/memory", mem.path());
        assertSame(mem, fs.mkdirs("/sys/devices/system/memory/"));
        assertSame(mem, fs.lookup("/sys//devices/./system/memory"));
        assertEquals(List.of("devices"), fs.lookupDir("/sys").list());
    }

    @Test
    void listingIsSortedByByteValueSoMemory10SortsBeforeMemory2() {
        KDir mem = fs.mkdirs("/sys/devices/system/memory");
        for (String n : new String[] {"memory2", "memory10", "memory1", "block_size_bytes", "Z", "auto_online_blocks"}) {
            fs.mkdirs(mem.path() + "/" + n);
        }
        assertEquals(List.of("Z", "auto_online_blocks", "block_size_bytes", "memory1", "memory10", "memory2"), mem.list());
    }

    @Test
    void storeReceivesTheWrittenTextVerbatimAndShowReturnsTheText() {
        KDir blk = fs.mkdirs("/sys/devices/system/memory/memory40");
        List<String> writes = new ArrayList<>();
        fs.addFile(blk, "state", 0644, () -> "offline\n", writes::add);
        KFile f = fs.lookupFile("/sys/devices/system/memory/memory40/state");
        assertEquals("offline\n", f.read());
        f.write("online\n");
        assertEquals(List.of("online\n"), writes);
        assertTrue(f.readable());
        assertTrue(f.writable());
    }

    @Test
    void readOnlyAndWriteOnlyModesAreReported() {
        KDir d = fs.mkdirs("/sys/devices/system/memory");
        KFile ro = fs.addFile(d, "block_size_bytes", 0444, () -> "8000000\n", null);
        KFile wo = fs.addFile(d, "soft_offline_page", 0200, null, buf -> { });
        assertTrue(ro.readable());
        assertFalse(ro.writable());
        assertFalse(wo.readable());
        assertTrue(wo.writable());
    }

    @Test
    void duplicateNameIsRejected() {
        KDir d = fs.mkdirs("/sys/x");
        fs.addFile(d, "a", 0444, () -> "", null);
        assertThrows(IllegalStateException.class, () -> fs.addFile(d, "a", 0444, () -> "", null));
        assertThrows(IllegalStateException.class, () -> fs.mkdirs("/sys/x/a/b"));
    }

    @Test
    void symlinksAreFollowedInTheMiddleAndByResolveButNotByLookup() {
        KDir node0 = fs.mkdirs("/sys/devices/system/node/node0");
        fs.addFile(node0, "meminfo", 0444, () -> "Node 0 MemTotal: 1 kB\n", null);
        KDir blk = fs.mkdirs("/sys/devices/system/memory/memory0");
        KSymlink l = fs.symlink(blk, "node0", "../../node/node0");
        assertSame(l, fs.lookup("/sys/devices/system/memory/memory0/node0"));
        assertSame(node0, fs.resolve("/sys/devices/system/memory/memory0/node0"));
        assertEquals("Node 0 MemTotal: 1 kB\n",
                fs.lookupFile("/sys/devices/system/memory/memory0/node0/meminfo").read());
        assertEquals("../../node/node0", l.target());
    }

    @Test
    void symlinkLoopResolvesToNothing() {
        KDir d = fs.mkdirs("/a");
        fs.symlink(d, "x", "y");
        fs.symlink(d, "y", "x");
        assertNull(fs.resolve("/a/x"));
        assertNotNull(fs.lookup("/a/x"));
    }

    @Test
    void removeTakesTheWholeSubtreeAndMarksItRemoved() {
        KDir blk = fs.mkdirs("/sys/devices/system/memory/memory40");
        KFile st = fs.addFile(blk, "state", 0644, () -> "online\n", b -> { });
        assertTrue(fs.remove("/sys/devices/system/memory/memory40"));
        assertNull(fs.lookup("/sys/devices/system/memory/memory40/state"));
        assertTrue(st.isRemoved());
        assertTrue(blk.isRemoved());
        assertFalse(fs.remove("/sys/devices/system/memory/memory40"));
        assertEquals(List.of(), fs.lookupDir("/sys/devices/system/memory").list());
    }

    @Test
    void lookupThroughAFileOrAMissingEntryGivesNull() {
        KDir d = fs.mkdirs("/proc");
        fs.addFile(d, "zoneinfo", 0444, () -> "", null);
        assertNull(fs.lookup("/proc/zoneinfo/x"));
        assertNull(fs.lookup("/proc/meminfo"));
        assertNull(fs.lookupDir("/proc/zoneinfo"));
        assertSame(fs.root(), fs.lookup("/"));
        assertSame(fs.root(), fs.lookup("/.."));
    }
}
