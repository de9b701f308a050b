package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.KFile;
import org.junit.jupiter.api.Test;

/** memory-notifier-error-inject with init_module/delete_module semantics, as mem-on-off-test.sh uses it. */
class KernelModulesTest {
    private static final String ACTIONS = "/sys/kernel/debug/notifier-error-inject/memory/actions/";

    /** Runs {@code body} in a task and returns the errno it failed with, or null. */
    private static Errno inTask(Machine m, Runnable body) {
        Errno[] err = new Errno[1];
        boolean[] done = new boolean[1];
        m.kernel().spawn("insmod", 0, () -> {
            try {
                body.run();
            } catch (KernelException e) {
                err[0] = e.errno();
            } finally {
                done[0] = true;
            }
        });
        m.kernel().runUntil(() -> done[0]);
        return err[0];
    }

    @Test
    void loadingNeedsTheDependencyAndTwiceIsEexist() {
        Machine m = Machine.boot(MachineConfig.of("1G,slots=8,maxmem=8G"));
        KernelModules mods = m.modules();
        assertEquals(Errno.ENOENT, inTask(m, () -> mods.load("memory-notifier-error-inject", "")), "Unknown symbol");
        assertEquals(Errno.ENOENT, inTask(m, () -> mods.load("no_such_module", "")));
        assertNull(inTask(m, () -> mods.load("notifier-error-inject", "")));
        assertNull(inTask(m, () -> mods.load("memory_notifier_error_inject", "priority=0")));
        assertEquals(Errno.EEXIST, inTask(m, () -> mods.load("memory_notifier_error_inject", "")));
        assertEquals(List.of("notifier_error_inject", "memory_notifier_error_inject"), mods.loaded());
        assertEquals(Errno.EAGAIN, inTask(m, () -> mods.unload("notifier_error_inject")), "in use");
        assertEquals("memory_notifier_error_inject 12288 0 - Live 0x0000000000000000\n"
                + "notifier_error_inject 12288 1 memory_notifier_error_inject, Live 0x0000000000000000\n",
                m.fs().lookupFile("/proc/modules").read());
        assertEquals("0\n", m.fs().lookupFile(ACTIONS + "MEM_GOING_ONLINE/error").read());
        assertEquals(0600, m.fs().lookupFile(ACTIONS + "MEM_GOING_OFFLINE/error").mode());
        assertNull(inTask(m, () -> mods.unload("memory_notifier_error_inject")));
        assertNull(m.fs().lookup("/sys/kernel/debug/notifier-error-inject/memory"));
        assertNull(inTask(m, () -> mods.unload("notifier_error_inject")));
        assertNull(m.fs().lookup("/sys/kernel/debug/notifier-error-inject"));
        assertEquals(Errno.ENOENT, inTask(m, () -> mods.unload("notifier_error_inject")));
        assertEquals("", m.fs().lookupFile("/proc/modules").read());
    }

    @Test
    void anInjectedErrorFailsOnliningAndOffliningWithIt() {
        Machine m = Machine.boot(new MachineConfig("1G,slots=8,maxmem=8G", "", List.of(
                "-object memory-backend-ram,id=mem1,size=256M -device pc-dimm,id=dimm1,memdev=mem1".split(" ")),
                org.hotmem.mm.KernelVersion.V6_12, 1));
        m.drainKernelLog();
        KFile state = m.fs().lookupFile("/sys/devices/system/memory/memory32/state");
        assertNull(inTask(m, () -> {
            m.modules().load("notifier_error_inject", "");
            m.modules().load("memory_notifier_error_inject", "");
        }));
        assertNull(inTask(m, () -> m.fs().lookupFile(ACTIONS + "MEM_GOING_OFFLINE/error").write("-12\n")));
        assertEquals(Errno.ENOMEM, inTask(m, () -> state.write("offline\n")));
        assertNull(inTask(m, () -> m.fs().lookupFile(ACTIONS + "MEM_GOING_OFFLINE/error").write("0\n")));
        assertNull(inTask(m, () -> state.write("offline\n")));
        assertNull(inTask(m, () -> m.fs().lookupFile(ACTIONS + "MEM_GOING_ONLINE/error").write("-99999\n")));
        assertEquals("-4095\n", m.fs().lookupFile(ACTIONS + "MEM_GOING_ONLINE/error").read(), "clamped to -MAX_ERRNO");
        assertNull(inTask(m, () -> m.fs().lookupFile(ACTIONS + "MEM_GOING_ONLINE/error").write("-12\n")));
        assertEquals(Errno.ENOMEM, inTask(m, () -> state.write("online\n")));
        List<String> log = MachineTest.strip(m.drainKernelLog());
        assertTrue(log.contains("Injecting error (-12) to MEM_GOING_OFFLINE"), String.join("\n", log));
        assertTrue(log.contains("memory offlining [mem 0x100000000-0x107ffffff] failed due to notifier failure"), String.join("\n", log));
        assertTrue(log.contains("Injecting error (-12) to MEM_GOING_ONLINE"), String.join("\n", log));
        assertTrue(log.contains("online_pages [mem 0x100000000-0x107ffffff] failed"), String.join("\n", log));
    }
}
