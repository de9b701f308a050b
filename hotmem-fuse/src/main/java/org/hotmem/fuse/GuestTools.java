package org.hotmem.fuse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.cryptomator.jfuse.api.Stat;
import org.hotmem.hotplug.MemoryBlock;
import org.hotmem.kernel.KernelException;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.Machine;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;
import org.hotmem.mm.MemoryModel;

/**
 * The model's side of the guest tools that cannot be shell scripts over sysfs: long-term pins
 * ({@code pinmem}), transient memory pressure ({@code memhog}), the kernel log ({@code dmesg})
 * and module loading ({@code modprobe}, {@code insmod}, {@code rmmod}, {@code lsmod}). Each is
 * a control file in {@code /.hotmem} of the mount; a tool opens it, writes one command line and
 * reads the reply until end of file; the next command on the same open file gets the next reply.
 * What a session holds (pinned pages) is released when the file is closed, as closing an
 * io_uring releases its registered buffers, so a killed tool leaves nothing pinned.
 *
 * <p>Protocols (one line each; replies are the tool's output lines, and a last line
 * {@code rc N} where the tool has an exit status):
 * <ul>
 * <li>{@code pin}: {@code pin NODE MIB TASKPOLICY SHOWPFNS} faults in MIB MiB of anonymous memory
 *     preferring node NODE and long-term pins it (pin_user_pages(FOLL_LONGTERM): pages in
 *     ZONE_MOVABLE migrate first); {@code unpin} releases it;
 * <li>{@code memhog}: {@code hog BYTES} faults in that much anonymous memory and frees it;
 * <li>{@code modules}: {@code load NAME [PARAM=V ...]}, {@code unload NAME}, {@code list};
 * <li>{@code dmesg}: reading gives the whole kernel log as {@code dmesg} prints it.
 * </ul>
 * Thread-safety: a session is used by one FUSE request at a time (its tool is one process);
 * the model is touched only on the machine's owner thread.
 */
final class GuestTools {
    /** The control directory in the mount. */
    static final String DIR = "/.hotmem";
    static final List<String> NAMES = List.of("dmesg", "memhog", "modules", "pin");

    private final LiveMachine live;

    GuestTools(LiveMachine live) {
        this.live = live;
    }

    static boolean isControlPath(String path) {
        return path.equals(DIR) || path.startsWith(DIR + "/");
    }

    int getattr(String path, Stat stat) {
        if (path.equals(DIR)) {
            stat.setMode(Stat.S_IFDIR | 0755);
            stat.setNLink((short) 2);
            return 0;
        }
        if (!NAMES.contains(path.substring(DIR.length() + 1))) {
            return -KernfsFs.Er.ENOENT;
        }
        stat.setMode(Stat.S_IFREG | 0600);
        stat.setNLink((short) 1);
        // the log's length, rounded up to pages (see KernfsFs.procfsSize); the sessions are streams
        stat.setSize(path.equals(DIR + "/dmesg") ? (logText().length() / 4096 + 1) * 4096L : 0);
        return 0;
    }

    /** Opens a control file; null if there is none of that name. */
    Session open(String path) {
        String name = path.substring(DIR.length() + 1);
        return switch (name) {
            case "pin" -> new PinSession();
            case "memhog" -> new Session() {
                @Override
                String command(String line) {
                    return memhog(line);
                }
            };
            case "modules" -> new Session() {
                @Override
                String command(String line) {
                    return modules(line);
                }
            };
            case "dmesg" -> {
                Session s = new Session() {
                    @Override
                    String command(String line) {
                        return "";
                    }
                };
                s.reply(logText());
                yield s;
            }
            default -> null;
        };
    }

