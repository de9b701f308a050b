package org.hotmem.hv;

/**
 * The {@code -m [size=]SIZE[,slots=N][,maxmem=MAX]} option as QEMU 7.2 validates it.
 * Models parse_memory_options() in softmmu/vl.c and machine_set_mem() in hw/core/machine.c:
 * a size without suffix means MiB (legacy fix-up), {@code size=0} or no size means the
 * machine default (128 MiB), the size is rounded up to 8 KiB, {@code maxmem} must not be
 * below the size, slots require maxmem, and slots with maxmem equal to the size are refused.
 *
 * @param ramSize     boot RAM in bytes (machine->ram_size)
 * @param slots       DIMM slots (machine->ram_slots), 0 when not given
 * @param maxRamSize  maxmem in bytes (machine->maxram_size), equal to ramSize when not given
 */
public record MemoryOptions(long ramSize, int slots, long maxRamSize) {

    /** QEMU's default RAM for machines that do not override it (hw/core/machine.c). */
    public static final long DEFAULT_RAM_SIZE = 128L << 20;

    private static final String SIZE_HINT = "\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
            + "and exabytes, respectively.";

    /**
     * Parses the value of {@code -m}.
     *
     * @throws QemuConfigException with QEMU's error text
     */
    public static MemoryOptions parse(String value) {
        String where = "-m " + value + ": ";
        QemuOpts opts = QemuOpts.parse("-m", value, "size");
        for (String key : opts.keys()) {
            if (!key.equals("size") && !key.equals("slots") && !key.equals("maxmem")) {
                throw new QemuConfigException(where + "Invalid parameter '" + key + "'");
            }
        }
        long size = 0;
        String sizeText = opts.get("size");
        if (sizeText != null) {
            // QemuOpts first checks the value as a plain byte size ...
            size = parseSize(where, "size", sizeText, 'B');
            if (size != 0 && Character.isDigit(sizeText.charAt(sizeText.length() - 1))) {
                // ... then vl.c appends "M" to a suffix-less value.
                size = parseSize(where, "size", sizeText, 'M');
            }
        }
        int slots = 0;
        boolean hasSlots = opts.has("slots");
        if (hasSlots) {
            slots = parseNumber(where, "slots", opts.get("slots"));
        }
        boolean hasMax = opts.has("maxmem");
        long max = hasMax ? parseSize(where, "maxmem", opts.get("maxmem"), 'B') : 0;

        if (size == 0) {
            size = DEFAULT_RAM_SIZE;
        }
        size = Align.up(size, 8192);
        if (hasMax) {
            if (Long.compareUnsigned(max, size) < 0) {
                throw new QemuConfigException(String.format(
                        "invalid value of maxmem: maximum memory size (0x%x) must be at least the initial memory size (0x%x)",
                        max, size));
            }
            if (hasSlots && slots != 0 && max == size) {
                throw new QemuConfigException(String.format(
                        "invalid value of maxmem: memory slots were specified but maximum memory size (0x%x) is equal to the initial memory size (0x%x)",
                        max, size));
            }
        } else {
            if (hasSlots) {
                throw new QemuConfigException("slots specified but no max-size");
            }
            max = size;
        }
        return new MemoryOptions(size, slots, max);
    }

    private static long parseSize(String where, String name, String text, char defaultSuffix) {
        try {
            return QemuSize.parse(text, defaultSuffix);
        } catch (QemuSize.SizeFormatException e) {
            if (e.failure() == QemuSize.Failure.OUT_OF_RANGE) {
                throw new QemuConfigException(where + "Value '" + text + "' is out of range for parameter '" + name + "'");
            }
            throw new QemuConfigException(where + "Parameter '" + name + "' expects a non-negative number below 2^64"
                    + SIZE_HINT);
        }
    }

    private static int parseNumber(String where, String name, String text) {
        try {
            long v;
            if (text.startsWith("0x") || text.startsWith("0X")) {
                v = Long.parseUnsignedLong(text.substring(2), 16);
            } else if (text.length() > 1 && text.startsWith("0")) {
                v = Long.parseUnsignedLong(text.substring(1), 8);
            } else {
                v = Long.parseUnsignedLong(text);
            }
            if (v < 0 || v > Integer.MAX_VALUE) {
                // machine->ram_slots is a uint64_t; pc refuses anything above 256 later.
                return Integer.MAX_VALUE;
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new QemuConfigException(where + "Parameter '" + name + "' expects a number");
        }
    }
}
