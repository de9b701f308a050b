package org.hotmem.kernel;

/**
 * Linux error numbers (include/uapi/asm-generic/errno-base.h, errno.h and the kernel-internal
 * include/linux/errno.h) with the text glibc's strerror() prints for each.
 *
 * <p>Kernel-internal numbers (512 and up) have no glibc text: strerror() prints
 * "Unknown error N" for them, exactly as a shell would show it.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    ENOEXEC(8, "Exec format error"),
    EBADF(9, "Bad file descriptor"),
    ECHILD(10, "No child processes"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    ENOTBLK(15, "Block device required"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    EXDEV(18, "Invalid cross-device link"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    ENFILE(23, "Too many open files in system"),
    EMFILE(24, "Too many open files"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    ETXTBSY(26, "Text file busy"),
    EFBIG(27, "File too large"),
    ENOSPC(28, "No space left on device"),
    ESPIPE(29, "Illegal seek"),
    EROFS(30, "Read-only file system"),
    EMLINK(31, "Too many links"),
    EPIPE(32, "Broken pipe"),
    EDOM(33, "Numerical argument out of domain"),
    ERANGE(34, "Numerical result out of range"),
    EDEADLK(35, "Resource deadlock avoided"),
    ENAMETOOLONG(36, "File name too long"),
    ENOLCK(37, "No locks available"),
    ENOSYS(38, "Function not implemented"),
    ENOTEMPTY(39, "Directory not empty"),
    ELOOP(40, "Too many levels of symbolic links"),
    ENOMSG(42, "No message of desired type"),
    ENODATA(61, "No data available"),
    ETIME(62, "Timer expired"),
    EPROTO(71, "Protocol error"),
    EBADMSG(74, "Bad message"),
    EOVERFLOW(75, "Value too large for defined data type"),
    EILSEQ(84, "Invalid or incomplete multibyte or wide character"),
    EOPNOTSUPP(95, "Operation not supported"),
    EADDRINUSE(98, "Address already in use"),
    ENOBUFS(105, "No buffer space available"),
    ETIMEDOUT(110, "Connection timed out"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress"),
    EREMOTEIO(121, "Remote I/O error"),
    EDQUOT(122, "Disk quota exceeded"),
    ECANCELED(125, "Operation canceled"),
    EOWNERDEAD(130, "Owner died"),
    ENOTRECOVERABLE(131, "State not recoverable"),
    EHWPOISON(133, "Memory page has hardware error"),
    // Kernel-internal (include/linux/errno.h); never seen by user space except as "Unknown error N".
    ERESTARTSYS(512, null),
    ERESTARTNOINTR(513, null),
    ERESTARTNOHAND(514, null),
    ENOIOCTLCMD(515, null),
    ERESTART_RESTARTBLOCK(516, null),
    EPROBE_DEFER(517, null),
    EOPENSTALE(518, null),
    ENOPARAM(519, null),
    EBADHANDLE(521, null),
    ENOTSYNC(522, null),
    EBADCOOKIE(523, null),
    ENOTSUPP(524, null),
    ETOOSMALL(525, null),
    ESERVERFAULT(526, null),
    EBADTYPE(527, null),
    EJUKEBOX(528, null),
    EIOCBQUEUED(529, null),
    ERECALLCONFLICT(530, null);

    /** EWOULDBLOCK is EAGAIN on Linux. */
    public static final Errno EWOULDBLOCK = EAGAIN;
    /** glibc's ENOTSUP is EOPNOTSUPP on Linux. */
    public static final Errno ENOTSUP = EOPNOTSUPP;

    private static final Errno[] BY_NUMBER = new Errno[531];
    static {
        for (Errno e : values()) BY_NUMBER[e.number] = e;
    }

    private final int number;
    private final String text;

    Errno(int number, String text) {
        this.number = number;
        this.text = text;
    }

    /** The positive error number, as in errno.h. */
    public int number() { return number; }

    /** The negative return value kernel code uses: {@code -EBUSY} is {@code EBUSY.neg()}. */
    public int neg() { return -number; }

    /** What glibc's strerror() prints: "Invalid argument", "Unknown error 524". */
    public String strerror() { return text != null ? text : "Unknown error " + number; }

    /**
     * The Errno with this number; a negative number (a kernel return value such as -22) is
     * accepted as well.
     *
     * @throws IllegalArgumentException if Linux has no such errno (or hotmem does not list it)
     */
    public static Errno fromNumber(int number) {
        int n = Math.abs(number);
        Errno e = n < BY_NUMBER.length ? BY_NUMBER[n] : null;
        if (e == null) throw new IllegalArgumentException("no Linux errno with number " + number);
        return e;
    }
}
