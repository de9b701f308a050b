package org.hotmem.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel command line as start_kernel() parses it: models next_arg() and parse_args() of
 * kernel/params.c with init/main.c's unknown_bootoption() and print_unknown_bootoptions().
 *
 * <p>A word naming a kernel parameter (a built-in module parameter such as
 * {@code memory_hotplug.auto_movable_ratio} or a core parameter such as {@code panic}) is
 * handed to the parameter's set function; when that fails the kernel logs
 * {@code Booting kernel: `VALUE' invalid for parameter `NAME'} and keeps the old value (a
 * parameter without {@code =} is invalid unless its type takes no argument, as bool does).
 * Words handled by {@code __setup()}/{@code early_param()} are consumed silently; other
 * words with a {@code '.'} are unused module parameters and ignored; the remaining ones go to
 * init (as arguments, or as environment with {@code =}) and are listed in one line
 * {@code Unknown kernel command line parameters "...", will be passed to user space.}.
 * Parsing stops at {@code --}.
 *
 * <p>One instance describes one kernel's parameters; {@link #parse} may be called once per
 * boot. Not thread-safe (boot is single-threaded).
 */
public final class BootParams {
    /** A parameter's set function (the kernel_param_ops .set); throws KernelException for a bad value. */
    @FunctionalInterface
    public interface Setter {
        void set(String value);
    }

    private record Param(boolean noArg, Setter setter) {
    }

    /** A __setup() prefix, or (early) an early_param() name matched as NAME or NAME=...; the handler gets the rest. */
    private record Setup(String prefix, boolean early, Setter handler) {
        boolean matches(String line) {
            if (early) {
                return line.equals(prefix) || line.startsWith(prefix + "=");
            }
            return prefix.endsWith("=") ? line.startsWith(prefix) : line.equals(prefix);
        }
    }

    /** The kernel's own parameters, by name with '-' normalised to '_' (parameq()). */
    private final Map<String, Param> params = new LinkedHashMap<>();
    /** __setup() prefixes ("console=", "ro") and early_param() names ("movable_node"). */
    private final List<Setup> setups = new ArrayList<>();

    /** The parameters every modelled x86 Debian kernel knows whatever its memory configuration. */
    public static BootParams x86Defaults() {
        BootParams p = new BootParams();
        p.param("panic", false, v -> KernelStrings.kstrtoint(v, 0));
        p.param("panic_on_warn", false, v -> KernelStrings.kstrtoint(v, 0));
        p.param("pause_on_oops", false, v -> KernelStrings.kstrtoint(v, 0));
        p.param("initcall_debug", true, BootParams::bool);
        p.param("printk.time", true, BootParams::bool);
        p.param("page_alloc.shuffle", true, BootParams::bool);
        p.setup("console=", "dyndbg=", "root=", "ro", "rw", "init=", "rdinit=", "rootwait", "rootfstype=",
                "hugepages=", "default_hugepagesz=", "hugepagesz=", "transparent_hugepage=", "reboot=",
                "resume=", "noresume", "hibernate=", "no_console_suspend", "maxcpus=", "nosmp", "apic",
                "nohz=", "isolcpus=", "selinux=", "apparmor=", "security=", "lsm=");
        p.early("ignore_loglevel", "quiet", "debug", "loglevel", "earlyprintk", "earlycon", "mem", "memmap",
                "kernelcore", "movablecore", "nopat", "noexec", "nr_cpus", "possible_cpus", "acpi", "numa", "cma",
                "init_on_alloc", "init_on_free", "mitigations", "iommu", "swiotlb", "crashkernel", "memtest",
                "mce", "noapic", "nolapic", "pci", "efi", "nopti", "pti", "log_buf_len", "page_poison",
                "slub_debug", "memblock", "norandmaps", "nohugeiomap", "intel_iommu", "amd_iommu");
        return p;
    }

    /** Registers a kernel parameter; {@code noArg}: the type accepts a bare name (bool, KERNEL_PARAM_OPS_FL_NOARG). */
    public BootParams param(String name, boolean noArg, Setter setter) {
        params.put(normalise(name), new Param(noArg, setter));
        return this;
    }

    /** Registers __setup() prefixes whose handlers do nothing the model needs. */
    public BootParams setup(String... prefixes) {
        for (String s : prefixes) {
            setups.add(new Setup(s, false, rest -> { }));
        }
        return this;
    }

    /** Registers a __setup() prefix whose handler gets the text after it (and, as Linux's, returns 1). */
    public BootParams setup(String prefix, Setter handler) {
        setups.add(new Setup(prefix, false, handler));
        return this;
    }

