package org.hotmem.power;

import static org.hotmem.power.SuspendIoctls.*;

import java.io.IOException;
import java.util.List;
import org.hotmem.kernel.KernelException;

/**
 * The guest program {@code s2disk TARGET} (uswsusp's suspend.c, written against /dev/snapshot as
 * the C tool is): the target is opened first (it must not be touched once tasks are frozen), then
 * FREEZE, PLATFORM_SUPPORT, CREATE_IMAGE; in the image kernel (in_suspend 1) the image is read page
 * by page, compressed in chunks of 32 pages with a CRC32 each ({@link UserImage}) and sent; only
 * when the target stored it intact, POWER_OFF. A refusal aborts as the C tool does: FREE, UNFREEZE,
 * close. Back in the restored kernel (in_suspend 0) the device is closed, which thaws everything.
 * Runs inside a task of the machine; prints to {@code out} and {@code err}; returns the exit status.
 */
public final class S2disk {
    private S2disk() { }

    public static int main(Hibernation power, List<String> args, StringBuilder out, StringBuilder err) {
        if (args.size() != 1) {
            err.append("Usage: s2disk /dev/DISK | tcp:HOST:PORT/NAME\n");
            return 1;
        }
        ImageTarget target;
        try {
            target = ImageTarget.parse(power, args.get(0));
        } catch (KernelException e) {
            err.append("s2disk: ").append(args.get(0)).append(": ").append(e.errno().strerror()).append('\n');
            return 1;
        }
        SnapshotDevice.File dev;
        try {
            dev = power.snapshotDevice().open(SnapshotDevice.O_RDONLY, SnapshotDevice.Cred.ROOT);
        } catch (KernelException e) {
            err.append("s2disk: /dev/snapshot: ").append(e.errno().strerror()).append('\n');
            return 1;
        }
        try (ImageTarget.Upload up = target.upload()) {
            dev.ioctl(SNAPSHOT_FREEZE);
            dev.ioctl(SNAPSHOT_PLATFORM_SUPPORT, new long[] {1});
            long[] inSuspend = {-1};
            dev.ioctl(SNAPSHOT_CREATE_IMAGE, inSuspend);
            if (inSuspend[0] == 1) {
                long[] size = new long[1];
                dev.ioctl(SNAPSHOT_GET_IMAGE_SIZE, size);
                String refused = save(power, dev, up, size[0]);
                if (refused != null) {
                    dev.ioctl(SNAPSHOT_FREE);
                    dev.ioctl(SNAPSHOT_UNFREEZE);
                    err.append("s2disk: ").append(args.get(0)).append(": image refused: ").append(refused).append('\n');
                    return 1;
                }
                out.append("s2disk: image saved: ").append(size[0] / PageContent.PAGE_SIZE).append(" pages to ").append(args.get(0)).append('\n');
                dev.ioctl(SNAPSHOT_POWER_OFF);
            }
            out.append("s2disk: resumed\n");
            return 0;
        } catch (KernelException e) {
            err.append("s2disk: /dev/snapshot: ").append(e.errno().strerror()).append('\n');
            return 1;
        } catch (IOException e) {
            err.append("s2disk: ").append(args.get(0)).append(": ").append(e.getMessage()).append('\n');
            return 1;
        } finally {
            dev.close();
        }
    }

    /** Reads the whole image from the device into the target; null when the target kept it, else why not. */
    private static String save(Hibernation power, SnapshotDevice.File dev, ImageTarget.Upload up, long size) throws IOException {
        UserImage.Writer w = new UserImage.Writer(up.out(), false, size);
        byte[] page = new byte[PageContent.PAGE_SIZE];
        for (int n; (n = dev.read(page, 0, page.length)) > 0; ) w.write(page, 0, n);
        w.finish();
        // model: the time of the compression and of the transfer, at the disk's rate
        power.kernel().consume(power.costs().compressNs(size) + power.costs().writeNs(w.compressedBytes()));
        return up.commit();
    }
}
