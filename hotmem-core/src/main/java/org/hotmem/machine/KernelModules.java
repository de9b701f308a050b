package org.hotmem.machine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hotmem.hotplug.MemoryHotplug;
import org.hotmem.hotplug.MemoryNotifierErrorInject;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;

/**
 * The loadable modules of the guest that matter to memory hotplug, with the semantics of
 * init_module(2)/delete_module(2) (kernel/module/main.c): {@code notifier_error_inject} (the
 * debugfs directory {@code notifier-error-inject}) and {@code memory_notifier_error_inject}
 * (depends on it; parameter {@code priority}). Loading one that is loaded is EEXIST, one that
 * is unknown ENOENT, one whose dependency is missing ENOENT ("Unknown symbol"); unloading one
 * that is not loaded is ENOENT, one another module uses EAGAIN (EWOULDBLOCK). A loaded module
 * has {@code /sys/module/NAME/initstate} ("live") and {@code refcnt}, and a line in
 * {@code /proc/modules}.
 *
 * <p>Invariant: {@code loaded} holds the loaded modules in load order; every dependency of a
 * loaded module is loaded. Touched only in tasks (insmod/rmmod) under the kernel's single-runner
 * discipline.
 */
public final class KernelModules {
    public static final String NOTIFIER_ERROR_INJECT = "notifier_error_inject";
    public static final String MEMORY_NOTIFIER_ERROR_INJECT = "memory_notifier_error_inject";
    /** The modules the guest has, as /lib/modules would (module names use '_'). */
    public static final List<String> KNOWN = List.of(NOTIFIER_ERROR_INJECT, MEMORY_NOTIFIER_ERROR_INJECT);

    private final Kernfs fs;
    private final MemoryHotplug hotplug;
    private final org.hotmem.kernel.Dmesg dmesg;
    private final Map<String, MemoryNotifierErrorInject> loaded = new LinkedHashMap<>();
    /** Out-of-tree modules the guest has (the recorder's cmm.ko), by name. */
    private final Map<String, java.util.function.Supplier<Module>> outOfTree = new LinkedHashMap<>();
    /** The loaded out-of-tree modules. */
    private final Map<String, Module> loadedOutOfTree = new LinkedHashMap<>();
    /** TAINT_OOT_MODULE and TAINT_UNSIGNED_MODULE are set (printed once per boot). */
    private boolean taintedOutOfTree;

    /** A loadable module's init and exit (module_init()/module_exit()). */
    public interface Module {
        /** Parses the parameters and runs the init function; throws KernelException as init_module(2) fails. */
        void init(String params);

        /** The exit function. */
        void exit();
    }

    /**
     * Makes an out-of-tree module available ({@code /lib/modules/NAME.ko}); loading it taints
     * the kernel (OE) with module_sig_check()'s and check_modinfo()'s lines, once per boot.
     */
    public void registerOutOfTree(String name, java.util.function.Supplier<Module> factory) {
        outOfTree.put(normalise(name), factory);
    }

    KernelModules(Kernfs fs, MemoryHotplug hotplug, org.hotmem.kernel.Dmesg dmesg) {
        this.fs = fs;
        this.hotplug = hotplug;
        this.dmesg = dmesg;
        fs.addFile(fs.mkdirs("/proc"), "modules", 0444, this::procModules, null);
    }

