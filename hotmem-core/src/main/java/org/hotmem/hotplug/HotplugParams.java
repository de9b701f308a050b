package org.hotmem.hotplug;

import org.hotmem.mm.CmdlineWords;
import org.hotmem.mm.KernelVersion;

/**
 * The memory hotplug knobs: boot parameters (memhp_default_state=, movable_node,
 * memory_hotplug.*) and their runtime values (/sys/module/memory_hotplug/parameters/*,
 * auto_online_blocks). Mutable at runtime where Linux allows it; guarded by
 * device_hotplug_lock for the online type (as Linux's mhp_default_online_type is only read
 * under it) and by the running task otherwise.
 */
public final class HotplugParams {
    /** memory_hotplug.memmap_on_memory values. */
    public enum MemmapOnMemory { N, Y, FORCE }

    /** memory_hotplug.online_policy values. */
    public enum OnlinePolicy {
        CONTIG_ZONES("contig-zones"), AUTO_MOVABLE("auto-movable");

        private final String text;

        OnlinePolicy(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    OnlineType defaultOnlineType;
    boolean movableNode;
    MemmapOnMemory memmapOnMemory = MemmapOnMemory.N;
    OnlinePolicy onlinePolicy = OnlinePolicy.CONTIG_ZONES;
    int autoMovableRatio = 301;
    boolean autoMovableNumaAware = true;

    /** Defaults of a kernel version: 6.12 (Debian, MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO) onlines, 6.1 does not. */
    public static HotplugParams defaults(KernelVersion v) {
        HotplugParams p = new HotplugParams();
        p.defaultOnlineType = v.atLeast612() ? OnlineType.ONLINE : OnlineType.OFFLINE;
        return p;
    }

    /**
     * Parses the kernel command line. Unknown or malformed values are ignored, as the
     * kernel's parameter parsers do (memhp_default_state= with an unknown word keeps the default).
     */
    public static HotplugParams fromCmdline(String cmdline, KernelVersion v) {
        HotplugParams p = defaults(v);
        for (String w : CmdlineWords.split(cmdline)) {
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            String val = eq < 0 ? null : w.substring(eq + 1);
            switch (key) {
                case "movable_node" -> p.movableNode = true;
                case "memhp_default_state" -> {
                    OnlineType t = val == null ? null : OnlineType.fromString(val);
                    if (t != null) {
                        p.defaultOnlineType = t;
                    }
                }
                case "memory_hotplug.memmap_on_memory" -> {
                    if (val == null || val.isEmpty()) {
                        p.memmapOnMemory = MemmapOnMemory.Y;
                    } else if (val.equalsIgnoreCase("force")) {
                        p.memmapOnMemory = MemmapOnMemory.FORCE;
                    } else {
                        try {
                            p.memmapOnMemory = SysfsStrings.kstrtobool(val) ? MemmapOnMemory.Y : MemmapOnMemory.N;
                        } catch (RuntimeException ignored) {
                            // kernel: "Malformed value" warning, parameter unchanged
                        }
                    }
                }
                case "memory_hotplug.online_policy" -> {
                    for (OnlinePolicy op : OnlinePolicy.values()) {
                        if (op.text.equals(val)) {
                            p.onlinePolicy = op;
                        }
                    }
                }
                case "memory_hotplug.auto_movable_ratio" -> {
                    try {
                        p.autoMovableRatio = SysfsStrings.kstrtouint(val == null ? "" : val);
                    } catch (RuntimeException ignored) {
                        // unchanged
                    }
                }
                case "memory_hotplug.auto_movable_numa_aware" -> {
                    try {
                        p.autoMovableNumaAware = val == null || SysfsStrings.kstrtobool(val);
                    } catch (RuntimeException ignored) {
                        // unchanged
                    }
                }
                default -> {
                }
            }
        }
        return p;
    }

    public OnlineType defaultOnlineType() {
        return defaultOnlineType;
    }

    public boolean movableNode() {
        return movableNode;
    }

    public MemmapOnMemory memmapOnMemory() {
        return memmapOnMemory;
    }

    public OnlinePolicy onlinePolicy() {
        return onlinePolicy;
    }

    public int autoMovableRatio() {
        return autoMovableRatio;
    }

    public boolean autoMovableNumaAware() {
        return autoMovableNumaAware;
    }
}
