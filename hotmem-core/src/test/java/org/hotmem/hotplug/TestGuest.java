package org.hotmem.hotplug;

import java.util.List;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.mm.Arch;
import org.hotmem.mm.BootE820;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;
import org.hotmem.mm.MmBootOptions;
import org.hotmem.mm.Zone;
import org.hotmem.mm.ZoneType;

/** A booted guest (4 GiB unless given an e820 map) (mm + hotplug + kernfs) for tests, with sysfs access from tasks. */
final class TestGuest {
    final Kernel kernel;
    final Kernfs fs = new Kernfs();
    final MemoryModel mm;
    final MemoryHotplug hp;
    long mark;

    TestGuest(KernelVersion v, String cmdline) {
        this(v, cmdline, BootE820.pc4G());
    }

    TestGuest(KernelVersion v, String cmdline, List<org.hotmem.mm.E820Entry> e820) {
        this(Arch.X86_64, v, cmdline, e820, Kernel.withSeed(42));
    }

    /** A guest of architecture {@code arch} whose boot memory map is {@code memoryMap}. */
    TestGuest(Arch arch, KernelVersion v, String cmdline, List<org.hotmem.mm.E820Entry> memoryMap) {
        this(arch, v, cmdline, memoryMap, Kernel.withSeed(42));
    }

    /** The same on a kernel of the test's choice (its scheduling strategy and seed). */
    TestGuest(Arch arch, KernelVersion v, String cmdline, List<org.hotmem.mm.E820Entry> memoryMap, Kernel kernel) {
        this.kernel = kernel;
        // The recorded guests' command line plus the test's words: movable_node and memmap= matter to mm.
        MmBootOptions o = MmBootOptions.fromCmdline(cmdline);
        mm = MemoryModel.boot(arch, memoryMap, new MmBootOptions(o.movableNode(), -1, MmBootOptions.RECORDED_COMMAND_LINE_LENGTH, o.memmap()), v,
                kernel, fs, org.hotmem.mm.Srat.NONE, () -> { });
        hp = new MemoryHotplug(mm, fs, HotplugParams.fromCmdline(cmdline, v));
        mark = kernel.dmesg().mark();
    }

    TestGuest(KernelVersion v) {
        this(v, "");
    }

    /** Runs body in a task to completion. */
    void run(Runnable body) {
        Throwable[] err = new Throwable[1];
        boolean[] done = new boolean[1];
        kernel.spawn("test", 0, () -> {
            try {
                body.run();
            } catch (Throwable t) {
                err[0] = t;
            } finally {
                done[0] = true;
            }
        });
        kernel.runUntil(() -> done[0]);
        if (err[0] instanceof RuntimeException re) {
            throw re;
        }
        if (err[0] != null) {
            throw new AssertionError(err[0]);
        }
    }

    /** echo text > path: null on success, else the errno. */
    Errno write(String path, String text) {
        return writeRaw(path, text + "\n");
    }

    /** printf %s text > path: exactly these bytes; null on success, else the errno. */
    Errno writeRaw(String path, String text) {
        Errno[] out = new Errno[1];
        run(() -> {
            try {
                fs.openForWrite(path).write(text);
            } catch (KernelException e) {
                out[0] = e.errno();
            }
        });
        return out[0];
    }

    String read(String path) {
        String[] out = new String[1];
        run(() -> out[0] = fs.lookupFile(path).read());
        return out[0];
    }

    String block(int n, String attr) {
        return read("/sys/devices/system/memory/memory" + n + "/" + attr).strip();
    }

    Errno state(int n, String s) {
        return write("/sys/devices/system/memory/memory" + n + "/state", s);
    }

    /** Adds memory as the ACPI driver would (a task holding device_hotplug_lock). */
    Errno add(long start, long size, int flags) {
        Errno[] out = new Errno[1];
        run(() -> {
            try {
                hp.addMemory(0, start, size, flags);
            } catch (KernelException e) {
                out[0] = e.errno();
            }
        });
        return out[0];
    }

    Zone zone(ZoneType t) {
        return mm.node(0).zone(t);
    }

    /** Kernel log lines since the last call, without timestamps. */
    List<String> log() {
        List<String> l = kernel.dmesg().since(mark).stream().map(s -> s.replaceFirst("^\\[[^]]*\\] ", "")).toList();
        mark = kernel.dmesg().mark();
        return l;
    }

    List<String> invariants() {
        return MemoryInvariants.check(hp);
    }
}
