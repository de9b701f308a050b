package org.hotmem.kernel.fs;

/**
 * A node of the kernfs tree: a directory, an attribute file or a symlink.
 *
 * <p>A node knows its name and parent; {@link #path()} rebuilds its absolute path. The
 * parent link is cleared when the node is removed, so a removed node answers
 * {@link #isRemoved()} (an open file of a removed sysfs attribute in Linux gives ENODEV;
 * callers holding a node can check this).
 *
 * <p>Invariant: {@code removed} only goes from false to true. Not thread-safe: mutated only by
 * the one task that runs at a time.
 */
public abstract sealed class KNode permits KDir, KFile, KSymlink {
    private final String name;
    /** The containing directory; null for the root and for removed nodes. */
    KDir parent;
    private boolean removed;
    /** True while the node has a dentry in the dcache (a path walk reached it). */
    boolean dentry;

    KNode(String name, KDir parent) {
        this.name = name;
        this.parent = parent;
    }

    /** The last path component ("" for the root). */
    public final String name() {
        return name;
    }

    /** The containing directory, or null for the root or a removed node. */
    public final KDir parent() {
        return parent;
    }

    /** True once {@link Kernfs#remove(String)} took this node (or an ancestor) out of the tree. */
    public final boolean isRemoved() {
        return removed;
    }

    void markRemoved() {
        removed = true;
        parent = null;
    }

    /** The absolute path, e.g. {@code /sys/devices/system/memory/memory40/state}. */
    public final String path() {
        if (parent == null) {
            return name.isEmpty() ? "/" : name;
        }
        StringBuilder sb = new StringBuilder();
        appendPath(sb);
        return sb.toString();
    }

    final void appendPath(StringBuilder sb) {
        if (parent == null) {
            return; // the root contributes nothing before its children's "/"
        }
        ((KNode) parent).appendPath(sb);
        sb.append('/').append(name);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + path() + ")";
    }
}
