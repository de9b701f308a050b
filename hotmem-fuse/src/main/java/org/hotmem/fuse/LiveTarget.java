package org.hotmem.fuse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.hotmem.conformance.ConformanceTarget;
import org.hotmem.conformance.GuestShell;
import org.hotmem.conformance.ShellResult;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryInvariants;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;

/**
 * A conformance target whose guest commands run through a real shell: the machine served live
 * ({@link LiveMachine}, virtual time paced to the wall clock), mounted with FUSE, and each
 * command {@code sh -c COMMAND} in {@link GuestEnvironment} (busybox ash and tools, as on the
 * recorded guest), stdout and stderr combined, stdin /dev/null, as the recorder runs a step.
 * Virtual time follows the wall clock (at the machine's speed) only while a guest command runs;
 * between steps the machine is paused, so a QMP step takes no guest time and {@link #runFor}
 * steps exactly the time asked for, as in the deterministic runner. The model's kernel and tree
 * belong to the live machine's thread, so {@link #kernel()} and {@link #fs()} are not offered.
 *
 * <p>Thread-safety: driven by one runner thread; the kernel log and events arrive on the live
 * machine's thread into concurrent queues.
 */
public final class LiveTarget implements ConformanceTarget {
    private final LiveMachine live;
    private final Path dir;
    private final KernfsMount mount;
    private final GuestEnvironment env;
    private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ObjectNode> events = new ConcurrentLinkedQueue<>();

    private LiveTarget(Machine machine, double speed) {
        log.addAll(machine.drainKernelLog());
        events.addAll(machine.drainEvents());
        this.live = LiveMachine.start(machine, speed, log::add, events::add);
        live.pause();
        try {
            this.dir = Files.createTempDirectory("hotmem-conformance");
            this.mount = KernfsMount.mount(live, dir);
        } catch (IOException | RuntimeException e) {
            live.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        this.env = GuestEnvironment.create(dir);
    }

    /**
     * Boots {@code config} and serves it live at {@code speed}.
     *
     * @throws KernfsMount.FuseUnavailableException when FUSE cannot be used
     */
    public static LiveTarget boot(MachineConfig config, double speed) {
        String why = KernfsMount.unavailableReason();
        if (why != null) {
            throw new KernfsMount.FuseUnavailableException(why);
        }
        return new LiveTarget(Machine.boot(config), speed);
    }

    @Override
    public Kernel kernel() {
        throw new IllegalStateException("the live machine's kernel belongs to its own thread");
    }

    @Override
    public Kernfs fs() {
        throw new IllegalStateException("the live machine's kernfs belongs to its own thread");
    }

    @Override
    public long now() {
        return KernfsFs.await(live.call(m -> m.kernel().now()));
    }

    @Override
    public GuestShell.Outcome runGuest(String command, long timeoutNs) {
        long start = now();
        live.resume();
        try {
            Process p = env.process(List.of("sh", "-c", command)).redirectErrorStream(true)
                    .redirectInput(new File("/dev/null")).start();
            byte[][] out = new byte[1][];
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            long wallNs = (long) (timeoutNs / live.speed());
            if (!p.waitFor(wallNs, TimeUnit.NANOSECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                return new GuestShell.Outcome(null, start, now());
            }
            reader.join();
            return new GuestShell.Outcome(new ShellResult(new String(out[0], StandardCharsets.UTF_8), p.exitValue()),
                    start, now());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running: " + command, e);
        } finally {
            live.pause();
        }
    }

    /** Not offered: a live machine is not powered off and started again under its mount (guest-async is for hibernation). */
    @Override
    public GuestShell.Pending sendGuest(String command) {
        throw new UnsupportedOperationException("guest-async with a real shell is not modelled: the live machine "
                + "cannot hibernate and restart under its FUSE mount");
    }

    /** Lets exactly {@code ns} of virtual time pass (as fast as the model runs it). */
    @Override
    public void runFor(long ns) {
        KernfsFs.await(live.step(ns));
    }

    @Override
    public ObjectNode qmp(String execute, ObjectNode args) {
        return KernfsFs.await(live.qmp(execute, args));
    }

    @Override
    public List<ObjectNode> drainEvents() {
        KernfsFs.await(live.call(m -> null)); // a slice boundary: what happened so far is published
        return drain(events);
    }

    @Override
    public List<String> drainKernelLog() {
        KernfsFs.await(live.call(m -> null));
        return drain(log);
    }

    private static <T> List<T> drain(ConcurrentLinkedQueue<T> q) {
        List<T> out = new ArrayList<>();
        for (T t; (t = q.poll()) != null; ) {
            out.add(t);
        }
        return out;
    }

    /** {@link MemoryInvariants} whenever no hotplug operation holds device_hotplug_lock. */
    @Override
    public List<String> invariantViolations() {
        return KernfsFs.await(live.call(m -> {
            MemoryHotplug hp = m.hotplug();
            return hp.deviceHotplugLock().isLocked() ? List.<String>of() : MemoryInvariants.check(hp);
        }));
    }

    @Override
    public void close() {
        env.close();
        mount.close();
        live.close();
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // an empty directory left in /tmp
        }
    }
}
