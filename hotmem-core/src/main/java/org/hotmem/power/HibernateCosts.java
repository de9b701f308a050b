package org.hotmem.power;

/**
 * The virtual CPU and I/O time of hibernation work, in bytes per second: preallocating and
 * copying pages, compressing and decompressing (per thread), writing and reading the swap
 * device. The defaults are of the order of a virtio disk backed by a host file on an x86 guest.
 */
public record HibernateCosts(long preallocBytesPerSec, long copyBytesPerSec, long compressBytesPerSec,
                             long decompressBytesPerSec, long writeBytesPerSec, long readBytesPerSec) {
    public static final HibernateCosts DEFAULT = new HibernateCosts(
            2_500_000_000L, 4_000_000_000L, 500_000_000L, 1_000_000_000L, 800_000_000L, 1_200_000_000L);

    private static long ns(long bytes, long perSec) {
        return perSec <= 0 ? 0 : (long) (bytes * 1e9 / perSec);
    }

    long preallocNs(long bytes) { return ns(bytes, preallocBytesPerSec); }
    long copyNs(long bytes) { return ns(bytes, copyBytesPerSec); }
    long compressNs(long bytes) { return ns(bytes, compressBytesPerSec); }
    long decompressNs(long bytes) { return ns(bytes, decompressBytesPerSec); }
    long writeNs(long bytes) { return ns(bytes, writeBytesPerSec); }
    long readNs(long bytes) { return ns(bytes, readBytesPerSec); }
}
