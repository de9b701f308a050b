package org.hotmem.fuse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.cryptomator.jfuse.api.DirFiller;
import org.cryptomator.jfuse.api.Errno;
import org.cryptomator.jfuse.api.FileInfo;
import org.cryptomator.jfuse.api.FuseConfig;
import org.cryptomator.jfuse.api.FuseConnInfo;
import org.cryptomator.jfuse.api.FuseOperations;
import org.cryptomator.jfuse.api.Stat;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.kernel.fs.KNode;
import org.hotmem.kernel.fs.KSymlink;
import org.hotmem.machine.LiveMachine;

/**
 * The live machine's kernfs tree (sysfs, procfs, debugfs) as FUSE operations, with the VFS
 * behaviour of fs/kernfs/file.c that programs see:
 * <ul>
 * <li>open for writing a file without an owner write bit or store, or for reading one without a
 *     read bit or show, fails with EACCES even for root (kernfs_fop_open()); creating a file
 *     fails with EACCES (kernfs directories have no create);
 * <li>a read at offset 0 runs the show callback and keeps the text for reads at later offsets of
 *     the same open file, as the seq_file of a sysfs attribute does; a write runs the store with
 *     exactly the bytes written (kernfs_fop_write_iter()); truncation is accepted and ignored;
 * <li>sizes: sysfs files report 4096, symlinks and directories 0; procfs files their length
 *     rounded up to pages (Linux: 0; see {@link #procfsSize}); directories 0755, symlinks 0777,
 *     files their mode. The mount uses
 *     direct_io, so every read and write reaches the model.
 * </ul>
 * Reads and writes run in user tasks of the model ({@link LiveMachine#inTask}); lookups run on the
 * machine's owner thread. A write that blocks in the model (an offline that retries) is
 * interrupted when FUSE reports an INTERRUPT for it (the writer got a signal): the model task
 * gets SIGINT, and the write returns what the model returns, EINTR after "failed due to signal
 * backoff".
 *
 * <p>The directory {@code /.hotmem} (not part of the model's tree) holds the control files of the
 * guest tools ({@link GuestTools}).
 *
 * <p>Thread-safety: called by libfuse's worker threads; the open-file table is a concurrent map,
 * each open file is used by one request at a time (the kernel serialises a file's reads as
 * f_pos requires); everything of the model is touched on the owner thread only.
 */
public final class KernfsFs implements FuseOperations {
    /** The size sysfs reports for every attribute (PAGE_SIZE). */
    static final long SYSFS_FILE_SIZE = 4096;
    private static final long POLL_MS = 10;

    private final LiveMachine live;
    private final GuestTools tools;
    private final Errno errno;
    private final Map<Long, OpenFile> open = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(1);

    KernfsFs(LiveMachine live, GuestTools tools, Errno errno) {
        this.live = live;
        this.tools = tools;
        this.errno = errno;
    }

    @Override
    public Errno errno() {
        return errno;
    }

    @Override
    public Set<Operation> supportedOperations() {
        return EnumSet.of(Operation.GET_ATTR, Operation.READLINK, Operation.OPEN, Operation.READ, Operation.WRITE,
                Operation.RELEASE, Operation.TRUNCATE, Operation.CREATE, Operation.OPEN_DIR, Operation.READ_DIR,
                Operation.RELEASE_DIR, Operation.INIT, Operation.DESTROY);
    }

