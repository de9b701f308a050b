package org.hotmem.hotplug;

import org.hotmem.kernel.BootParams;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.KernelStrings;
import org.hotmem.mm.KernelFeature;
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
    /** The kernel whose parameter types apply (memmap_on_memory changed type in 6.6). */
    private KernelVersion version;

    /** Defaults of a kernel version: 6.12 (Debian, MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO) onlines, 6.1 does not. */
    public static HotplugParams defaults(KernelVersion v) {
        HotplugParams p = new HotplugParams();
        p.defaultOnlineType = v.has(KernelFeature.AUTO_ONLINE_BY_DEFAULT) ? OnlineType.ONLINE : OnlineType.OFFLINE;
        p.version = v;
        return p;
    }

    /** Parses the kernel command line (messages about bad values are dropped; see {@link #register}). */
    public static HotplugParams fromCmdline(String cmdline, KernelVersion v) {
        HotplugParams p = defaults(v);
        p.register(BootParams.x86Defaults(), v).parse(cmdline);
        return p;
    }

    /**
     * Adds this subsystem's boot parameters to the kernel's table: the module parameters of
     * mm/memory_hotplug.c (their set functions are the ones the sysfs files use), the
     * {@code memhp_default_state=} setup (an unknown word keeps the default, as
     * setup_memhp_default_state() does) and the early {@code movable_node}.
     */
    public BootParams register(BootParams bp, KernelVersion v) {
        bp.param("memory_hotplug.memmap_on_memory", !v.has(KernelFeature.MEMMAP_ON_MEMORY_FORCE), this::setMemmapOnMemory);
        bp.param("memory_hotplug.online_policy", false, this::setOnlinePolicy);
        bp.param("memory_hotplug.auto_movable_ratio", false, this::setAutoMovableRatio);
        bp.param("memory_hotplug.auto_movable_numa_aware", true, this::setAutoMovableNumaAware);
        bp.setup("memhp_default_state=", val -> {
            OnlineType t = OnlineType.fromString(val);
            if (t != null) {
                defaultOnlineType = t;
            }
        });
        bp.early("movable_node", val -> movableNode = true);
        return bp;
    }

    /**
     * memmap_on_memory: a bool in 6.1; set_memmap_mode() since 6.6 ("force"/"FORCE", else
     * kstrtobool).
     */
    void setMemmapOnMemory(String val) {
        if (version.has(KernelFeature.MEMMAP_ON_MEMORY_FORCE) && (KernelStrings.sysfsStreq(val, "force") || KernelStrings.sysfsStreq(val, "FORCE"))) {
            memmapOnMemory = MemmapOnMemory.FORCE;
            return;
        }
        memmapOnMemory = KernelStrings.kstrtobool(val == null ? "1" : val) ? MemmapOnMemory.Y : MemmapOnMemory.N;
    }

    /** Models set_online_policy(): sysfs_match_string() over the policy names, else EINVAL. */
    void setOnlinePolicy(String val) {
        for (OnlinePolicy op : OnlinePolicy.values()) {
            if (KernelStrings.sysfsStreq(val, op.text)) {
                onlinePolicy = op;
                return;
            }
        }
        throw new KernelException(Errno.EINVAL);
    }

    /** param_set_uint(): kstrtouint(val, 0). */
    void setAutoMovableRatio(String val) {
        autoMovableRatio = KernelStrings.kstrtouint(val, 0);
    }

    /** param_set_bool(): a bare name means "1", else kstrtobool. */
    void setAutoMovableNumaAware(String val) {
        autoMovableNumaAware = KernelStrings.kstrtobool(val == null ? "1" : val);
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
