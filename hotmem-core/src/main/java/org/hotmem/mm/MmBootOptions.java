package org.hotmem.mm;

/**
 * The kernel command-line options the memory model reads at boot.
 *
 * @param movableNode       {@code movable_node}: memblock allocates bottom-up during early
 *                          mapping, and hot-added memory defaults to ZONE_MOVABLE
 * @param initrdBytes       size of the initrd QEMU loads (-1: the recorded Debian initramfs of
 *                          the kernel version)
 * @param commandLineLength strlen(boot_command_line): setup_command_line() keeps two copies
 *                          of it in memblock
 * @param memmap            the ranges of the {@code memmap=} options ({@link E820Table#parseMemmap})
 */
public record MmBootOptions(boolean movableNode, long initrdBytes, int commandLineLength, java.util.List<E820Entry> memmap) {
    public MmBootOptions {
        memmap = java.util.List.copyOf(memmap);
    }

    /** No memmap= options. */
    public MmBootOptions(boolean movableNode, long initrdBytes, int commandLineLength) {
        this(movableNode, initrdBytes, commandLineLength, java.util.List.of());
    }

    /** The length of the command line the conformance recordings booted with. */
    public static final int RECORDED_COMMAND_LINE_LENGTH = ("console=ttyS0 panic=-1 nokaslr ignore_loglevel printk.time=1 "
            + "dyndbg=\"file mm/memory_hotplug.c +p; file mm/page_isolation.c +p; file drivers/base/memory.c +p; "
            + "file drivers/acpi/acpi_memhotplug.c +p\"").length();

    /** The recorded command line's length. */
    public MmBootOptions(boolean movableNode, long initrdBytes) {
        this(movableNode, initrdBytes, RECORDED_COMMAND_LINE_LENGTH);
    }

    /** Defaults: no movable_node, the recorded initrd size and command line. */
    public static MmBootOptions defaults() {
        return new MmBootOptions(false, -1);
    }

    /** Parses the options mm needs from a kernel command line (unknown words are ignored, as the kernel does). */
    public static MmBootOptions fromCmdline(String cmdline) {
        boolean movable = false;
        java.util.List<String> words = CmdlineWords.split(cmdline);
        for (String w : words) {
            if (w.equals("movable_node")) {
                movable = true;
            }
        }
        return new MmBootOptions(movable, -1, cmdline.length(), E820Table.parseMemmap(words));
    }
}