    /** Registers early_param() names whose handlers do nothing the model needs. */
    public BootParams early(String... names) {
        for (String n : names) {
            setups.add(new Setup(n, true, rest -> { }));
        }
        return this;
    }

    /** Registers an early_param() name (parse_early_param() ran its handler; start_kernel() skips it). */
    public BootParams early(String name, Setter handler) {
        setups.add(new Setup(name, true, handler));
        return this;
    }

    private static void bool(String v) {
        KernelStrings.kstrtobool(v == null ? "1" : v);
    }

    /** One word of the command line: next_arg()'s param and val (null without '='). */
    public record Arg(String param, String val) {
    }

    /** Models next_arg() over the whole line: quotes group blanks, a value's surrounding quotes are dropped. */
    public static List<Arg> split(String cmdline) {
        List<Arg> out = new ArrayList<>();
        String s = cmdline == null ? "" : cmdline;
        int i = skipSpaces(s, 0);
        while (i < s.length()) {
            boolean quoted = s.charAt(i) == '"';
            int start = quoted ? i + 1 : i;
            boolean inQuote = quoted;
            int equals = -1;
            int j = start;
            for (; j < s.length(); j++) {
                char c = s.charAt(j);
                if (Character.isWhitespace(c) && !inQuote) {
                    break;
                }
                if (equals < 0 && c == '=') {
                    equals = j;
                }
                if (c == '"') {
                    inQuote = !inQuote;
                }
            }
            int end = j;
            String param;
            String val = null;
            if (equals < 0) {
                if (quoted && end > start && s.charAt(end - 1) == '"') {
                    end--;
                }
                param = s.substring(start, end);
            } else {
                param = s.substring(start, equals);
                int vs = equals + 1;
                if (vs < end && s.charAt(vs) == '"') {
                    vs++;
                    if (s.charAt(end - 1) == '"' && end - 1 >= vs) {
                        end--;
                    }
                } else if (quoted && s.charAt(end - 1) == '"') {
                    end--;
                }
                val = s.substring(vs, Math.max(vs, end));
            }
            out.add(new Arg(param, val));
            i = skipSpaces(s, j);
        }
        return out;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * Parses {@code cmdline} as start_kernel() does after printing it: parse_args("Booting
     * kernel", ...) (errors at KERN_ERR) then print_unknown_bootoptions() (KERN_NOTICE).
     */
    public void parse(String cmdline, Dmesg dmesg) {
        for (String line : parse(cmdline)) {
            dmesg.printk(line.startsWith("Unknown") ? LogLevel.NOTICE : LogLevel.ERR, line);
        }
    }

    /** Parses {@code cmdline}; returns the lines the kernel logs, in order. */
    public List<String> parse(String cmdline) {
        List<String> log = new ArrayList<>();
        List<String> argv = new ArrayList<>();
        List<String> envp = new ArrayList<>();
        for (Arg a : split(cmdline)) {
            if (a.val == null && a.param.equals("--")) {
                break;
            }
            Param p = params.get(normalise(a.param));
            if (p != null) {
                if (a.val == null && !p.noArg) {
                    log.add("Booting kernel: `' invalid for parameter `" + a.param + "'");
                    continue;
                }
                try {
                    p.setter.set(a.val);
                } catch (KernelException e) {
                    log.add("Booting kernel: `" + (a.val == null ? "" : a.val) + "' invalid for parameter `" + a.param + "'");
                }
                continue;
            }
            String line = a.val == null ? a.param : a.param + "=" + a.val;
            if (isSetup(line) || a.param.indexOf('.') >= 0) {
                continue;
            }
            if (a.val == null) {
                argv.add(line);
            } else {
                envp.removeIf(e -> e.startsWith(a.param + "="));
                envp.add(line);
            }
        }
        if (!argv.isEmpty() || !envp.isEmpty()) {
            List<String> all = new ArrayList<>(argv);
            all.addAll(envp);
            log.add("Unknown kernel command line parameters \"" + String.join(" ", all) + "\", will be passed to user space.");
        }
        return log;
    }

    /** Models obsolete_checksetup(): a __setup() prefix, or an early_param() name followed by nothing or '='. */
    private boolean isSetup(String line) {
        boolean found = false;
        for (Setup s : setups) {
            if (s.matches(line)) {
                s.handler.set(line.substring(Math.min(line.length(), s.prefix.length() + (s.early && line.length() > s.prefix.length() ? 1 : 0))));
                found = true;
            }
        }
        return found;
    }

    private static String normalise(String name) {
        return name.replace('-', '_');
    }
}
