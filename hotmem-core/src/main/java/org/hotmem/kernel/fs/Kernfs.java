package org.hotmem.kernel.fs;

import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;

/**
 * kernfs: the one virtual tree of a machine's sysfs and procfs files ({@code /sys/...},
 * {@code /proc/zoneinfo}). Models the part of fs/kernfs and fs/sysfs that attribute owners
 * and readers see: directories, attribute files with show/store callbacks, symlinks.
 *
 * <p>Invariants: every node but the root has exactly one parent directory that maps its
 * name to it; names are non-empty and contain no {@code '/'}; a directory lists its entries
 * sorted by byte value. Removing a node detaches its whole subtree and marks every node in
 * it removed.
 *
 * <p>Concurrency: none. The tree is touched only by the task that currently runs (the
 * kernel runs one task at a time), so no field needs a lock. Show/store callbacks run in the
 * caller's task and may take kernel locks and sleep; kernfs holds nothing while they run.
 *
 * <p>Writes: a {@link Store} receives the written text verbatim, with the trailing newline of
 * {@code echo} ({@code "online\n"}); owners strip it as Linux's {@code sysfs_streq()} and
 * {@code kstrtobool()} do. Errors of a store are {@code KernelException}s with Linux's errno.
 *
 * <p>Paths are absolute, {@code '/'}-separated; empty components and {@code "."} are
 * ignored, {@code ".."} goes to the parent of the directory reached so far (the root's
 * parent is the root), symlinks in the middle of a path are followed.
  *
 * <p>Dentries: the {@code user} walks ({@link #userWalk}, {@link #userPath}, the open methods
 * with {@code user}) are a guest process's path walks; each node they reach is instantiated in
 * the {@link DentryCache} once (d_alloc + the inode of kernfs_iop_lookup()), and removing a
 * node kills its dentry. The other lookups are the model's own accesses (kernel code, tools,
 * the scenario runner's writes) and allocate nothing.
 */
public final class Kernfs {
    /** Maximum number of symlinks followed in one lookup (Linux: MAXSYMLINKS = 40, then ELOOP). */
    private static final int MAX_SYMLINKS = 40;

    private final KDir root = new KDir("", null);
    /** Where the dentries and inodes of walked nodes live (the mm's slab caches), or null. */
    private DentryCache dcache;

    /** The dcache of a machine: memory for the dentry and inode of each node a path walk reached. */
    public interface DentryCache {
        /** First walk to {@code n}: allocate its dentry and inode. */
        void instantiate(KNode n);

        /** {@code n} was removed (d_invalidate() + the inode's eviction). */
        void kill(KNode n);
    }

    /** Attaches the dcache (once, when mm is up). */
    public void setDentryCache(DentryCache dcache) {
        this.dcache = dcache;
    }

    /** The root directory {@code /}. */
    public KDir root() {
        return root;
    }

    /**
     * Returns the directory at {@code path}, creating missing directories on the way
     * (as {@code kobject_add()} of a chain of parents would).
     *
     * @throws IllegalStateException if a component exists and is not a directory
     */
    public KDir mkdirs(String path) {
        KDir dir = root;
        for (String c : components(path)) {
            if (c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                dir = dir.parent() == null ? root : dir.parent();
                continue;
            }
            KNode n = dir.child(c);
            if (n instanceof KSymlink) {
                n = walk(dir, ((KSymlink) n).target(), true, false, new int[1], false);
            }
            if (n == null) {
                dir = dir.add(new KDir(c, dir));
            } else if (n instanceof KDir d) {
                dir = d;
            } else {
                throw new IllegalStateException("kernfs: mkdirs " + path + ": " + n.path() + " is not a directory");
            }
        }
        return dir;
    }

    /**
     * Adds an attribute file, as {@code sysfs_create_file()} does.
     *
     * @param mode  permission bits: 0444 read-only, 0644 read-write, 0200 write-only
     * @param show  the read callback, or null for a write-only file
     * @param store the write callback, or null for a read-only file
     * @throws IllegalStateException if {@code dir} already has an entry {@code name}
     */
    public KFile addFile(KDir dir, String name, int mode, Show show, Store store) {
        checkName(name);
        return dir.add(new KFile(name, dir, mode, show, store));
    }

    /**
     * Adds a symlink, as {@code sysfs_create_link()} does. {@code target} is absolute or
     * relative to {@code dir}.
     */
    public KSymlink symlink(KDir dir, String name, String target) {
        checkName(name);
        return dir.add(new KSymlink(name, dir, target));
    }

    /**
     * Removes the node at {@code path} with its whole subtree, as {@code kobject_del()} /
     * {@code sysfs_remove_file()}. A symlink itself is removed, not its target.
     *
     * @return false if nothing was at {@code path}
     */
    public boolean remove(String path) {
        KNode n = lookup(path);
        if (n == null || n == root) {
            return false;
        }
        n.parent().detach(n.name());
        markRemoved(n);
        return true;
    }

    private void markRemoved(KNode n) {
        if (n instanceof KDir d) {
            for (KNode c : d.children()) {
                markRemoved(c);
            }
        }
        if (n.dentry && dcache != null) {
            dcache.kill(n);
        }
        n.dentry = false;
        n.markRemoved();
    }

    /**
     * The node at {@code path}, like lstat(2): symlinks in the middle are followed, a final
     * symlink is returned itself. Null if there is none (ENOENT, ENOTDIR or ELOOP).
     */
    public KNode lookup(String path) {
        try {
            return walk(path, false);
        } catch (KernelException e) {
            return null;
        }
    }

