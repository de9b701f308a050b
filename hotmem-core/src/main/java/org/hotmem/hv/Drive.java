package org.hotmem.hv;

import java.nio.file.Path;

/**
 * A {@code -drive file=PATH,if=virtio,format=raw[,id=ID]} disk: a virtio-blk device whose
 * sectors are the bytes of a host file (QEMU's raw format). Only what hibernation needs is
 * modelled: the backing file.
 */
public record Drive(Path file, String id) {
    /** Parses the option value; QEMU's messages for what is not modelled. */
    static Drive parse(String value) {
        String file = null;
        String id = null;
        for (String kv : value.split(",")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            switch (k) {
                case "file" -> file = v;
                case "id" -> id = v;
                case "if" -> {
                    if (!v.equals("virtio")) throw new QemuConfigException("-drive " + value + ": model: only if=virtio is modelled");
                }
                case "format" -> {
                    if (!v.equals("raw")) throw new QemuConfigException("-drive " + value + ": model: only format=raw is modelled");
                }
                default -> throw new QemuConfigException("-drive " + value + ": Invalid parameter '" + k + "'");
            }
        }
        if (file == null) throw new QemuConfigException("-drive " + value + ": model: a drive needs file=");
        return new Drive(Path.of(file), id);
    }
}
