package org.hotmem.conformance;

import java.util.TreeMap;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;

/**
 * A tiny sysfs for tests: /sys/devices/system/memory with auto_online_blocks,
 * block_size_bytes and blocks whose state/online attributes accept Linux's strings, and a
 * /proc/zoneinfo in Linux's format whose Movable zone follows the online blocks.
 */
final class FakeSysfs {
    final Kernfs fs = new Kernfs();
    /** block id -> zone name when online, null when offline. */
    final TreeMap<Integer, String> blocks = new TreeMap<>();
    String autoOnline = "offline";
    final KDir memory;

    FakeSysfs(int... boot) {
        memory = fs.mkdirs("/sys/devices/system/memory");
        fs.mkdirs("/sys/devices/system/node/node0");
        fs.addFile(memory, "block_size_bytes", 0444, () -> "8000000\n", null);
        fs.addFile(memory, "auto_online_blocks", 0644, () -> autoOnline + "\n", buf -> {
            String s = strip(buf);
            if (!s.equals("offline") && !s.equals("online") && !s.equals("online_kernel") && !s.equals("online_movable")) {
                throw new KernelException(Errno.EINVAL);
            }
            autoOnline = s;
        });
        fs.addFile(memory, "soft_offline_page", 0200, null, buf -> { });
        for (int b : boot) {
            addBlock(b, "Normal");
        }
        KDir proc = fs.mkdirs("/proc");
        fs.addFile(proc, "zoneinfo", 0444, this::zoneinfo, null);
    }

    /** sysfs_streq: one trailing newline does not count. */
    static String strip(String buf) {
        return buf.endsWith("\n") ? buf.substring(0, buf.length() - 1) : buf;
    }

    void addBlock(int id, String zone) {
        blocks.put(id, zone);
        KDir d = fs.mkdirs("/sys/devices/system/memory/memory" + id);
        fs.addFile(d, "state", 0644, () -> (blocks.get(id) == null ? "offline" : "online") + "\n", buf -> {
            switch (strip(buf)) {
                case "online", "online_movable" -> online(id, "Movable");
                case "online_kernel" -> online(id, "Normal");
                case "offline" -> offline(id);
                default -> throw new KernelException(Errno.EINVAL);
            }
        });
        fs.addFile(d, "online", 0644, () -> (blocks.get(id) == null ? "0" : "1") + "\n", buf -> {
            switch (strip(buf)) {
                case "1", "y", "Y", "yes", "on", "true" -> {
                    if (blocks.get(id) == null) {
                        online(id, "Movable");
                    }
                }
                case "0", "n", "N", "no", "off", "false" -> {
                    if (blocks.get(id) != null) {
                        offline(id);
                    }
                }
                default -> throw new KernelException(Errno.EINVAL);
            }
        });
        fs.addFile(d, "phys_index", 0444, () -> String.format("%08x\n", id), null);
        fs.addFile(d, "phys_device", 0444, () -> "0\n", null);
        fs.addFile(d, "removable", 0444, () -> "1\n", null);
        fs.addFile(d, "valid_zones", 0444, () -> (blocks.get(id) == null ? "Movable Normal" : blocks.get(id)) + "\n", null);
        fs.symlink(d, "node0", "../../node/node0");
        fs.symlink(d, "subsystem", "../../../../bus/memory");
        fs.mkdirs(d.path() + "/power");
    }

    private void online(int id, String zone) {
        if (blocks.get(id) != null) {
            throw new KernelException(Errno.EINVAL);
        }
        blocks.put(id, zone);
    }

    private void offline(int id) {
        if (blocks.get(id) == null) {
            throw new KernelException(Errno.EINVAL);
        }
        if (id == 32) {
            throw new KernelException(Errno.EBUSY);
        }
        blocks.put(id, null);
    }

    private String zoneinfo() {
        StringBuilder sb = new StringBuilder();
        zone(sb, "DMA", 1, 4095, 3998, 3840, true);
        long normal = blocks.values().stream().filter("Normal"::equals).count() * 32768;
        long movable = blocks.values().stream().filter("Movable"::equals).count() * 32768;
        int firstMovable = blocks.entrySet().stream().filter(e -> "Movable".equals(e.getValue())).mapToInt(e -> e.getKey()).min().orElse(0);
        zone(sb, "Normal", 1048576, normal, normal, normal - 100, normal > 0);
        zone(sb, "Movable", firstMovable * 32768L, movable, movable, movable, movable > 0);
        zone(sb, "Device", 0, 0, 0, 0, false);
        return sb.toString();
    }

    private static void zone(StringBuilder sb, String name, long start, long spanned, long present, long managed, boolean populated) {
        sb.append(String.format("Node 0, zone %8s%n", name));
        if (name.equals("DMA")) {
            sb.append("  per-node stats\n      nr_inactive_anon 0\n");
        }
        sb.append("  pages free     ").append(managed).append('\n');
        sb.append("        boost    0\n        min      1\n        low      2\n        high     3\n");
        sb.append("        spanned  ").append(spanned).append('\n');
        sb.append("        present  ").append(present).append('\n');
        sb.append("        managed  ").append(managed).append('\n');
        sb.append("        cma      0\n        protection: (0, 0, 0, 0, 0)\n");
        if (!populated) {
            return;
        }
        sb.append("      nr_free_pages 1\n  pagesets\n    cpu: 0\n              count: 0\n");
        sb.append("  node_unreclaimable:  0\n  start_pfn:           ").append(start).append('\n');
    }
}
