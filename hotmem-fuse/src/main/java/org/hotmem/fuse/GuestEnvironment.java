package org.hotmem.fuse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where real programs run against a mounted machine: a private mount namespace
 * ({@code unshare --mount --propagation private}; needs root) in which the mount appears at
 * {@code /sys} (with debugfs at {@code /sys/kernel/debug}) and its procfs files over the host's
 * {@code /proc/meminfo}, {@code zoneinfo}, {@code buddyinfo}, {@code pagetypeinfo},
 * {@code vmstat}, ... (the rest of {@code /proc}, processes included, stays the host's), and
 * {@code kmod} ({@code /sbin/modprobe}, {@code insmod}, {@code rmmod}, {@code lsmod}) is the
 * simulator's. {@code PATH} starts with the guest tools ({@code memblocks}, {@code zonesum} as on
 * the recorder's guest; {@code pinmem}, {@code memhog}, {@code dmesg} as thin clients of the
 * model through {@code $HOTMEM_CTL}), then busybox's applets, as on the recorded guest (so
 * {@code sh} is busybox ash: {@code sh: write error: Device or resource busy}), then the host's.
 * The real debugfs is mounted under the mount's debugfs only so that {@code mount -t debugfs}
 * names {@code /sys/kernel/debug} as it does on the guest, as {@code mount -t sysfs} names /sys.
 * The kernel's selftest is at {@code /selftests/memory-hotplug/mem-on-off-test.sh}, as on the
 * recorder's guest (the directory {@code /selftests} is created on the host if missing, empty).
 * Procfs files the host kernel lacks (/proc/modules without CONFIG_MODULES) cannot be covered.
 * Busybox is built standalone: its sh runs applets by name before looking at PATH, so
 * {@code modprobe} typed bare is busybox's; {@code /sbin/modprobe} (what the selftest calls) is
 * the simulator's. For {@code dmesg} (busybox's applet reads the host's log with klogctl(2)) a
 * shell function puts the guest tool first: {@link #process} prefixes it to the script of a
 * {@code sh -c}, and {@code $ENV} defines it for interactive shells; a nested {@code sh -c}
 * gets busybox's.
 *
 * <p>Holds a temporary directory with the tools; {@link #close} removes it.
 */
public final class GuestEnvironment implements AutoCloseable {
    /** The guest tools shipped as resources next to this class. */
    static final List<String> TOOLS = List.of("memblocks", "zonesum", "pinmem", "memhog", "dmesg", "kmod");
    /** The kernel's selftest, at /selftests/memory-hotplug/ as on the recorder's guest. */
    static final String SELFTEST = "mem-on-off-test.sh";
    /** Applets busybox must not provide: the simulator's tools take their place. */
    private static final List<String> SHADOWED = List.of("dmesg", "modprobe", "insmod", "rmmod", "lsmod");

    private static final String SETUP = """
            set -e
            M=$1; T=$2; shift 2
            mount --bind "$M/sys" /sys
            mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
            mount --bind "$M/sys/kernel/debug" /sys/kernel/debug
            for f in "$M"/proc/*; do
              n=${f##*/}
              if [ -f "$f" ] && [ -f "/proc/$n" ]; then mount --bind "$f" "/proc/$n"; fi
            done
            mount --bind "$T/bin/kmod" "$(readlink -f /sbin/modprobe)"
            [ -d /selftests ] || mkdir /selftests
            mount --bind "$T/selftests" /selftests
            exec "$@"
            """;

    private final Path mount;
    private final Path root;

    private GuestEnvironment(Path mount, Path root) {
        this.mount = mount;
        this.root = root;
    }

    /** Prepares the tools for the machine mounted at {@code mount}. */
    public static GuestEnvironment create(Path mount) {
        try {
            Path root = Files.createTempDirectory("hotmem-guest");
            Path bin = Files.createDirectories(root.resolve("bin"));
            for (String t : TOOLS) {
                try (InputStream in = GuestEnvironment.class.getResourceAsStream("guest/" + t)) {
                    if (in == null) {
                        throw new IllegalStateException("guest tool " + t + " missing from the jar");
                    }
                    Path p = bin.resolve(t);
                    Files.copy(in, p);
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            Path selftest = Files.createDirectories(root.resolve("selftests/memory-hotplug")).resolve(SELFTEST);
            try (InputStream in = GuestEnvironment.class.getResourceAsStream("guest/selftests/memory-hotplug/" + SELFTEST)) {
                Files.copy(in, selftest);
            }
            Files.setPosixFilePermissions(selftest, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (String alias : List.of("modprobe", "insmod", "rmmod", "lsmod")) {
                Files.createSymbolicLink(bin.resolve(alias), Path.of("kmod"));
            }
            Files.writeString(root.resolve("profile"), SHELL_PRELUDE + "\n");
            Path bb = Files.createDirectories(root.resolve("busybox"));
            String busybox = which("busybox");
            if (busybox != null) {
                for (String applet : busyboxApplets(busybox)) {
                    if (!SHADOWED.contains(applet) && !TOOLS.contains(applet)) {
                        Files.createSymbolicLink(bb.resolve(applet), Path.of(busybox));
                    }
                }
            }
            return new GuestEnvironment(mount, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Defines dmesg as the guest tool in a busybox ash, whose own applets come before PATH. */
    static final String SHELL_PRELUDE = "dmesg() { \"$HOTMEM_TOOLS/dmesg\" \"$@\"; }";

    /** The PATH of the guest: tools, busybox applets, the host's directories. */
    public String path() {
        return root.resolve("bin") + ":" + root.resolve("busybox") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }

    /**
     * The process that runs {@code command} in the guest environment (not started); a
     * {@code sh -c SCRIPT} gets {@link #SHELL_PRELUDE} on the script's first line.
     */
    public ProcessBuilder process(List<String> command) {
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                SETUP, "hotmem-setup", mount.toString(), root.toString()));
        int at = argv.size();
        argv.addAll(command);
        if (command.size() >= 3 && command.get(0).equals("sh") && command.get(1).equals("-c")) {
            argv.set(at + 2, SHELL_PRELUDE + "; " + command.get(2));
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        env.put("PATH", path());
        env.put("HOTMEM_CTL", mount.resolve(GuestTools.DIR.substring(1)).toString());
        env.put("HOTMEM_TOOLS", root.resolve("bin").toString());
        env.put("ENV", root.resolve("profile").toString());
        return pb;
    }

    private static List<String> busyboxApplets(String busybox) throws IOException {
        Process p = new ProcessBuilder(busybox, "--list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
    }

    private static String which(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    @Override
    public void close() {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
