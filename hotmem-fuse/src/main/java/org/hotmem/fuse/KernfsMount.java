package org.hotmem.fuse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.cryptomator.jfuse.api.Fuse;
import org.cryptomator.jfuse.api.FuseBuilder;
import org.cryptomator.jfuse.api.FuseMountFailedException;
import org.hotmem.machine.LiveMachine;

/**
 * A live machine's kernfs tree mounted with FUSE at a directory: {@code DIR/sys}, {@code DIR/proc}
 * (the model's procfs files), {@code DIR/sys/kernel/debug} (debugfs) and {@code DIR/.hotmem}
 * (the guest tools' control files). Options: {@code direct_io} (every read and write reaches the
 * model, whatever size a file reports), {@code intr} (a signal to a process blocked in a write
 * becomes a FUSE INTERRUPT; both set in {@link KernfsFs#init}), no attribute or entry caching
 * (blocks come and go).
 *
 * <p>Lifecycle: {@link #mount} returns once the kernel has the mount; {@link #close} unmounts it
 * (also from a shutdown hook, so exit and SIGTERM leave no stale mount). Thread-safe.
 */
public final class KernfsMount implements AutoCloseable {
    static final String OPTIONS = "fsname=hotmem,subtype=hotmem,attr_timeout=0,entry_timeout=0,negative_timeout=0";

    private final Path dir;
    private final Fuse fuse;
    private final Thread hook;
    private boolean closed;

    private KernfsMount(Path dir, Fuse fuse) {
        this.dir = dir;
        this.fuse = fuse;
        this.hook = new Thread(this::unmount, "hotmem-unmount");
    }

    /** Why FUSE cannot be used here, in words for the user; null if it looks usable. */
    public static String unavailableReason() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            return "/dev/fuse is missing (load the fuse module; in a container pass --device /dev/fuse --cap-add SYS_ADMIN)";
        }
        if (!Files.isReadable(Path.of("/dev/fuse")) || !Files.isWritable(Path.of("/dev/fuse"))) {
            return "/dev/fuse is not accessible to this user";
        }
        try {
            FuseBuilder.getSupported();
        } catch (UnsupportedOperationException e) {
            return "jfuse does not support this platform: " + e.getMessage();
        }
        return null;
    }

    /**
     * Mounts {@code live}'s tree at {@code dir} (an existing empty directory).
     *
     * @throws FuseUnavailableException with a message for the user when FUSE cannot be used
     */
    public static KernfsMount mount(LiveMachine live, Path dir) {
        String why = unavailableReason();
        if (why != null) {
            throw new FuseUnavailableException(why);
        }
        if (!Files.isDirectory(dir)) {
            throw new FuseUnavailableException(dir + " is not a directory");
        }
        Fuse fuse;
        try {
            FuseBuilder b = FuseBuilder.getSupported();
            Path lib = libfuse();
            if (lib != null) {
                b.setLibraryPath(lib.toString());
            }
            fuse = b.build(new KernfsFs(live, new GuestTools(live), b.errno()));
        } catch (UnsatisfiedLinkError e) {
            throw new FuseUnavailableException("libfuse3 is not installed (Debian: apt-get install fuse3): " + e.getMessage());
        }
        // libfuse sends SIGUSR1 to the worker serving an interrupted request; it installs its own
        // handler only when intr is set before fuse_new(), which jfuse cannot do (see KernfsFs.init)
        sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> { });
        try {
            fuse.mount("hotmem", dir, "-o", OPTIONS);
        } catch (FuseMountFailedException | IllegalArgumentException e) {
            throw new FuseUnavailableException("mounting " + dir + " failed: " + e.getMessage());
        }
        KernfsMount m = new KernfsMount(dir, fuse);
        Runtime.getRuntime().addShutdownHook(m.hook);
        return m;
    }

    /** Where libfuse3's runtime library is (jfuse looks for the unversioned name only, which -dev packages install). */
    static Path libfuse() {
        String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        for (String d : new String[] {"/usr/lib/" + arch, "/lib/" + arch, "/usr/lib64", "/usr/lib"}) {
            Path p = Path.of(d, "libfuse3.so.3");
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    /** The mount point. */
    public Path dir() {
        return dir;
    }

    private synchronized void unmount() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            fuse.close();
        } catch (TimeoutException e) {
            // libfuse's loop did not end in time; the kernel mount is gone already
        }
    }

    @Override
    public void close() {
        unmount();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs unmount(), which is idempotent
        }
    }

    /** FUSE cannot be used (no /dev/fuse, no libfuse3, the mount failed); the message says why. */
    public static final class FuseUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FuseUnavailableException(String message) {
            super(message);
        }
    }
}
