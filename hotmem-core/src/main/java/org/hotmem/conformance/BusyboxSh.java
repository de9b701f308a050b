package org.hotmem.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.UserProgram;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.kernel.fs.KNode;
import org.hotmem.kernel.fs.KSymlink;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.power.Hibernation;
import org.hotmem.power.Resume;
import org.hotmem.power.S2disk;

/**
 * The guest's {@code sh -c COMMAND} for the conformance subset, imitating busybox 1.35 ash
 * and applets byte for byte: {@code cat}, {@code echo} (with {@code > PATH}), {@code ls},
 * {@code grep}, {@code test}/{@code [}, {@code true}, {@code false}, {@code sleep}, {@code mkswap} and
 * {@code swapon} on the machine's virtio disks, the uswsusp programs
 * {@code s2disk} and {@code resume} (Java programs on /dev/snapshot, see {@link S2disk}), the recorded guests' helper scripts
 * {@code memblocks}, {@code zonesum} and {@code cmmstat}, and the machine's {@link UserProgram}s
 * (insmod, rmmod, memhog). stdout and stderr go to one
 * output, in order.
 *
 * <p>Every file access is a kernfs access: a read calls the attribute's show, a write its
 * store with exactly the written bytes ({@code "online\n"}). {@link #run} must therefore be
 * called inside a task of the machine's kernel, because show/store may take locks and
 * sleep. Errors map to busybox's texts through {@link Errno#strerror()}.
 *
 * <p>Not thread-safe; one instance per command task is fine, it holds no state but its
 * collaborators.
 */
public final class BusyboxSh {
    /** The virtual time a command costs before it runs (fork + exec under TCG). */
    public static final long EXEC_NS = 20_000_000L;
    /** The extra virtual time memblocks spends per block (it runs a few cats per block). */
    public static final long MEMBLOCKS_PER_BLOCK_NS = 45_000_000L;

    static final String MEMORY_DIR = "/sys/devices/system/memory";
    private static final Pattern MEMORY_N = Pattern.compile("memory([0-9]+)");
    private static final Pattern NODE_N = Pattern.compile("node([0-9]+)");
    private static final Pattern ZONE_HEADER = Pattern.compile("Node (\\d+), zone\\s+(\\S+)");

    private final Kernfs fs;
    private final LongConsumer spend;
    /** The machine's hibernation core with its block devices (mkswap, swapon), or null: no disks. */
    private final Hibernation power;
    /** The machine's programs beyond the applets, by name. */
    private final java.util.Map<String, UserProgram> programs;

    /**
     * @param fs    the machine's kernfs
     * @param spend lets virtual time pass inside the running task (e.g. {@code ns -> kernel.msleep(ns / 1_000_000)});
     *              a no-op is fine where time does not matter
     */
    public BusyboxSh(Kernfs fs, LongConsumer spend) {
        this(fs, spend, null);
    }

    /** As {@link #BusyboxSh(Kernfs, LongConsumer)}, with the machine's disks for mkswap and swapon. */
    public BusyboxSh(Kernfs fs, LongConsumer spend, Hibernation power) {
        this(fs, spend, power, java.util.Map.of());
    }

    /** As above, with the machine's further programs (insmod, rmmod, memhog: {@link UserProgram}s). */
    public BusyboxSh(Kernfs fs, LongConsumer spend, Hibernation power, java.util.Map<String, UserProgram> programs) {
        this.fs = fs;
        this.spend = spend;
        this.power = power;
        this.programs = programs;
    }

    /** The commands of the subset; anything else needs a real shell. */
    private static final java.util.Set<String> COMMANDS = java.util.Set.of("cat", "echo", "ls", "grep", "test", "[", "true",
            "false", "memblocks", "zonesum", "mkswap", "swapon", "s2disk", "resume", "cmmstat", "insmod", "rmmod", "memhog", "sleep");

    /**
     * True if this subset runs {@code line} as busybox would (a simple command of the subset, or a
     * syntax error it reports as busybox does); false for loops, pipes, substitutions, other
     * programs: those need a real shell ({@code hotmem exec}'s guest environment).
     */
    public static boolean handles(String line) {
        try {
            ShellTokenizer.Command cmd = ShellTokenizer.parse(line);
            return cmd.words().isEmpty() || COMMANDS.contains(cmd.words().get(0));
        } catch (ShellTokenizer.SyntaxError e) {
            return !e.outsideSubset;
        }
    }

