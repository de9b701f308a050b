package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.hotmem.FuzzSeeds;
import org.hotmem.hotplug.HotplugParams;
import org.hotmem.hotplug.MemoryInvariants;
import org.hotmem.hv.MemoryOptions;
import org.hotmem.hv.QemuConfigException;
import org.hotmem.kernel.BootParams;
import org.hotmem.kernel.KernelPanic;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzer: QEMU {@code -m} values and kernel command lines. A refused {@code -m} must
 * be one of QEMU's texts, an accepted one a sane layout; a command line must produce exactly
 * the boot messages Linux's parse_args() gives for its words (computed independently below);
 * a few machines are booted with fuzzed sizes and command lines: they boot (invariants hold)
 * or the guest panics with Linux's line, and nothing else escapes.
 */
class MachineOptionsFuzzTest {
    private static final List<Pattern> QEMU_TEXTS = List.of(
            Pattern.compile("-m .*: Parameter '(size|maxmem)' expects a non-negative number below 2\\^64\n.*", Pattern.DOTALL),
            Pattern.compile("-m .*: Value '.*' is out of range for parameter '(size|maxmem)'"),
            Pattern.compile("-m .*: Parameter 'slots' expects a number"),
            Pattern.compile("-m .*: Value '.*' is too large for parameter 'slots'"),
            Pattern.compile("-m .*: Invalid parameter '.*'"),
            Pattern.compile("-m .*: missing 'size' option value"),
            Pattern.compile("-m .*: too large 'size' option value"),
            Pattern.compile("invalid value of maxmem: .*"),
            Pattern.compile("slots specified but no max-size"),
            Pattern.compile("ram size too large"),
            Pattern.compile("unsupported amount of memory slots: .*"),
            Pattern.compile("-m .*: Parameter 'size' expects .*"));

    private static String size(SplittableRandom r) {
        String[] suffixes = {"", "k", "K", "M", "G", "T", "P", "E", "B", "X", "MiB", ".5G", "e3"};
        String num = switch (r.nextInt(6)) {
            case 0 -> Long.toString(r.nextInt(4096));
            case 1 -> "0";
            case 2 -> "-" + r.nextInt(10);
            case 3 -> "9".repeat(r.nextInt(25) + 1);
            case 4 -> "0x" + Integer.toHexString(r.nextInt());
            default -> Integer.toString(r.nextInt(64) + 1);
        };
        return num + suffixes[r.nextInt(suffixes.length)];
    }