    /**
     * /proc/modules (kernel/module/procfs.c m_show()): the newest first, "NAME SIZE REFCNT USERS,
     * Live ADDRESS" with "-" when no module uses it. Model: the guest's other modules (virtio) are
     * not listed; sizes are one page-rounded 12 KiB each; addresses hidden.
     */
    private String procModules() {
        List<String> names = new ArrayList<>(loaded.keySet());
        java.util.Collections.reverse(names);
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            String users = users(n) > 0 ? MEMORY_NOTIFIER_ERROR_INJECT + "," : "-";
            sb.append(n).append(' ').append(12288).append(' ').append(users(n))
                    .append(' ').append(users).append(" Live 0x0000000000000000\n");
        }
        return sb.toString();
    }

    /** A module name as the kernel spells it: '-' becomes '_' (modprobe accepts both). */
    public static String normalise(String name) {
        return name.replace('-', '_');
    }

    /** The names of the loaded modules, in load order. */
    public List<String> loaded() {
        return new ArrayList<>(loaded.keySet());
    }

    public boolean isLoaded(String name) {
        return loaded.containsKey(normalise(name)) || loadedOutOfTree.containsKey(normalise(name));
    }

    /**
     * Models init_module(2): runs the module's init with {@code params} ({@code priority=N}).
     *
     * @throws KernelException EEXIST, ENOENT, EINVAL (a bad parameter)
     */
    public void load(String name, String params) {
        String n = normalise(name);
        if (outOfTree.containsKey(n)) {
            loadOutOfTree(n, params);
            return;
        }
        if (!KNOWN.contains(n)) {
            throw new KernelException(Errno.ENOENT);
        }
        if (loaded.containsKey(n)) {
            throw new KernelException(Errno.EEXIST);
        }
        MemoryNotifierErrorInject inject = null;
        if (n.equals(NOTIFIER_ERROR_INJECT)) {
            fs.mkdirs(MemoryNotifierErrorInject.DEBUGFS_DIR);
        } else {
            if (!loaded.containsKey(NOTIFIER_ERROR_INJECT)) {
                throw new KernelException(Errno.ENOENT); // Unknown symbol notifier_err_inject_init
            }
            inject = new MemoryNotifierErrorInject(hotplug, fs, dmesg);
            inject.init(priority(params));
        }
        loaded.put(n, inject);
        KDir d = fs.mkdirs("/sys/module/" + n);
        fs.addFile(d, "initstate", 0444, () -> "live\n", null);
        fs.addFile(d, "refcnt", 0444, () -> users(n) + "\n", null);
    }

    /**
     * Models delete_module(2).
     *
     * @throws KernelException ENOENT if not loaded, EAGAIN if another module uses it
     */
    public void unload(String name) {
        String n = normalise(name);
        if (loadedOutOfTree.containsKey(n)) {
            loadedOutOfTree.remove(n).exit();
            fs.remove("/sys/module/" + n);
            return;
        }
        if (!loaded.containsKey(n)) {
            throw new KernelException(Errno.ENOENT);
        }
        if (users(n) > 0) {
            throw new KernelException(Errno.EAGAIN);
        }
        MemoryNotifierErrorInject inject = loaded.remove(n);
        if (inject != null) {
            inject.exit();
        } else {
            fs.remove(MemoryNotifierErrorInject.DEBUGFS_DIR);
        }
        fs.remove("/sys/module/" + n);
    }

    /** load_module() of an out-of-tree module: taint, the module's sysfs directory, its init. */
    private void loadOutOfTree(String n, String params) {
        if (loadedOutOfTree.containsKey(n)) {
            throw new KernelException(Errno.EEXIST);
        }
        if (!taintedOutOfTree) {
            taintedOutOfTree = true;
            dmesg.warn(n + ": loading out-of-tree module taints kernel.");
            dmesg.warn(n + ": module verification failed: signature and/or required key missing - tainting kernel");
        }
        Module m = outOfTree.get(n).get();
        m.init(params);
        loadedOutOfTree.put(n, m);
        KDir d = fs.mkdirs("/sys/module/" + n);
        for (String sub : List.of("holders", "notes", "sections")) {
            fs.mkdirs("/sys/module/" + n + "/" + sub);
        }
        fs.addFile(d, "coresize", 0444, () -> "65536\n", null); // model: sizes of the recorded cmm.ko not modelled
        fs.addFile(d, "initsize", 0444, () -> "0\n", null);
        fs.addFile(d, "initstate", 0444, () -> "live\n", null);
        fs.addFile(d, "refcnt", 0444, () -> "0\n", null);
        fs.addFile(d, "srcversion", 0444, () -> "0\n", null);
        fs.addFile(d, "taint", 0444, () -> "OE\n", null);
        fs.addFile(d, "uevent", 0200, null, b -> { });
        fs.addFile(d, "version", 0444, () -> "1.0.0\n", null);
    }

    /** Whether the module is one of this guest's out-of-tree modules and loaded. */
    public Module outOfTreeModule(String name) {
        return loadedOutOfTree.get(normalise(name));
    }

    private int users(String n) {
        return n.equals(NOTIFIER_ERROR_INJECT) && loaded.containsKey(MEMORY_NOTIFIER_ERROR_INJECT) ? 1 : 0;
    }

    /** {@code priority=N} (module_param(priority, int, 0)); absent means 0. */
    private static int priority(String params) {
        int priority = 0;
        for (String p : params.strip().split("\\s+")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            if (!key.equals("priority") || eq < 0) {
                continue; // Linux: "Unknown parameter" is a warning, the load goes on
            }
            try {
                priority = Integer.parseInt(p.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new KernelException(Errno.EINVAL);
            }
        }
        return priority;
    }
}