    /** Runs one command line as {@code sh -c LINE} and returns its output and exit status. */
    public ShellResult run(String line) {
        spend.accept(EXEC_NS);
        StringBuilder out = new StringBuilder();
        ShellTokenizer.Command cmd;
        try {
            cmd = ShellTokenizer.parse(line);
        } catch (ShellTokenizer.SyntaxError e) {
            return new ShellResult(e.getMessage() + "\n", e.rc);
        }
        // redirections in order, as ash's redirect(): each target is opened when it is reached
        Sink[] fds = {null, Sink.CONSOLE, Sink.CONSOLE};
        for (ShellTokenizer.Redirect r : cmd.redirects()) {
            if (r.fd() != 1 && r.fd() != 2) {
                continue; // another descriptor: nothing of the subset writes to it
            }
            if (r.target() == null) {
                fds[r.fd()] = fds[r.dupOf()];
                continue;
            }
            if (r.target().equals("/dev/null")) {
                fds[r.fd()] = Sink.NULL;
                continue;
            }
            try {
                fds[r.fd()] = new Sink(fs.openForWrite(abs(r.target()), true));
            } catch (KernelException e) {
                out.append("sh: can't create ").append(r.target()).append(": ")
                        .append(e.errno() == Errno.ENOENT ? "nonexistent directory" : e.errno().strerror()).append('\n');
                return new ShellResult(out.toString(), 1);
            }
        }
        List<String> words = expand(cmd);
        if (words.isEmpty()) {
            // "> FILE" alone opens (and truncates) the file: no write reaches a store
            return new ShellResult(out.toString(), 0);
        }
        StringBuilder stdout = fds[1] == Sink.CONSOLE ? out : new StringBuilder();
        StringBuilder stderr = fds[2] == Sink.CONSOLE ? out : fds[2] == fds[1] ? stdout : new StringBuilder();
        Io io = new Io(stdout, stderr);
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        int rc = switch (name) {
            case "cat" -> cat(args, io);
            case "echo" -> echo(args, io);
            case "ls" -> ls(args, io);
            case "grep" -> grep(args, io);
            case "test" -> test(args, io, false);
            case "[" -> test(args, io, true);
            case "true" -> 0;
            case "false" -> 1;
            case "memblocks" -> memblocks(args, io);
            case "zonesum" -> zonesum(io);
            case "cmmstat" -> cmmstat(io);
            case "sleep" -> sleep(args, io);
            case "mkswap" -> mkswap(args, io);
            case "swapon" -> swapon(args, io);
            case "s2disk" -> power == null ? noDevice("s2disk", io) : S2disk.main(power, args, io.stdout(), io.stderr());
            case "resume" -> power == null ? noDevice("resume", io) : Resume.main(power, args, io.stdout(), io.stderr());
            default -> {
                UserProgram prog = programs.get(name);
                if (prog != null) {
                    StringBuilder po = new StringBuilder();
                    int prc = prog.run(args, po);
                    io.stdout().append(po);
                    yield prc;
                }
                io.err("sh: " + name + ": not found");
                yield 127;
            }
        };
        // the applet's one write(2) of its whole output (echo writes "WORD\n" at once)
        if (fds[1].file != null && !stdout.isEmpty()) {
            try {
                fds[1].file.write(stdout.toString());
            } catch (KernelException e) {
                (fds[2] == fds[1] ? out : stderr).append(name.equals("echo") ? "sh" : name)
                        .append(": write error: ").append(e.errno().strerror()).append('\n');
                rc = 1;
            }
        }
        if (fds[2].file != null && fds[2] != fds[1] && !stderr.isEmpty()) {
            try {
                fds[2].file.write(stderr.toString());
            } catch (KernelException e) {
                rc = 1; // nowhere left to say so
            }
        }
        return new ShellResult(out.toString(), rc);
    }

    /** Where a descriptor's output goes: the console, nowhere (/dev/null) or a sysfs attribute. */
    private record Sink(KFile file) {
        static final Sink CONSOLE = new Sink(null);
        static final Sink NULL = new Sink(null);
    }