    @Test
    void memoryOptionsAreAcceptedOrRefusedWithQemusText() {
        long base = FuzzSeeds.base(72L);
        int cases = FuzzSeeds.cases(2000);
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = FuzzSeeds.random(base, i);
            StringBuilder m = new StringBuilder(r.nextInt(10) == 0 ? "size=" : "").append(size(r));
            if (r.nextBoolean()) {
                m.append(",slots=").append(r.nextInt(5) == 0 ? size(r) : Integer.toString(r.nextInt(300)));
            }
            if (r.nextBoolean()) {
                m.append(",maxmem=").append(size(r));
            }
            if (r.nextInt(15) == 0) {
                m.append(r.nextBoolean() ? ",bogus=1" : ",,");
            }
            String where = FuzzSeeds.replay("-m", base, i) + m + ": ";
            try {
                MemoryOptions o = MemoryOptions.parse(m.toString());
                assertEquals(0, o.ramSize() % 8192, where + "size not 8 KiB aligned");
                assertTrue(Long.compareUnsigned(o.maxRamSize(), o.ramSize()) >= 0, where + "maxmem below size");
                assertTrue(o.ramSize() != 0, where + "size 0 must mean the default");
            } catch (QemuConfigException e) {
                assertTrue(QEMU_TEXTS.stream().anyMatch(p -> p.matcher(e.getMessage()).matches()), where + e.getMessage());
            } catch (RuntimeException e) {
                fail(where + "escaped: " + e, e);
            }
        }
    }

    /** Words of a command line: hotplug's and the core's parameters with good and bad values, setups, unknown words. */
    private static String word(SplittableRandom r) {
        String[] params = {"memory_hotplug.auto_movable_ratio", "memory_hotplug.online_policy", "memory_hotplug.auto_movable_numa_aware",
                "memory_hotplug.memmap_on_memory", "panic", "printk.time"};
        String[] values = {"", "1", "0", "abc", "+5", "-1", "0x10", "99999999999999999999", "auto-movable", "contig-zones", "force", "y", "off"};
        return switch (r.nextInt(5)) {
            case 0, 1 -> params[r.nextInt(params.length)] + (r.nextInt(6) == 0 ? "" : "=" + values[r.nextInt(values.length)]);
            case 2 -> new String[] {"movable_node", "quiet", "console=ttyS1", "memhp_default_state=bogus", "ro", "root=/dev/vda"}[r.nextInt(6)];
            case 3 -> new String[] {"nokaslr", "foo", "bar=1", "bar=2", "x.y=z", "ZZ"}[r.nextInt(6)];
            default -> "\"quoted=a b\"";
        };
    }

    /** What parse_args() logs for one word, by the rules of kernel/params.c and the parameters' types. */
    private static String expected(String param, String val, KernelVersion v) {
        boolean noArg = param.equals("printk.time") || param.equals("memory_hotplug.auto_movable_numa_aware")
                || param.equals("memory_hotplug.memmap_on_memory") && !v.has(KernelFeature.MEMMAP_ON_MEMORY_FORCE);
        if (val == null && !noArg) {
            return "Booting kernel: `' invalid for parameter `" + param + "'";
        }
        String x = val == null ? "1" : val;
        boolean ok = switch (param) {
            case "memory_hotplug.auto_movable_ratio" -> x.matches("\\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]{0,8})")
                    && Long.decode(x.replace("+", "").replaceFirst("^0([0-7]+)$", "0$1")) <= 0xffffffffL;
            case "memory_hotplug.online_policy" -> x.equals("auto-movable") || x.equals("contig-zones");
            case "memory_hotplug.memmap_on_memory" -> x.equals("force") && v.has(KernelFeature.MEMMAP_ON_MEMORY_FORCE) || x.matches("(?i)[yt1nf0].*|o[nf].*");
            case "panic" -> x.matches("[-+]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]{0,8})");
            default -> x.matches("(?i)[yt1nf0].*|o[nf].*");
        };
        return ok ? null : "Booting kernel: `" + (val == null ? "" : val) + "' invalid for parameter `" + param + "'";
    }

    @Test
    void kernelCommandLinesGetLinuxsMessagesInOrder() {
        long base = FuzzSeeds.base(61L);
        int cases = FuzzSeeds.cases(800);
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = FuzzSeeds.random(base, i);
            KernelVersion v = r.nextBoolean() ? KernelVersion.V6_1 : KernelVersion.V6_12;
            List<String> words = new ArrayList<>();
            for (int n = r.nextInt(8); n >= 0; n--) {
                words.add(word(r));
            }
            String cmdline = String.join(" ", words);
            String where = FuzzSeeds.replay("cmdline", base, i) + cmdline + " (" + v + "): ";
            List<String> want = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            List<String> envs = new ArrayList<>();
            for (BootParams.Arg a : BootParams.split(cmdline)) {
                if (a.param().startsWith("memory_hotplug.") || a.param().equals("panic") || a.param().equals("printk.time")) {
                    String e = expected(a.param(), a.val(), v);
                    if (e != null) {
                        want.add(e);
                    }
                } else if (a.param().equals("nokaslr") || a.param().equals("foo") || a.param().equals("ZZ")) {
                    unknown.add(a.param());
                } else if (a.param().equals("bar") || a.param().equals("quoted")) {
                    envs.removeIf(x -> x.startsWith(a.param() + "="));
                    envs.add(a.param() + "=" + a.val());
                }
            }
            unknown.addAll(envs);
            if (!unknown.isEmpty()) {
                want.add("Unknown kernel command line parameters \"" + String.join(" ", unknown) + "\", will be passed to user space.");
            }
            HotplugParams hp = HotplugParams.defaults(v);
            try {
                assertEquals(want, hp.register(BootParams.x86Defaults(), v).parse(cmdline), where);
            } catch (RuntimeException e) {
                fail(where + "escaped: " + e, e);
            }
        }
    }

    @Test
    void fuzzedMachinesBootOrPanicAsLinuxDoes() {
        long base = FuzzSeeds.base(5L);
        int cases = FuzzSeeds.cases(6);
        String[] sizes = {"0", "64M", "96M", "128M", "200M", "1G", "512M,slots=2,maxmem=4G", "3584M"};
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = FuzzSeeds.random(base, i);
            String m = sizes[r.nextInt(sizes.length)];
            String cmdline = word(r) + " " + word(r);
            String where = FuzzSeeds.replay("boot", base, i) + "-m " + m + " " + cmdline + ": ";
            try {
                Machine machine = Machine.boot(new MachineConfig(m, cmdline, List.of(), KernelVersion.V6_12, 1));
                List<String> log = machine.drainKernelLog();
                int line = indexOf(log, "Kernel command line: ");
                assertTrue(line >= 0 && indexOf(log, "Dentry cache hash table") > line, where + "the command line's place in the log");
                assertEquals(List.of(), MemoryInvariants.check(machine.hotplug()), where);
            } catch (KernelPanic p) {
                assertTrue(p.getMessage().startsWith("Kernel panic - not syncing: "), where + p.getMessage());
            } catch (RuntimeException e) {
                fail(where + "escaped: " + e, e);
            }
        }
    }

    private static int indexOf(List<String> log, String text) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