    /** The node at {@code path}, like stat(2): a final symlink is followed too. Null if none. */
    public KNode resolve(String path) {
        try {
            return walk(path, true);
        } catch (KernelException e) {
            return null;
        }
    }

    /** The directory at {@code path} (following symlinks), or null if there is none or it is not a directory. */
    public KDir lookupDir(String path) {
        return resolve(path) instanceof KDir d ? d : null;
    }

    /** The file at {@code path} (following symlinks), or null if there is none or it is not a file. */
    public KFile lookupFile(String path) {
        return resolve(path) instanceof KFile f ? f : null;
    }

    /**
     * Resolves {@code path} with the VFS's lookup rules (path_lookupat()): an empty path is
     * ENOENT; a component that is missing is ENOENT, one that is not a directory but is
     * followed by more (a trailing {@code '/'} included) is ENOTDIR; more than
     * {@value #MAX_SYMLINKS} symlinks is ELOOP. {@code followLast}: stat(2) rather than
     * lstat(2); a trailing slash always follows a final symlink.
     *
     * @throws KernelException with ENOENT, ENOTDIR or ELOOP
     */
    public KNode walk(String path, boolean followLast) {
        return walk(path, followLast, false);
    }

    /** {@link #walk(String, boolean)} as a guest process does it: every node reached gets its dentry. */
    public KNode userWalk(String path, boolean followLast) {
        return walk(path, followLast, true);
    }

    /** A guest process's lookup: {@link #userWalk}, null instead of an errno. */
    public KNode userPath(String path, boolean followLast) {
        try {
            return walk(path, followLast, true);
        } catch (KernelException e) {
            return null;
        }
    }

    private KNode walk(String path, boolean followLast, boolean user) {
        if (path.isEmpty()) {
            throw new KernelException(Errno.ENOENT);
        }
        return walk(root, path, followLast || path.endsWith("/"), path.endsWith("/"), new int[1], user);
    }

    /**
     * Opens {@code path} for writing as open(O_WRONLY|O_CREAT|O_TRUNC) does on sysfs: the
     * attribute if it is writable; EISDIR for a directory (or a missing name with a trailing
     * slash), EACCES for an attribute without a store or a name sysfs cannot create, the
     * lookup's errno for a missing or non-directory parent.
     */
    public KFile openForWrite(String path) {
        return openForWrite(path, false);
    }

    /** {@link #openForWrite(String)}, by a guest process ({@code user}: the walk instantiates dentries). */
    public KFile openForWrite(String path, boolean user) {
        KNode n;
        try {
            n = walk(path, true, user);
        } catch (KernelException e) {
            if (e.errno() != Errno.ENOENT || path.isEmpty()) {
                throw e;
            }
            // the last component is missing: creating it needs the parent directory
            String p = path;
            while (p.length() > 1 && p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            int slash = p.lastIndexOf('/');
            KNode parent = walk((slash <= 0 ? "" : p.substring(0, slash)) + "/", true, user);
            String name = p.substring(slash + 1);
            if (name.isEmpty() || ((KDir) parent).child(name) != null) {
                throw e; // nothing to create, or a dangling symlink (its target is missing)
            }
            throw new KernelException(path.endsWith("/") ? Errno.EISDIR : Errno.EACCES);
        }
        if (n instanceof KDir) {
            throw new KernelException(Errno.EISDIR);
        }
        KFile f = (KFile) n;
        if (!f.writable()) {
            throw new KernelException(Errno.EACCES); // sysfs: no write bit, even for root
        }
        return f;
    }

    /** Opens {@code path} for reading: the node (a directory opens too; reading it is EISDIR), EACCES without a read bit. */
    public KNode openForRead(String path) {
        return openForRead(path, false);
    }

    /** {@link #openForRead(String)}, by a guest process ({@code user}: the walk instantiates dentries). */
    public KNode openForRead(String path, boolean user) {
        KNode n = walk(path, true, user);
        if (n instanceof KFile f && !f.readable()) {
            throw new KernelException(Errno.EACCES);
        }
        return n;
    }

    private KNode walk(KDir start, String path, boolean followLast, boolean mustBeDir, int[] links, boolean user) {
        KDir dir = path.startsWith("/") ? root : start;
        String[] cs = components(path);
        KNode cur = dir;
        for (int i = 0; i < cs.length; i++) {
            String c = cs[i];
            if (!(cur instanceof KDir d)) {
                throw new KernelException(Errno.ENOTDIR);
            }
            dir = d;
            if (c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                cur = dir.parent() == null ? root : dir.parent();
                continue;
            }
            KNode n = dir.child(c);
            if (n == null) {
                throw new KernelException(Errno.ENOENT);
            }
            if (user && !n.dentry && dcache != null) {
                n.dentry = true;
                dcache.instantiate(n);
            }
            boolean last = i == cs.length - 1;
            if (n instanceof KSymlink l && (!last || followLast)) {
                if (++links[0] > MAX_SYMLINKS) {
                    throw new KernelException(Errno.ELOOP);
                }
                n = walk(dir, l.target(), true, false, links, user);
            }
            cur = n;
        }
        if (mustBeDir && !(cur instanceof KDir)) {
            throw new KernelException(Errno.ENOTDIR);
        }
        return cur;
    }

    private static String[] components(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("kernfs: bad name '" + name + "'");
        }
    }
}