    /** The whole kernel log, one line each, as dmesg prints it. */
    private String logText() {
        List<String> lines = KernfsFs.await(live.call(m -> m.kernel().dmesg().lines()));
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    /** One open control file: commands in, replies out. */
    abstract static non-sealed class Session implements KernfsFs.OpenFile {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private byte[] reply = new byte[0];
        private int pos;

        /** Runs one command line and returns the reply text. */
        abstract String command(String line);

        /** Releases what the session holds. */
        void close() {
        }

        final void reply(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            byte[] rest = java.util.Arrays.copyOfRange(reply, pos, reply.length);
            reply = new byte[rest.length + b.length];
            System.arraycopy(rest, 0, reply, 0, rest.length);
            System.arraycopy(b, 0, reply, rest.length, b.length);
            pos = 0;
        }

        final int write(byte[] b) {
            for (byte c : b) {
                if (c == '\n') {
                    reply(command(pending.toString(StandardCharsets.UTF_8).strip()));
                    pending.reset();
                } else {
                    pending.write(c);
                }
            }
            return b.length;
        }

        final int read(ByteBuffer buf, long count) {
            int n = (int) Math.min(count, reply.length - pos);
            buf.put(reply, pos, n);
            pos += n;
            return n;
        }
    }

    // ---------------------------------------------------------------- pinmem

    /** The pins of one {@code pinmem}: its buffer's pages, pinned or not. */
    private final class PinSession extends Session {
        /** Owner thread only. */
        private AddressSpace buffer;
        private int pinned;

        @Override
        String command(String line) {
            String[] w = line.split("\\s+");
            if (w[0].equals("pin") && w.length == 5 && buffer == null) {
                return KernfsFs.await(live.call(m -> pin(m, Integer.parseInt(w[1]), Long.parseLong(w[2]),
                        w[3].equals("1"), w[4].equals("1"))));
            }
            if (w[0].equals("unpin")) {
                return KernfsFs.await(live.call(this::unpin));
            }
            return "rc 1\n";
        }

        /** What pinmem.c prints from mbind through the summary after pinning, then {@code rc}. */
        private String pin(Machine m, int node, long mib, boolean taskPolicy, boolean showPfns) {
            StringBuilder out = new StringBuilder();
            MemoryModel mm = m.mm();
            long npages = (mib << 20) / mm.arch().pageSize();
            out.append("pinmem: ").append(mib).append(" MiB = ").append(npages).append(" pages, node ").append(node).append('\n');
            String policy = taskPolicy ? "set_mempolicy" : "mbind";
            if (node >= 0 && !(mm.nodePossible(node) && mm.node(node) != null)) {
                return out.append(policy).append("(MPOL_BIND, node ").append(node).append("): Invalid argument\nrc 2\n").toString();
            }
            if (node >= 0 && taskPolicy) {
                out.append("set_mempolicy(MPOL_BIND, node ").append(node).append("): ok\n");
            }
            buffer = mm.newAddressSpace("pinmem", Gfp.MOVABLE_ANON, Math.max(node, 0));
            if (node >= 0 && !taskPolicy) {
                out.append("mbind(MPOL_BIND, node ").append(node).append("): ok\n");
            }
            try {
                for (long i = 0; i < npages; i++) {
                    buffer.add(i + 1);
                }
            } catch (KernelException e) {
                buffer.freeAll();
                buffer = null;
                return out.append("mmap: Cannot allocate memory\nrc 3\n").toString();
            }
            out.append("touched ").append(npages).append(" pages\n");
            summary(out, m, "before pin", showPfns);
            int rc = 0;
            try {
                for (pinned = 0; pinned < buffer.size(); pinned++) {
                    buffer.pinLongterm(pinned);
                }
                out.append("io_uring_register(IORING_REGISTER_BUFFERS): ok, 1 buffer of ").append(mib).append(" MiB pinned\n");
            } catch (KernelException e) {
                unpinAll();
                rc = 5;
                out.append("io_uring_register(IORING_REGISTER_BUFFERS): ").append(e.errno().strerror())
                        .append(" (errno ").append(e.errno().number()).append(")\n");
            }
            summary(out, m, rc != 0 ? "after failed pin" : "after pin", showPfns);
            return out.append("rc ").append(rc).append('\n').toString();
        }

        private String unpin(Machine m) {
            if (buffer == null || pinned == 0) {
                return "rc 0\n";
            }
            unpinAll();
            StringBuilder out = new StringBuilder("io_uring_register(IORING_UNREGISTER_BUFFERS): ok, unpinned\n");
            summary(out, m, "after unpin", false);
            return out.append("rc 0\n").toString();
        }

        private void unpinAll() {
            for (int i = 0; i < pinned; i++) {
                buffer.unpin(i);
            }
            pinned = 0;
        }

        /** pinmem.c's summary(): the pages per memory block, from the pfns backing the buffer. */
        private void summary(StringBuilder out, Machine m, String tag, boolean showPfns) {
            TreeMap<Long, long[]> perBlock = new TreeMap<>(); // block -> {pages, lowest pfn, highest pfn}
            long n = 0;
            for (int i = 0; i < buffer.size(); i++) {
                long pfn = buffer.pfn(i);
                if (pfn < 0) {
                    continue;
                }
                n++;
                long[] c = perBlock.computeIfAbsent(pfn / m.mm().arch().pagesPerBlock(), k -> new long[] {0, pfn, pfn});
                c[0]++;
                c[1] = Math.min(c[1], pfn);
                c[2] = Math.max(c[2], pfn);
            }
            perBlock.forEach((b, c) -> {
                MemoryBlock blk = m.hotplug().block(b.intValue());
                out.append(tag).append(": memory").append(b).append(" node=").append(blk == null ? -1 : blk.nid())
                        .append(" pages=").append(c[0]);
                if (showPfns) {
                    out.append(" pfns=0x").append(Long.toHexString(c[1])).append("-0x").append(Long.toHexString(c[2]));
                }
                out.append('\n');
            });
            out.append(tag).append(": ").append(n).append(" pages in ").append(perBlock.size()).append(" block(s)\n");
        }

        @Override
        void close() {
            KernfsFs.await(live.call(m -> {
                if (buffer != null) {
                    unpinAll();
                    buffer.freeAll();
                    buffer = null;
                }
                return null;
            }));
        }
    }

    // ---------------------------------------------------------------- memhog, modules

    /** {@code hog BYTES}: faults in and frees that much anonymous memory (numactl's memhog without a policy). */
    private String memhog(String line) {
        String[] w = line.split("\\s+");
        if (w.length != 2 || !w[0].equals("hog")) {
            return "rc 1\n";
        }
        long bytes = Long.parseLong(w[1]);
        return KernfsFs.await(live.call(m -> {
            AddressSpace as = m.mm().newAddressSpace("memhog", Gfp.MOVABLE_ANON);
            try {
                long page = m.mm().arch().pageSize();
                for (long i = 0; i < (bytes + page - 1) / page; i++) {
                    as.add(i + 1);
                }
                return "rc 0\n";
            } catch (KernelException e) {
                return "memhog: " + e.errno().strerror() + "\nrc 1\n";
            } finally {
                as.freeAll();
            }
        }));
    }

    /** {@code load NAME [PARAMS]}, {@code unload NAME}, {@code list}: module loading in a task, as init_module(2) runs. */
    private String modules(String line) {
        String[] w = line.split("\\s+", 3);
        try {
            switch (w[0]) {
                case "load" -> KernfsFs.awaitGuest(live.inTask("insmod", m -> {
                    m.modules().load(w[1], w.length > 2 ? w[2] : "");
                    return null;
                }));
                case "unload" -> KernfsFs.awaitGuest(live.inTask("rmmod", m -> {
                    m.modules().unload(w[1]);
                    return null;
                }));
                case "list" -> {
                    List<String> mods = KernfsFs.await(live.call(m -> new ArrayList<>(m.modules().loaded())));
                    StringBuilder sb = new StringBuilder();
                    mods.forEach(n -> sb.append(n).append('\n'));
                    return sb.append("rc 0\n").toString();
                }
                default -> {
                    return "rc 1\n";
                }
            }
            return "rc 0\n";
        } catch (KernelException e) {
            return "rc -" + e.errno().number() + "\n";
        } catch (ArrayIndexOutOfBoundsException e) {
            return "rc 1\n";
        }
    }
}