    /**
     * libfuse3 takes direct_io and intr only from the init callback's struct fuse_config, which
     * jfuse shows read-only: they are set through its generated accessor class (jextract's
     * {@code fuse_config}, next to the platform's FuseConfig implementation).
     */
    @Override
    public void init(FuseConnInfo conn, FuseConfig cfg) {
        try {
            java.lang.reflect.Method segment = cfg.getClass().getMethod("segment");
            segment.setAccessible(true);
            Object seg = segment.invoke(cfg);
            Class<?> layout = Class.forName(cfg.getClass().getPackageName() + ".extr.fuse3.fuse_config");
            for (String field : new String[] {"direct_io", "intr"}) {
                layout.getMethod(field, java.lang.foreign.MemorySegment.class, int.class).invoke(null, seg, 1);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("hotmem: cannot set FUSE direct_io/intr (" + e + "): procfs reads and interrupts will not work");
        }
    }

    // ---------------------------------------------------------------- attributes and directories

    /** What getattr needs of a node, taken on the owner thread. */
    private record Attr(int type, int mode, long size) {
    }

    @Override
    public int getattr(String path, Stat stat, FileInfo fi) {
        return guard(() -> {
            if (GuestTools.isControlPath(path)) {
                return tools.getattr(path, stat);
            }
            Attr a = await(live.call(m -> attr(m.fs().lookup(path))));
        if (a == null) {
            return -Er.ENOENT;
        }
        if (a.size < 0) {
            a = new Attr(a.type, a.mode, procfsSize(path));
        }
        stat.setMode(a.type | a.mode);
            stat.setSize(a.size);
            stat.setNLink((short) (a.type == Stat.S_IFDIR ? 2 : 1));
            stat.setUid(0);
            stat.setGid(0);
            return 0;
        });
    }

    private static Attr attr(KNode n) {
        return switch (n) {
            case null -> null;
            case KDir d -> new Attr(Stat.S_IFDIR, 0755, 0);
            case KSymlink l -> new Attr(Stat.S_IFLNK, 0777, 0); // kernfs symlinks report size 0
            case KFile f -> new Attr(Stat.S_IFREG, f.mode() & 07777, f.path().startsWith("/sys/") ? SYSFS_FILE_SIZE : -1);
        };
    }

    /**
     * The size a procfs file reports: its text's length rounded up to whole pages. Linux reports
     * 0, but over FUSE the kernel's splice path (sendfile(2), which busybox's cat uses) reads
     * only up to the size, so 0 would make cat print nothing; a short read at the end shrinks
     * the size the kernel caches to the exact length.
     */
    private long procfsSize(String path) {
        try {
            int len = awaitGuest(live.inTask("stat", m -> m.fs().lookupFile(path) instanceof KFile f && f.readable()
                    ? f.read().getBytes(StandardCharsets.UTF_8).length : 0));
            return Math.max(SYSFS_FILE_SIZE, (len + SYSFS_FILE_SIZE - 1) / SYSFS_FILE_SIZE * SYSFS_FILE_SIZE);
        } catch (KernelException e) {
            return SYSFS_FILE_SIZE;
        }
    }

    @Override
    public int readlink(String path, ByteBuffer buf, long len) {
        return guard(() -> {
            String target = await(live.call(m -> m.fs().lookup(path) instanceof KSymlink l ? l.target() : null));
            if (target == null) {
                return -Er.EINVAL;
            }
            byte[] b = target.getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(b.length, len - 1);
            buf.put(b, 0, n);
            buf.put((byte) 0);
            return 0;
        });
    }

    @Override
    public int opendir(String path, FileInfo fi) {
        return guard(() -> {
            if (GuestTools.isControlPath(path)) {
                return path.equals(GuestTools.DIR) ? 0 : -Er.ENOTDIR;
            }
            Boolean dir = await(live.call(m -> {
                KNode n = m.fs().resolve(path);
                return n == null ? null : n instanceof KDir;
            }));
            return dir == null ? -Er.ENOENT : dir ? 0 : -Er.ENOTDIR;
        });
    }

    @Override
    public int readdir(String path, DirFiller filler, long offset, FileInfo fi, int flags) {
        return guard(() -> {
            List<String> names = GuestTools.isControlPath(path) ? GuestTools.NAMES
                    : await(live.call(m -> m.fs().lookupDir(path) instanceof KDir d ? d.list() : null));
            if (names == null) {
                return -Er.ENOENT;
            }
            filler.fill(".", s -> { }, 0, 0);
            filler.fill("..", s -> { }, 0, 0);
            if (path.equals("/")) {
                filler.fill(GuestTools.DIR.substring(1), s -> { }, 0, 0);
            }
            for (String n : names) {
                if (filler.fill(n, s -> { }, 0, 0) != 0) {
                    break;
                }
            }
            return 0;
        });
    }

    @Override
    public int releasedir(String path, FileInfo fi) {
        return 0;
    }

    // ---------------------------------------------------------------- files

    /** An open attribute file, or an open control file of the guest tools. */
    sealed interface OpenFile permits Attribute, GuestTools.Session {
    }

    /** An open kernfs file: the node found at open time and the text of the last read at offset 0. */
    static final class Attribute implements OpenFile {
        final KFile file;
        byte[] text;

        Attribute(KFile file) {
            this.file = file;
        }
    }

    @Override
    public int open(String path, FileInfo fi) {
        return guard(() -> {
            if (GuestTools.isControlPath(path)) {
                GuestTools.Session s = tools.open(path);
                return s == null ? -Er.ENOENT : register(fi, s);
            }
            int acc = fi.getFlags() & 3; // O_RDONLY 0, O_WRONLY 1, O_RDWR 2
            Object r = await(live.call(m -> {
                KNode n = m.fs().resolve(path);
                if (!(n instanceof KFile f)) {
                    return n == null ? Er.ENOENT : Er.EISDIR;
                }
                boolean ok = (acc == 0 || f.writable()) && (acc == 1 || f.readable());
                return ok ? f : Er.EACCES;
            }));
            if (r instanceof Integer e) {
                return -e;
            }
            return register(fi, new Attribute((KFile) r));
        });
    }

    @Override
    public int create(String path, int mode, FileInfo fi) {
        return guard(() -> {
            if (GuestTools.isControlPath(path)) {
                return -Er.EACCES;
            }
            int slash = path.lastIndexOf('/');
            String parent = slash <= 0 ? "/" : path.substring(0, slash);
            Boolean dirExists = await(live.call(m -> m.fs().lookupDir(parent) != null));
            return dirExists ? -Er.EACCES : -Er.ENOENT;
        });
    }

    private int register(FileInfo fi, OpenFile f) {
        long fh = nextFh.getAndIncrement();
        open.put(fh, f);
        fi.setFh(fh);
        return 0;
    }

    @Override
    public int truncate(String path, long size, FileInfo fi) {
        return 0; // kernfs_iop_setattr accepts it; the store sees only what is written
    }

    @Override
    public int read(String path, ByteBuffer buf, long count, long offset, FileInfo fi) {
        return guard(() -> {
            OpenFile f = open.get(fi.getFh());
            if (f instanceof GuestTools.Session s) {
                return s.read(buf, count);
            }
            if (!(f instanceof Attribute a)) {
                return -Er.EBADF;
            }
            if (offset == 0 || a.text == null) {
                try {
                    String t = awaitGuest(live.inTask("cat", m -> {
                        if (a.file.isRemoved()) {
                            throw new KernelException(org.hotmem.kernel.Errno.ENODEV);
                        }
                        return a.file.read();
                    }));
                    a.text = t.getBytes(StandardCharsets.UTF_8);
                } catch (KernelException e) {
                    return -e.errno().number();
                }
            }
            if (offset >= a.text.length) {
                return 0;
            }
            int n = (int) Math.min(count, a.text.length - offset);
            buf.put(a.text, (int) offset, n);
            return n;
        });
    }

    @Override
    public int write(String path, ByteBuffer buf, long count, long offset, FileInfo fi) {
        return guard(() -> {
            byte[] b = new byte[(int) count];
            buf.get(b);
            OpenFile f = open.get(fi.getFh());
            if (f instanceof GuestTools.Session s) {
                return s.write(b);
            }
            if (!(f instanceof Attribute a)) {
                return -Er.EBADF;
            }
            String text = new String(b, StandardCharsets.UTF_8);
            try {
                awaitGuest(live.inTask("sh", m -> {
                    if (a.file.isRemoved()) {
                        throw new KernelException(org.hotmem.kernel.Errno.ENODEV);
                    }
                    a.file.write(text);
                    return null;
                }));
                return (int) count;
            } catch (KernelException e) {
                return -e.errno().number();
            }
        });
    }

    @Override
    public int release(String path, FileInfo fi) {
        return guard(() -> {
            OpenFile f = open.remove(fi.getFh());
            if (f instanceof GuestTools.Session s) {
                s.close();
            }
            return 0;
        });
    }

    @Override
    public void destroy() {
        for (OpenFile f : open.values()) {
            if (f instanceof GuestTools.Session s) {
                s.close();
            }
        }
        open.clear();
    }

    // ---------------------------------------------------------------- waiting for the model

    /**
     * Runs one operation; an exception must never leave an upcall (it would end the JVM): a
     * KernelException is its errno, anything else EIO.
     */
    private static int guard(java.util.function.IntSupplier op) {
        try {
            return op.getAsInt();
        } catch (KernelException e) {
            return -e.errno().number();
        } catch (RuntimeException | Error e) {
            return -org.hotmem.kernel.Errno.EIO.number();
        }
    }

    /**
     * Waits for a model task, passing FUSE's INTERRUPT on as SIGINT: the model decides what the
     * interrupted system call returns.
     *
     * @throws KernelException the errno the system call returns
     */
    static <T> T awaitGuest(LiveMachine.GuestCall<T> call) {
        boolean signalled = false;
        while (true) {
            try {
                return call.future().get(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!signalled && FuseInterrupts.interrupted()) {
                    call.signal(Task.SIGINT);
                    signalled = true;
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof KernelException k) {
                    throw k;
                }
                throw new KernelException(org.hotmem.kernel.Errno.EIO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KernelException(org.hotmem.kernel.Errno.EINTR);
            }
        }
    }

    /** Waits for a request on the owner thread; a stopped machine answers EIO. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new KernelException(org.hotmem.kernel.Errno.EIO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelException(org.hotmem.kernel.Errno.EINTR);
        }
    }

    /** The errno numbers FUSE replies with (Linux's, as {@link org.hotmem.kernel.Errno} has them). */
    static final class Er {
        static final int ENOENT = org.hotmem.kernel.Errno.ENOENT.number();
        static final int EBADF = org.hotmem.kernel.Errno.EBADF.number();
        static final int EACCES = org.hotmem.kernel.Errno.EACCES.number();
        static final int ENOTDIR = org.hotmem.kernel.Errno.ENOTDIR.number();
        static final int EISDIR = org.hotmem.kernel.Errno.EISDIR.number();
        static final int EINVAL = org.hotmem.kernel.Errno.EINVAL.number();

        private Er() {
        }
    }
}
