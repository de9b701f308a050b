package org.hotmem.kernel;

/** printk log levels (include/linux/kern_levels.h): KERN_EMERG is 0, KERN_DEBUG is 7. */
public enum LogLevel {
    EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG;

    /** The numeric level, as in {@code <3>} prefixes and {@code dmesg -r}. */
    public int level() { return ordinal(); }

    /** The name {@code dmesg -x} prints: emerg, alert, crit, err, warn, notice, info, debug. */
    public String dmesgName() {
        return switch (this) {
            case WARNING -> "warn";
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
