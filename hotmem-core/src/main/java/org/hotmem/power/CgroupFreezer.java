package org.hotmem.power;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.KernelStrings;
import org.hotmem.kernel.Task;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.Kernfs;

/**
 * The cgroup v2 freezer (kernel/cgroup/freezer.c) on the unified hierarchy at /sys/fs/cgroup:
 * every cgroup but the root has {@code cgroup.freeze} (the cgroup's own request, 0 or 1) and
 * {@code cgroup.events} ({@code populated} and {@code frozen}); every cgroup has
 * {@code cgroup.procs} (read: its tasks' pids; write a pid: move that task here). A cgroup is
 * freezing when it or an ancestor asked; it reads {@code frozen 1} once every task in it and below
 * is frozen. Moving a task into a freezing cgroup freezes it, moving it out thaws it. This is what
 * lets user space freeze everything but chosen tasks, and thaw some on purpose, independently of
 * the PM freezer (a task either freezer holds stays frozen).
 *
 * <p>Guarded by cgroup_mutex in Linux; here by the kernel's one-runner discipline (the callers are
 * tasks of this kernel).
 */
public final class CgroupFreezer {
    /** A cgroup: its name, parent, own freeze request, children. */
    public final class Cgroup {
        final String path;
        final Cgroup parent;
        /** cgroup.freeze as written (CGRP_FREEZE on self). */
        boolean freeze;
        final List<Cgroup> children = new ArrayList<>();

        Cgroup(String path, Cgroup parent) {
            this.path = path;
            this.parent = parent;
        }

        /** Whether this cgroup or an ancestor asked to freeze (cgrp->freezer.e_freeze > 0). */
        public boolean freezing() {
            for (Cgroup c = this; c != null; c = c.parent) if (c.freeze) return true;
            return false;
        }

        /** CGRP_FROZEN: freezing, and every live task in this cgroup and below frozen. */
        public boolean frozen() {
            if (!freezing()) return false;
            for (Task t : tasksBelow()) if (!kernel.freezer().frozen(t)) return false;
            return true;
        }

        List<Task> tasks() {
            List<Task> out = new ArrayList<>();
            for (Task t : kernel.tasks()) if (!t.isDead() && cgroupOf(t) == this) out.add(t);
            return out;
        }

        List<Task> tasksBelow() {
            List<Task> out = new ArrayList<>(tasks());
            for (Cgroup c : children) out.addAll(c.tasksBelow());
            return out;
        }

        public String path() { return path; }
    }

    private final Kernel kernel;
    private final Kernfs fs;
    private final Cgroup root;
    private final Map<String, Cgroup> byPath = new java.util.LinkedHashMap<>();
    /** The cgroup of each task moved out of the root (the rest are in the root). */
    private final Map<Task, Cgroup> membership = new IdentityHashMap<>();

    public CgroupFreezer(Kernel kernel, Kernfs fs) {
        this.kernel = kernel;
        this.fs = fs;
        this.root = new Cgroup("/", null);
        byPath.put("/", root);
        KDir d = fs.mkdirs(ROOT);
        fs.addFile(d, "cgroup.procs", 0644, () -> procs(root), buf -> attach(root, buf));
    }

    static final String ROOT = "/sys/fs/cgroup";

    /** The cgroup {@code task} is in. */
    public Cgroup cgroupOf(Task task) {
        return membership.getOrDefault(task, root);
    }

    /** The cgroup at {@code path} ("/" the root, "/a/b"), or null. */
    public Cgroup cgroup(String path) { return byPath.get(path); }

    /** Models cgroup_mkdir(): a child cgroup with its interface files; -EEXIST, -ENOENT for a missing parent. */
    public Cgroup mkdir(String path) {
        if (byPath.containsKey(path)) throw new KernelException(Errno.EEXIST);
        int slash = path.lastIndexOf('/');
        Cgroup parent = byPath.get(slash == 0 ? "/" : path.substring(0, slash));
        if (parent == null || slash < 0 || slash == path.length() - 1) throw new KernelException(Errno.ENOENT);
        Cgroup c = new Cgroup(path, parent);
        parent.children.add(c);
        byPath.put(path, c);
        KDir d = fs.mkdirs(ROOT + path);
        fs.addFile(d, "cgroup.procs", 0644, () -> procs(c), buf -> attach(c, buf));
        fs.addFile(d, "cgroup.freeze", 0644, () -> (c.freeze ? "1" : "0") + "\n", buf -> freezeWrite(c, buf));
        fs.addFile(d, "cgroup.events", 0444, () -> "populated " + (c.tasksBelow().isEmpty() ? 0 : 1) + "\nfrozen "
                + (c.frozen() ? 1 : 0) + "\n", null);
        return c;
    }

    private String procs(Cgroup c) {
        StringBuilder b = new StringBuilder();
        for (Task t : c.tasks()) b.append(t.pid()).append('\n');
        return b.toString();
    }

    /** Models cgroup_freeze_write(): kstrtoint, then 0 or 1 only (-ERANGE). */
    private void freezeWrite(Cgroup c, String buf) {
        int v = KernelStrings.kstrtoint(KernelStrings.stripOneNewline(buf).trim(), 0);
        if (v < 0 || v > 1) throw new KernelException(Errno.ERANGE);
        freeze(c, v == 1);
    }

    /** Models cgroup_freeze(): sets the request and tells every task of the subtree whose state changes. */
    public void freeze(Cgroup c, boolean on) {
        if (c == root) throw new KernelException(Errno.EINVAL); // model: the root has no cgroup.freeze
        c.freeze = on;
        for (Task t : c.tasksBelow()) kernel.freezer().setCgroupFreezing(t, cgroupOf(t).freezing());
    }

    /** Models cgroup_procs_write(): moves the task with that pid here; -ESRCH, -EINVAL for a kernel thread. */
    private void attach(Cgroup c, String buf) {
        int pid = KernelStrings.kstrtoint(KernelStrings.stripOneNewline(buf).trim(), 0);
        Task t = null;
        for (Task x : kernel.tasks()) if (x.pid() == pid && !x.isDead()) t = x;
        if (t == null) throw new KernelException(Errno.ESRCH);
        move(t, c);
    }

    /** Moves {@code t} into {@code c} (cgroup_migrate()): it freezes or thaws with its new cgroup. */
    public void move(Task t, Cgroup c) {
        if (t.isKthread()) throw new KernelException(Errno.EINVAL);
        if (c == root) membership.remove(t);
        else membership.put(t, c);
        kernel.freezer().setCgroupFreezing(t, c.freezing());
    }
}
