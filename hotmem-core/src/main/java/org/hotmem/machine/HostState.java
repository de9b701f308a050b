package org.hotmem.machine;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What outlives one machine on the host: the disk images its drives use (real files) and, for a
 * disk holding a hibernation image, the guest that wrote it.
 * // model: a hibernation image carries every page's bytes, but the image kernel's own data
 * // structures are Java objects; the host keeps them with the disk, and the boot kernel of the
 * // next machine reaches them only after it has read and checked the image bytes.
 * Not thread-safe; one per simulated host.
 */
public final class HostState {
    private final Map<Path, Machine> suspended = new LinkedHashMap<>();

    /** The guest that hibernated onto {@code disk}, or null. */
    public Machine suspendedOn(Path disk) {
        return suspended.get(disk.toAbsolutePath().normalize());
    }

    void recordSuspended(Path disk, Machine m) {
        suspended.put(disk.toAbsolutePath().normalize(), m);
    }

    void forget(Machine m) {
        suspended.values().removeIf(x -> x == m);
    }
}
