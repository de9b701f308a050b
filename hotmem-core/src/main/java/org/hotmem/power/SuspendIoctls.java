package org.hotmem.power;

/**
 * The ioctl numbers of /dev/snapshot (include/uapi/linux/suspend_ioctls.h), encoded as x86's
 * asm-generic/ioctl.h does: nr in bits 0-7, the type ('3') in bits 8-15, the argument size in
 * bits 16-29 and the direction (1 write, 2 read) in bits 30-31. snapshot_ioctl() dispatches on
 * the whole number, so a right nr with a wrong direction or size is unknown (-ENOTTY).
 */
public final class SuspendIoctls {
    private SuspendIoctls() { }

    /** SNAPSHOT_IOC_MAGIC. */
    public static final int MAGIC = '3';
    /** SNAPSHOT_IOC_MAXNR. */
    public static final int MAXNR = 20;

    private static final int WRITE = 1;
    private static final int READ = 2;

    /** _IOC(dir, type, nr, size). */
    public static int ioc(int dir, int type, int nr, int size) {
        return (dir << 30) | (size << 16) | (type << 8) | nr;
    }

    static int io(int nr) { return ioc(0, MAGIC, nr, 0); }
    static int ior(int nr, int size) { return ioc(READ, MAGIC, nr, size); }
    static int iow(int nr, int size) { return ioc(WRITE, MAGIC, nr, size); }

    /** _IOC_TYPE(cmd). */
    static int type(int cmd) { return (cmd >>> 8) & 0xff; }
    /** _IOC_NR(cmd). */
    static int nr(int cmd) { return cmd & 0xff; }

    public static final int SNAPSHOT_FREEZE = io(1);
    public static final int SNAPSHOT_UNFREEZE = io(2);
    public static final int SNAPSHOT_ATOMIC_RESTORE = io(4);
    public static final int SNAPSHOT_FREE = io(5);
    public static final int SNAPSHOT_FREE_SWAP_PAGES = io(9);
    public static final int SNAPSHOT_S2RAM = io(11);
    /** _IOW(.., 13, struct resume_swap_area): {@code loff_t offset; u32 dev;} packed, 12 bytes. */
    public static final int SNAPSHOT_SET_SWAP_AREA = iow(13, 12);
    /** _IOR(.., 14, __kernel_loff_t). */
    public static final int SNAPSHOT_GET_IMAGE_SIZE = ior(14, 8);
    public static final int SNAPSHOT_PLATFORM_SUPPORT = io(15);
    public static final int SNAPSHOT_POWER_OFF = io(16);
    /** _IOW(.., 17, int). */
    public static final int SNAPSHOT_CREATE_IMAGE = iow(17, 4);
    public static final int SNAPSHOT_PREF_IMAGE_SIZE = io(18);
    public static final int SNAPSHOT_AVAIL_SWAP_SIZE = ior(19, 8);
    public static final int SNAPSHOT_ALLOC_SWAP_PAGE = ior(20, 8);
}
