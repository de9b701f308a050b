package org.hotmem.machine;

import java.util.List;
import java.util.Map;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.LogLevel;
import org.hotmem.kernel.UserProgram;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.MemoryModel;

/**
 * The recorded guests' programs beyond the shell's applets, run in the command's task:
 * busybox's {@code insmod PATH [PARAMS]} (finit_module(2), then init_module(2) again when that
 * fails, as busybox does; the exit status is the errno) and {@code rmmod NAME}, and the
 * pseries recorder's {@code memhog MIB [HOLD_S]} (touches MIB MiB of anonymous memory in 1 MiB
 * mmaps; a fault that finds no free page takes the OOM path: the OOM notifiers, else the OOM
 * killer, which kills memhog).
 *
 * <p>Stateless.
 */
final class GuestPrograms {
    /** Virtual time of faulting in one page under TCG (recorded: 600 MiB of 64 KiB pages in 1.74 s). */
    static final long FAULT_NS_PER_PAGE = 180_000;

    private GuestPrograms() {
    }

    static Map<String, UserProgram> of(Kernel kernel, MemoryModel mm, KernelModules modules) {
        return Map.of("insmod", (args, out) -> insmod(modules, args, out),
                "rmmod", (args, out) -> rmmod(modules, args, out),
                "memhog", (args, out) -> memhog(kernel, mm, args, out));
    }

    private static int insmod(KernelModules modules, List<String> args, StringBuilder out) {
        if (args.isEmpty()) {
            out.append("BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) multi-call binary.\n\nUsage: insmod FILE [SYMBOL=VALUE]...\n\n"
                    + "Load kernel module\n");
            return 1;
        }
        String path = args.get(0);
        String file = path.substring(path.lastIndexOf('/') + 1);
        String name = file.endsWith(".ko") ? file.substring(0, file.length() - 3) : file;
        String params = String.join(" ", args.subList(1, args.size()));
        KernelException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                modules.load(name, params);
                return 0;
            } catch (KernelException e) {
                last = e;
            }
        }
        out.append("insmod: can't insert '").append(path).append("': ").append(last.errno().strerror()).append('\n');
        return last.errno().number();
    }

    private static int rmmod(KernelModules modules, List<String> args, StringBuilder out) {
        int rc = 0;
        for (String n : args) {
            try {
                modules.unload(n.endsWith(".ko") ? n.substring(0, n.length() - 3) : n);
            } catch (KernelException e) {
                out.append("rmmod: can't unload module '").append(n).append("': ").append(e.errno().strerror()).append('\n');
                rc = 1;
            }
        }
        return rc;
    }

    private static int memhog(Kernel kernel, MemoryModel mm, List<String> args, StringBuilder out) {
        if (args.isEmpty()) {
            out.append("usage: memhog MIB [HOLD_S]\n");
            return 2;
        }
        long mib = atol(args.get(0));
        long hold = args.size() > 1 ? atol(args.get(1)) : 0;
        long pageSize = mm.arch().pageSize();
        long pagesPerMib = (1L << 20) / pageSize;
        kernel.current().setComm("memhog"); // the shell exec'd it
        AddressSpace as = mm.newAddressSpace("memhog", Gfp.MOVABLE_ANON);
        try {
            for (long i = 0; i < mib; i++) {
                for (long p = 0; p < pagesPerMib; p++) {
                    if (!fault(mm, as, i * pagesPerMib + p)) {
                        oomKill(kernel, mm, as);
                        out.append("Killed\n");
                        return 137;
                    }
                }
                kernel.consume(pagesPerMib * FAULT_NS_PER_PAGE);
                if ((i + 1) % 64 == 0) {
                    out.append("memhog: ").append(i + 1).append(" MiB touched\n");
                }
            }
            out.append("memhog: done, ").append(mib).append(" MiB touched (page size ").append(pageSize).append(")\n");
            if (hold > 0) {
                kernel.nanosleep(hold * 1_000_000_000L);
            }
            return 0;
        } finally {
            as.freeAll();
        }
    }

    /** One page fault; the allocator takes the OOM path itself (false: the OOM killer chose this task). */
    private static boolean fault(MemoryModel mm, AddressSpace as, long token) {
        try {
            as.add(token);
            return true;
        } catch (KernelException e) {
            return false;
        }
    }

    /** oom_kill_process() of the faulting task: the report's first and last lines. */
    private static void oomKill(Kernel kernel, MemoryModel mm, AddressSpace as) {
        int pid = kernel.current().pid();
        kernel.dmesg().printk(LogLevel.WARNING, "memhog invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP),"
                + " order=0, oom_score_adj=0");
        kernel.dmesg().printk(LogLevel.ERR, "Out of memory: Killed process " + pid + " (memhog) anon-rss:"
                + as.nrPages() * mm.arch().pageKb() + "kB");
    }

    /** atol(): leading blanks, a sign and decimal digits. */
    private static long atol(String s) {
        String t = s.strip();
        int i = 0;
        boolean neg = false;
        if (i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
            neg = t.charAt(i++) == '-';
        }
        long v = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            v = v * 10 + (t.charAt(i++) - '0');
        }
        return neg ? -v : v;
    }
}
