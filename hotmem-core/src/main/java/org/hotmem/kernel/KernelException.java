package org.hotmem.kernel;

import java.util.Objects;

/**
 * A kernel function's error return. Where Linux code does {@code return -EBUSY;}, hotmem
 * code throws {@code new KernelException(Errno.EBUSY)}; sysfs store functions throw it and the
 * shell shows {@code write error: Device or resource busy}.
 *
 * <p>A task body that ends with a KernelException exits with code {@code -errno} (a failed
 * syscall), it does not crash the run.
 */
public class KernelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;

    public KernelException(Errno errno) {
        super(Objects.requireNonNull(errno).name() + ": " + errno.strerror());
        this.errno = errno;
    }

    /** With a detail for humans (kept out of the errno itself, as Linux keeps it in dmesg). */
    public KernelException(Errno errno, String detail) {
        super(Objects.requireNonNull(errno).name() + ": " + errno.strerror() + " (" + detail + ")");
        this.errno = errno;
    }

    public Errno errno() { return errno; }

    /** The kernel return value: {@code -errno().number()}. */
    public int ret() { return -errno.number(); }
}