    /** ash's pathname expansion: a glob word becomes the sorted matching paths, or stays as written if none match. */
    private List<String> expand(ShellTokenizer.Command cmd) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cmd.words().size(); i++) {
            String g = cmd.globs().get(i);
            List<String> matches = g == null ? List.of() : Glob.expand(fs, g);
            if (matches.isEmpty()) {
                out.add(cmd.words().get(i));
            } else {
                out.addAll(matches);
            }
        }
        return out;
    }

    /** The command's stdout and stderr; both end up in the one output, stderr unbuffered. */
    private record Io(StringBuilder stdout, StringBuilder stderr) {
        void out(String s) {
            stdout.append(s);
        }

        void err(String line) {
            stderr.append(line).append('\n');
        }
    }

    // ---------------------------------------------------------------- swap

    /** busybox 1.35's usage texts (printed to stderr, exit status 1, when an applet gets no operand). */
    private static final String BUSYBOX_BANNER = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n";
    private static final String MKSWAP_USAGE = BUSYBOX_BANNER + "Usage: mkswap [-L LBL] BLOCKDEV [KBYTES]\n\n"
            + "Prepare BLOCKDEV to be used as swap partition\n\n\t-L LBL\tLabel";
    private static final String SWAPON_USAGE = BUSYBOX_BANNER + "Usage: swapon [-a] [-e] [-d[POL]] [DEVICE]\n\n"
            + "Start swapping on DEVICE\n\n\t-a\tStart swapping on all swap devices\n"
            + "\t-d[POL]\tDiscard blocks at swapon (POL=once),\n\t\tas freed (POL=pages), or both (POL omitted)\n"
            + "\t-e\tSilently skip devices that do not exist";

    /**
     * busybox mkswap DEVICE: a version-1 swap header over the whole device, then
     * "Setting up swapspace version 1, size = N bytes" and its UUID line on stdout. A label or
     * a size (-L, KBYTES) is not modelled.
     */
    private int mkswap(List<String> args, Io io) {
        if (args.isEmpty()) {
            io.err(MKSWAP_USAGE);
            return 1;
        }
        if (args.size() > 1 || args.get(0).startsWith("-")) {
            io.err("mkswap: model: only 'mkswap BLOCKDEV' is modelled");
            return 1;
        }
        String dev = args.get(0);
        if (power == null || !power.hasBlockDevice(dev)) {
            io.err("mkswap: can't open '" + dev + "': " + Errno.ENOENT.strerror());
            return 1;
        }
        long bytes = power.mkswap(dev);
        io.out("Setting up swapspace version 1, size = " + bytes + " bytes\nUUID=" + power.swapUuid(dev) + "\n");
        return 0;
    }

    /** A uswsusp program on a machine without /dev/snapshot. */
    private static int noDevice(String name, Io io) {
        io.err(name + ": /dev/snapshot: " + Errno.ENOENT.strerror());
        return 1;
    }

    /** busybox swapon DEVICE: sys_swapon(), its error as "swapon: DEVICE: STRERROR". Options are not modelled. */
    private int swapon(List<String> args, Io io) {
        if (args.isEmpty()) {
            io.err(SWAPON_USAGE);
            return 1;
        }
        if (args.size() > 1 || args.get(0).startsWith("-")) {
            io.err("swapon: model: only 'swapon DEVICE' is modelled");
            return 1;
        }
        String dev = args.get(0);
        if (power == null || !power.hasBlockDevice(dev)) {
            io.err("swapon: " + dev + ": " + Errno.ENOENT.strerror());
            return 1;
        }
        try {
            power.swapon(dev);
            return 0;
        } catch (KernelException e) {
            io.err("swapon: " + dev + ": " + e.errno().strerror());
            return 1;
        }
    }

    // ---------------------------------------------------------------- file access

    /** The shell runs in {@code /}: a relative path is taken from there; "" stays empty (ENOENT). */
    private static String abs(String path) {
        return path.isEmpty() || path.startsWith("/") ? path : "/" + path;
    }

    /** Why opening {@code path} for reading fails, or null if it opens. */
    private Errno openReadError(String path) {
        try {
            fs.openForRead(abs(path), true);
            return null;
        } catch (KernelException e) {
            return e.errno();
        }
    }

    /**
     * Reads a whole opened file: the text, or throws the errno of read(2): EISDIR for a
     * directory, the show's errno otherwise.
     */
    private String readOpened(String path) {
        KNode n = fs.userPath(abs(path), true);
        if (n instanceof KFile f && !f.isRemoved()) {
            return f.read();
        }
        if (n instanceof KDir) {
            throw new KernelException(Errno.EISDIR);
        }
        throw new KernelException(Errno.ENODEV); // removed between open and read
    }

    // ---------------------------------------------------------------- applets

    /** busybox cat: each file in order; a file that cannot be opened is reported and skipped. */
    private int cat(List<String> args, Io io) {
        int rc = 0;
        for (String p : args) {
            Errno e = openReadError(p);
            if (e != null) {
                io.err("cat: can't open '" + p + "': " + e.strerror());
                rc = 1;
                continue;
            }
            try {
                io.out(readOpened(p));
            } catch (KernelException ex) {
                io.err("cat: read error: " + ex.errno().strerror());
                rc = 1;
            }
        }
        return rc;
    }

    /** busybox echo: -n, -e, -E as leading options; the words joined by blanks plus a newline. */
    private int echo(List<String> args, Io io) {
        boolean newline = true;
        boolean escapes = false;
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.length() < 2 || a.charAt(0) != '-' || !a.substring(1).chars().allMatch(ch -> "neE".indexOf(ch) >= 0)) {
                break;
            }
            for (char ch : a.substring(1).toCharArray()) {
                if (ch == 'n') {
                    newline = false;
                } else {
                    escapes = ch == 'e';
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int j = i; j < args.size(); j++) {
            if (j > i) {
                sb.append(' ');
            }
            if (escapes) {
                if (unescape(args.get(j), sb)) {
                    io.out(sb.toString());
                    return 0; // \c: stop output here
                }
            } else {
                sb.append(args.get(j));
            }
        }
        if (newline) {
            sb.append('\n');
        }
        io.out(sb.toString());
        return 0;
    }

    /** Appends {@code s} with echo -e escapes; returns true on {@code \c}. */
    private static boolean unescape(String s, StringBuilder sb) {
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c != '\\' || k + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char d = s.charAt(++k);
            switch (d) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case '\\' -> sb.append('\\');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'r' -> sb.append('\r');
                case 'v' -> sb.append('\u000b');
                case 'c' -> {
                    return true;
                }
                default -> sb.append('\\').append(d);
            }
        }
        return false;
    }

    /** busybox ls (output not a tty): one name per line in byte order; files named as given. */
    private int ls(List<String> args, Io io) {
        List<String> paths = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-1")) {
                continue;
            }
            if (a.startsWith("-") && a.length() > 1) {
                io.err("ls: unrecognized option '" + a + "'");
                return 1;
            }
            paths.add(a);
        }
        if (paths.isEmpty()) {
            paths.add(".");
        }
        int rc = 0;
        List<String> files = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (String p : paths) {
            KNode n;
            try {
                n = p.equals(".") ? fs.root() : fs.userWalk(abs(p), true);
            } catch (KernelException e) {
                io.err("ls: " + p + ": " + e.errno().strerror());
                rc = 1;
                continue;
            }
            if (n instanceof KDir) {
                dirs.add(p);
            } else {
                files.add(p);
            }
        }
        for (String f : files) {
            io.out(f + "\n");
        }
        boolean headers = paths.size() > 1;
        boolean first = files.isEmpty();
        for (String d : dirs) {
            if (headers) {
                io.out((first ? "" : "\n") + d + ":\n");
            }
            first = false;
            KDir dir = d.equals(".") ? fs.root() : (KDir) fs.userPath(abs(d), true);
            for (String name : dir.list()) {
                io.out(name + "\n");
            }
        }
        return rc;
    }

    /**
     * busybox grep with -H -h -v -c -q -s -i -F: prints matching lines, {@code FILE:} prefixed
     * with -H or several files. Exit 0 if a line matched, 1 if none, 2 if a file could not be
     * read (even when others matched), unless -q found a match.
     */
    private int grep(List<String> args, Io io) {
        boolean withName = false;
        boolean noName = false;
        boolean invert = false;
        boolean count = false;
        boolean quiet = false;
        boolean silent = false;
        boolean ignoreCase = false;
        boolean fixed = false;
        boolean wholeLine = false;
        String pattern = null;
        List<String> files = new ArrayList<>();
        boolean optionsDone = false;
        for (String a : args) {
            if (!optionsDone && a.equals("--")) {
                optionsDone = true;
            } else if (!optionsDone && a.startsWith("-") && a.length() > 1) {
                for (char c : a.substring(1).toCharArray()) {
                    switch (c) {
                        case 'H' -> { withName = true; noName = false; }
                        case 'h' -> { noName = true; withName = false; }
                        case 'v' -> invert = true;
                        case 'c' -> count = true;
                        case 'q' -> quiet = true;
                        case 's' -> silent = true;
                        case 'i' -> ignoreCase = true;
                        case 'F' -> fixed = true;
                        case 'x' -> wholeLine = true;
                        default -> {
                            io.err("grep: invalid option -- '" + c + "'");
                            return 2;
                        }
                    }
                }
            } else if (pattern == null) {
                pattern = a;
            } else {
                files.add(a);
            }
        }
        if (pattern == null) {
            io.err("grep: no pattern");
            return 2;
        }
        Pattern re;
        try {
            re = Pattern.compile(fixed ? Pattern.quote(pattern) : breToJava(pattern),
                    ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            io.err("grep: bad regex '" + pattern + "'");
            return 2;
        }
        boolean prefix = withName || (!noName && files.size() > 1);
        boolean matched = false;
        boolean error = false;
        for (String f : files) {
            Errno e = openReadError(f);
            String text = null;
            if (e == null) {
                try {
                    text = readOpened(f);
                } catch (KernelException ex) {
                    e = ex.errno();
                }
            }
            if (e != null) {
                if (!silent) {
                    io.err("grep: " + f + ": " + e.strerror());
                }
                error = true;
                continue;
            }
            int n = 0;
            for (String l : lines(text)) {
                if ((wholeLine ? re.matcher(l).matches() : re.matcher(l).find()) != invert) {
                    matched = true;
                    n++;
                    if (quiet) {
                        return 0;
                    }
                    if (!count) {
                        io.out((prefix ? f + ":" : "") + l + "\n");
                    }
                }
            }
            if (count && !quiet) {
                io.out((prefix ? f + ":" : "") + n + "\n");
            }
        }
        return error ? 2 : matched ? 0 : 1;
    }

    /** The lines of a text: split at '\n', a final line without newline included. */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** Translates a POSIX basic regular expression to java.util.regex: BRE's + ? | ( ) { } are literals. */
    static String breToJava(String bre) {
        StringBuilder sb = new StringBuilder();
        boolean inBracket = false;
        for (int i = 0; i < bre.length(); i++) {
            char c = bre.charAt(i);
            if (inBracket) {
                if (c == ']' && sb.charAt(sb.length() - 1) != '[' && !(sb.charAt(sb.length() - 1) == '^' && sb.charAt(sb.length() - 2) == '[')) {
                    inBracket = false;
                } else if (c == '\\' || c == '[' || c == '&' || c == '~') {
                    sb.append('\\');
                }
                sb.append(c);
                continue;
            }
            switch (c) {
                case '[' -> {
                    inBracket = true;
                    sb.append(c);
                }
                case '+', '?', '|', '(', ')', '{', '}' -> sb.append('\\').append(c);
                case '\\' -> {
                    if (i + 1 < bre.length()) {
                        char d = bre.charAt(++i);
                        if ("(){}|+?".indexOf(d) >= 0) {
                            sb.append(d); // \( \) \{ \} are BRE's groups and bounds
                        } else {
                            sb.append('\\').append(d);
                        }
                    } else {
                        sb.append("\\\\");
                    }
                }
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** busybox test / [: -e -f -d -L -r -w -s, -n -z, string = and !=, !; exit 0 true, 1 false, 2 error. */
    private int test(List<String> args, Io io, boolean bracket) {
        List<String> a = new ArrayList<>(args);
        String name = bracket ? "[" : "test";
        if (bracket) {
            if (a.isEmpty() || !a.get(a.size() - 1).equals("]")) {
                io.err("sh: [: missing ]");
                return 2;
            }
            a.remove(a.size() - 1);
        }
        boolean negate = false;
        if (!a.isEmpty() && a.get(0).equals("!") && a.size() > 1) {
            negate = true;
            a.remove(0);
        }
        boolean result;
        if (a.isEmpty()) {
            result = false;
        } else if (a.size() == 1) {
            result = !a.get(0).isEmpty();
        } else if (a.size() == 2) {
            String op = a.get(0);
            String p = a.get(1);
            KNode n = op.equals("-L") || op.equals("-h") ? fs.userPath(abs(p), false) : fs.userPath(abs(p), true);
            Boolean r = switch (op) {
                case "-e" -> n != null;
                case "-f" -> n instanceof KFile;
                case "-d" -> n instanceof KDir;
                case "-L", "-h" -> n instanceof KSymlink;
                case "-r" -> n instanceof KDir || n instanceof KFile f && (f.mode() & 0444) != 0;
                case "-w" -> n instanceof KDir || n instanceof KFile f && (f.mode() & 0222) != 0;
                case "-s" -> n instanceof KDir || n instanceof KFile; // sysfs attributes stat as 4096 bytes
                case "-n" -> !p.isEmpty();
                case "-z" -> p.isEmpty();
                default -> null;
            };
            if (r == null) {
                io.err("sh: " + name + ": " + op + ": unknown operand");
                return 2;
            }
            result = r;
        } else if (a.size() == 3 && (a.get(1).equals("=") || a.get(1).equals("!="))) {
            result = a.get(0).equals(a.get(2)) == a.get(1).equals("=");
        } else {
            io.err("sh: " + name + ": " + a.get(1) + ": unknown operand");
            return 2;
        }
        return result != negate ? 0 : 1;
    }

    /**
     * The recorded guest's {@code memblocks [N...]}: one line per block (all blocks in numeric
     * order without arguments), {@code memoryN state=... phys_index=... removable=... node=...
     * valid_zones=...}, or {@code memoryN absent}. Values are the files' texts without
     * trailing newlines ({@code $(cat FILE)}).
     */
    private int memblocks(List<String> args, Io io) {
        List<String> ids = new ArrayList<>(args);
        if (ids.isEmpty()) {
            KNode top = fs.userPath(MEMORY_DIR, true);
            if (top instanceof KDir d) {
                List<Long> nums = new ArrayList<>();
                for (String e : d.list()) {
                    Matcher m = MEMORY_N.matcher(e);
                    if (m.matches() && m.group(1).length() < 19) {
                        nums.add(Long.parseLong(m.group(1)));
                    }
                }
                nums.sort(null);
                nums.forEach(x -> ids.add(Long.toString(x)));
            }
        }
        for (String id : ids) {
            spend.accept(MEMBLOCKS_PER_BLOCK_NS);
            String dir = MEMORY_DIR + "/memory" + id;
            if (!(fs.userPath(dir, true) instanceof KDir d)) {
                io.out("memory" + id + " absent\n");
                continue;
            }
            String state = catValue(dir + "/state", io);
            String physIndex = catValue(dir + "/phys_index", io);
            String removable = catValue(dir + "/removable", io);
            StringBuilder nodes = new StringBuilder();
            for (String e : d.list()) {
                Matcher m = NODE_N.matcher(e);
                if (m.matches()) {
                    nodes.append(nodes.isEmpty() ? "" : ",").append(m.group(1));
                }
            }
            String zones = catValue(dir + "/valid_zones", io);
            io.out("memory" + id + " state=" + state + " phys_index=" + physIndex + " removable=" + removable
                    + " node=" + nodes + " valid_zones=" + zones + "\n");
        }
        return 0;
    }

    /** {@code $(cat PATH)}: the text without trailing newlines; cat's errors go to stderr. */
    private String catValue(String path, Io io) {
        StringBuilder value = new StringBuilder();
        cat(List.of(path), new Io(value, io.stderr()));
        int end = value.length();
        while (end > 0 && value.charAt(end - 1) == '\n') {
            end--;
        }
        return value.substring(0, end);
    }

    /**
     * The recorded guest's {@code zonesum}: for every {@code Node N, zone NAME} section of
     * /proc/zoneinfo, {@code node N NAME start_pfn=PFN(0xHEX) spanned=S present=P managed=M},
     * {@code start_pfn=-} when the zone has no pages (zoneinfo prints no start_pfn then).
     */
    /**
     * busybox's {@code sleep} (FANCY_SLEEP): the sum of its arguments, each a decimal number of
     * seconds with an optional s/m/h/d suffix; the time passes in the command's task.
     */
    private int sleep(List<String> args, Io io) {
        if (args.isEmpty()) {
            io.err("BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) multi-call binary.\n\nUsage: sleep [N]...\n\n"
                    + "Pause for a time equal to the total of the args given, where each arg can\n"
                    + "have an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays");
            return 1;
        }
        double total = 0;
        for (String a : args) {
            Matcher m = SLEEP_ARG.matcher(a);
            if (!m.matches()) {
                io.err("sleep: invalid number '" + a + "'");
                return 1;
            }
            double mult = switch (m.group(2)) {
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86400;
                default -> 1;
            };
            total += Double.parseDouble(m.group(1)) * mult;
        }
        spend.accept((long) (total * 1e9));
        return 0;
    }

    private static final Pattern SLEEP_ARG = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)([smhd]?)");

    /**
     * The pseries recorder's {@code cmmstat} script: the CMM device's three counters (or that
     * the device is absent), MemTotal/MemFree/MemAvailable of /proc/meminfo on one line, and
     * the pgmigrate_success/fail and balloon_* lines of /proc/vmstat on one line.
     */
    private int cmmstat(Io io) {
        String d = "/sys/devices/system/cmm/cmm0";
        if (fs.lookup(d) instanceof KDir) {
            io.stdout().append("cmm loaned_kb=").append(catQuiet(d + "/loaned_kb")).append(" loaned_target_kb=")
                    .append(catQuiet(d + "/loaned_target_kb")).append(" oom_freed_kb=").append(catQuiet(d + "/oom_freed_kb"))
                    .append('\n');
        } else {
            io.stdout().append("cmm: ").append(d).append(" absent\n");
        }
        for (String l : lines(catQuiet("/proc/meminfo"))) {
            if (l.matches("(MemTotal|MemFree|MemAvailable|Balloon):.*")) {
                io.stdout().append(l.replaceAll(" +", " ")).append(' '); // tr -s ' ' | tr '\n' ' '
            }
        }
        io.stdout().append('\n');
        for (String l : lines(catQuiet("/proc/vmstat"))) {
            if (l.startsWith("balloon_") || l.matches("pgmigrate_(success|fail).*")) {
                io.stdout().append(l).append(' ');
            }
        }
        io.stdout().append('\n');
        return 0;
    }

    /** $(cat FILE 2>&1) without the trailing newline. */
    private String catQuiet(String path) {
        StringBuilder text = new StringBuilder();
        cat(List.of(path), new Io(text, text));
        String t = text.toString();
        return t.endsWith("\n") ? t.substring(0, t.length() - 1) : t;
    }

    private int zonesum(Io io) {
        StringBuilder text = new StringBuilder();
        if (cat(List.of("/proc/zoneinfo"), new Io(text, io.stderr())) != 0) {
            return 1;
        }
        String nid = null;
        String zone = null;
        String startPfn = null;
        String spanned = null;
        String present = null;
        String managed = null;
        for (String l : lines(text.toString())) {
            Matcher h = ZONE_HEADER.matcher(l);
            if (h.matches()) {
                if (zone != null) {
                    zoneLine(io, nid, zone, startPfn, spanned, present, managed);
                }
                nid = h.group(1);
                zone = h.group(2);
                startPfn = spanned = present = managed = null;
                continue;
            }
            String[] t = l.trim().split("\\s+");
            if (zone == null || t.length != 2) {
                continue;
            }
            switch (t[0]) {
                case "spanned" -> spanned = t[1];
                case "present" -> present = t[1];
                case "managed" -> managed = t[1];
                case "start_pfn:" -> startPfn = t[1];
                default -> { }
            }
        }
        if (zone != null) {
            zoneLine(io, nid, zone, startPfn, spanned, present, managed);
        }
        return 0;
    }

    private static void zoneLine(Io io, String nid, String zone, String startPfn, String spanned, String present, String managed) {
        String start = "-";
        if (startPfn != null) {
            try {
                start = startPfn + "(0x" + Long.toHexString(Long.parseLong(startPfn)) + ")";
            } catch (NumberFormatException e) {
                start = startPfn;
            }
        }
        io.out("node " + nid + " " + zone + " start_pfn=" + start + " spanned=" + nz(spanned)
                + " present=" + nz(present) + " managed=" + nz(managed) + "\n");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
