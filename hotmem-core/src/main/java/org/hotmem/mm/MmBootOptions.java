package org.hotmem.mm;

/**
 * The kernel command-line options the memory model reads at boot.
 *
 * @param movableNode  {@code movable_node}: memblock allocates bottom-up during early
 *                     mapping, and hot-added memory defaults to ZONE_MOVABLE
 * @param initrdBytes  size of the initrd QEMU loads (-1: the recorded Debian initramfs of
 *                     the kernel version)
 */
public record MmBootOptions(boolean movableNode, long initrdBytes) {
    /** Defaults: no movable_node, the recorded initrd size. */
    public static MmBootOptions defaults() {
        return new MmBootOptions(false, -1);
    }

    /** Parses the options mm needs from a kernel command line (unknown words are ignored, as the kernel does). */
    public static MmBootOptions fromCmdline(String cmdline) {
        boolean movable = false;
        for (String w : CmdlineWords.split(cmdline)) {
            if (w.equals("movable_node")) {
                movable = true;
            }
        }
        return new MmBootOptions(movable, -1);
    }
}
