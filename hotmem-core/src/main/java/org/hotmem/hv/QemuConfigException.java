package org.hotmem.hv;

/**
 * A QEMU command-line configuration error. The message is the text QEMU prints after
 * {@code qemu-system-x86_64: } before it exits with status 1 (for option-parse errors it
 * starts with the offending option, e.g. {@code -m 4X: Parameter 'size' expects ...}).
 */
public final class QemuConfigException extends IllegalArgumentException {
    public QemuConfigException(String message) {
        super(message);
    }
}
