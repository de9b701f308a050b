package org.hotmem.kernel;

/**
 * The guest kernel called panic(): the machine is dead. The message is panic()'s text without
 * the "Kernel panic - not syncing: " prefix, which {@link #getMessage()} adds as Linux prints it.
 */
public final class KernelPanic extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public KernelPanic(String reason) {
        super("Kernel panic - not syncing: " + reason);
        this.reason = reason;
    }

    /** What panic() was called with. */
    public String reason() {
        return reason;
    }
}
