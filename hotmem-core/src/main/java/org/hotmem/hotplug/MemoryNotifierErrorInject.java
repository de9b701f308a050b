package org.hotmem.hotplug;

import java.util.EnumMap;
import java.util.Map;
import org.hotmem.kernel.Dmesg;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;

/**
 * The module memory-notifier-error-inject (lib/memory-notifier-error-inject.c on
 * lib/notifier-error-inject.c): a memory notifier of the given priority that fails
 * MEM_GOING_ONLINE or MEM_GOING_OFFLINE with the errno written to
 * {@code /sys/kernel/debug/notifier-error-inject/memory/actions/ACTION/error} (mode 0600,
 * {@code %lld\n}, clamped to -MAX_ERRNO..0 as debugfs_errno_set() does), printing
 * {@code "Injecting error (%d) to %s"} when it does. The kernel selftest
 * tools/testing/selftests/memory-hotplug/mem-on-off-test.sh drives it.
 *
 * <p>Invariant: registered on the chain and its debugfs files present exactly between
 * {@link #init} and {@link #exit}. The error values are written by store callbacks and read by
 * the notifier, both in tasks under the kernel's single-runner discipline.
 */
public final class MemoryNotifierErrorInject {
    /** debugfs's directory of notifier-error-inject.ko. */
    public static final String DEBUGFS_DIR = "/sys/kernel/debug/notifier-error-inject";
    private static final int MAX_ERRNO = 4095;

    private final MemoryHotplug hotplug;
    private final Kernfs fs;
    private final Dmesg dmesg;
    private final Map<MemoryNotifier.Event, Integer> errors = new EnumMap<>(MemoryNotifier.Event.class);
    private final MemoryNotifier nb = this::notify;

    public MemoryNotifierErrorInject(MemoryHotplug hotplug, Kernfs fs, Dmesg dmesg) {
        this.hotplug = hotplug;
        this.fs = fs;
        this.dmesg = dmesg;
    }

    /** Models notifier_err_inject_init() (the debugfs files) and register_memory_notifier(). */
    public void init(int priority) {
        KDir actions = fs.mkdirs(DEBUGFS_DIR + "/memory/actions");
        for (MemoryNotifier.Event ev : new MemoryNotifier.Event[] {MemoryNotifier.Event.MEM_GOING_ONLINE,
                MemoryNotifier.Event.MEM_GOING_OFFLINE}) {
            errors.put(ev, 0);
            KDir d = fs.mkdirs(actions.path() + "/" + ev.name());
            fs.addFile(d, "error", 0600, () -> errors.get(ev) + "\n", buf -> errors.put(ev, parseErrno(buf)));
        }
        hotplug.registerMemoryNotifier(nb, priority);
    }

    /** Models the module's exit: unregister_memory_notifier() and debugfs_remove_recursive(). */
    public void exit() {
        hotplug.unregisterMemoryNotifier(nb);
        fs.remove(DEBUGFS_DIR + "/memory");
        errors.clear();
    }

    /** Models notifier_err_inject_callback(). */
    private int notify(MemoryNotifier.Event ev, long startPfn, long nrPages) {
        int err = errors.getOrDefault(ev, 0);
        if (err != 0) {
            dmesg.info("Injecting error (" + err + ") to " + ev.name());
        }
        return MemoryNotifier.fromErrno(err);
    }

    /** debugfs_errno_set() behind DEFINE_SIMPLE_ATTRIBUTE_SIGNED: kstrtoll, then clamp to -MAX_ERRNO..0. */
    private static int parseErrno(String buf) {
        String s = buf.strip();
        long v;
        try {
            v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16)
                    : s.startsWith("-0x") ? -Long.parseLong(s.substring(3), 16)
                    : s.length() > 1 && s.startsWith("0") ? Long.parseLong(s.substring(1), 8)
                    : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new KernelException(Errno.EINVAL);
        }
        return (int) Math.max(-MAX_ERRNO, Math.min(0, v));
    }
}
