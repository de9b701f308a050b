package org.hotmem.fuse;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.KernelVersion;

/**
 * A test's live machine, mounted with FUSE, with the guest environment of {@code hotmem exec}:
 * {@link #sh} runs a script with the real (busybox) shell in the private mount namespace, stdout
 * and stderr combined, as the recorder's guest runs a step. Skips the test (printing why) only
 * where /dev/fuse is absent; on a machine that has /dev/fuse, FUSE must work.
 */
final class LiveGuest implements AutoCloseable {
    final LiveMachine live;
    final List<String> kernelLog = new CopyOnWriteArrayList<>();
    private final Path dir;
    private final KernfsMount mount;
    private final GuestEnvironment env;

    /** A script's exit status and combined output. */
    record Result(int rc, String output) {
    }

    private LiveGuest(LiveMachine live, Path dir, KernfsMount mount, GuestEnvironment env) {
        this.live = live;
        this.dir = dir;
        this.mount = mount;
        this.env = env;
        live.onKernelLog(kernelLog::add);
    }

    static void assumeFuse() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            System.out.println("SKIPPED: /dev/fuse is absent on this machine; the FUSE tests need it");
            assumeTrue(false, "/dev/fuse is absent");
        }
        assertNull(KernfsMount.unavailableReason(), "this machine has /dev/fuse, so FUSE must work");
    }

    static LiveGuest boot(String memory, String cmdline, List<String> qemuArgs, KernelVersion kernel, double speed) {
        assumeFuse();
        LiveMachine live = LiveMachine.start(Machine.boot(new MachineConfig(memory, cmdline, qemuArgs, kernel, 1)), speed);
        try {
            Path dir = Files.createTempDirectory("hotmem-test-mnt");
            KernfsMount mount = KernfsMount.mount(live, dir);
            return new LiveGuest(live, dir, mount, GuestEnvironment.create(dir));
        } catch (IOException e) {
            live.close();
            throw new java.io.UncheckedIOException(e);
        }
    }

    static LiveGuest boot(String memory, double speed) {
        return boot(memory, "", List.of(), KernelVersion.V6_12, speed);
    }

    /** Runs {@code sh -c script} in the guest environment. */
    Result sh(String script) {
        return finish(start(script), script);
    }

    /** Starts {@code sh -c script} in the guest environment, stdout and stderr combined. */
    Process start(String script) {
        try {
            return env.process(List.of("sh", "-c", script)).redirectErrorStream(true)
                    .redirectInput(new File("/dev/null")).start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits for a started script and returns its exit status and output. */
    static Result finish(Process p, String script) {
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("script did not end: " + script);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        env.close();
        mount.close();
        live.close();
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover empty directory in /tmp
        }
    }
}
