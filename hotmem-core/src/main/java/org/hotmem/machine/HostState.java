package org.hotmem.machine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hotmem.power.SwapArea;

/**
 * What outlives one machine on the host: the disk images machines use (real files; those this
 * host created are deleted by {@link #close}), and, for a disk holding a hibernation
 * image, the guest that wrote it. A machine that powers off leaves them here, so a fresh machine
 * booted on the same host ({@link Machine.Builder#host}) finds the same disks, and resumes from
 * one that holds an image.
 * // model: a hibernation image carries every page's bytes, but the image kernel's own data
 * // structures are Java objects; the host keeps them with the disk, and the boot kernel of the
 * // next machine reaches them only after it has read and checked the image bytes.
 * // model: memory backends (memory-backend-ram) die with their QEMU process; the file and memfd
 * // backends that could outlive it are not modelled (QEMU's option parser refuses them).
 * Not thread-safe; one per simulated host.
 */
public final class HostState implements AutoCloseable {
    private final Map<Path, Machine> suspended = new LinkedHashMap<>();
    /** Guests that hibernated through /dev/snapshot, by the CRC32 of the image bytes they gave user space. */
    private final Map<Long, Machine> suspendedImages = new LinkedHashMap<>();
    private final List<Path> createdDisks = new ArrayList<>();

    /**
     * Creates a sparse raw disk image of {@code bytes} ({@code qemu-img create -f raw}) owned by
     * this host: a temporary file deleted by {@link #close}.
     */
    public Path createDisk(long bytes) {
        try {
            Path disk = Files.createTempFile("hotmem-disk", ".img");
            createdDisks.add(disk);
            SwapArea.createImage(disk, bytes);
            return disk;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The disk images this host created, oldest first. */
    public List<Path> disks() {
        return List.copyOf(createdDisks);
    }

    /** The guest that hibernated onto {@code disk}, or null. */
    public Machine suspendedOn(Path disk) {
        return suspended.get(disk.toAbsolutePath().normalize());
    }

    void recordSuspended(Path disk, Machine m) {
        suspended.put(disk.toAbsolutePath().normalize(), m);
    }

    /** The guest whose user-space image has the CRC32 {@code key}, or null. */
    public Machine suspendedWithImage(long key) {
        return suspendedImages.get(key);
    }

    void recordSuspendedImage(long key, Machine m) {
        suspendedImages.put(key, m);
    }

    void forget(Machine m) {
        suspended.values().removeIf(x -> x == m);
        suspendedImages.values().removeIf(x -> x == m);
    }

    /** Deletes the disks this host created and forgets the hibernated guests on them. */
    @Override
    public void close() {
        for (Path p : createdDisks) {
            suspended.remove(p.toAbsolutePath().normalize());
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file the OS cleans up
            }
        }
        createdDisks.clear();
    }
}
