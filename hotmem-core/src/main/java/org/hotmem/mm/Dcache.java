package org.hotmem.mm;

import java.util.IdentityHashMap;
import java.util.Map;

import org.hotmem.kernel.fs.Kernfs;
import org.hotmem.kernel.fs.KNode;

/**
 * The dentry and inode of every sysfs/procfs node a process's path walk reached (fs/dcache.c
 * d_alloc(), kernfs_iop_lookup() -> kernfs_get_inode() -> alloc_inode()): two objects of the
 * reclaimable slab caches "dentry" and "inode_cache", kept until the node is removed (no
 * memory pressure evicts them in this model: // model: no shrinker runs). This is how a user's
 * shell commands make the kernel allocate memory that stays: the slabs come from the
 * zonelist of the moment, so after ZONE_NORMAL appears they sit at its lowest pageblocks.
 *
 * <p>Sizes are Debian x86-64's (SLUB, /proc/slabinfo): dentry 192 B, 21 per order-0 slab;
 * inode_cache 608 B, 53 per order-3 slab; min_partial 5 for both (ilog2(size) / 2 clamped to
 * [5, 10]).
 *
 * <p>Invariant: a node is in {@code live} iff kernfs marked it instantiated. Runs in the task
 * doing the walk or the removal, one at a time.
 */
final class Dcache implements Kernfs.DentryCache {
    private final SlabCache dentries;
    private final SlabCache inodes;
    /** Node -> {dentry slab pfn, inode slab pfn} (-1: the allocation failed). */
    private final Map<KNode, long[]> live = new IdentityHashMap<>();

    Dcache(MemoryModel mm) {
        this.dentries = new SlabCache(mm, "dentry", 21, 0, Gfp.KERNEL_RECLAIMABLE, 5);
        this.inodes = new SlabCache(mm, "inode_cache", 53, 3, Gfp.KERNEL_RECLAIMABLE, 5);
    }

    @Override
    public void instantiate(KNode n) {
        live.put(n, new long[] {dentries.alloc(), inodes.alloc()});
    }

    @Override
    public void kill(KNode n) {
        long[] objs = live.remove(n);
        if (objs == null) {
            return;
        }
        if (objs[0] >= 0) {
            dentries.free(objs[0]);
        }
        if (objs[1] >= 0) {
            inodes.free(objs[1]);
        }
    }

    /** Pages held by the two caches (SReclaimable's share). */
    long pages() {
        return dentries.pages() + inodes.pages();
    }
}
