package org.hotmem.power;

import static org.hotmem.power.SuspendIoctls.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.hotmem.kernel.KernelException;

/**
 * The guest program {@code resume SOURCE} (uswsusp's resume.c): fetches the image s2disk stored,
 * checks every chunk's CRC32 as it arrives and writes the pages to /dev/snapshot opened for
 * writing (after FREEZE), where the kernel checks the header and the pfns; only an image that
 * arrived whole (its trailer's size and CRC32) goes to ATOMIC_RESTORE, which does not return when
 * the restore succeeds. A wrong, corrupt or truncated image is refused and the device closed, which
 * rolls everything back: the machine keeps running fresh. An image on a disk is invalidated before
 * the restore so it is not resumed twice.
 */
public final class Resume {
    private Resume() { }

    public static int main(Hibernation power, List<String> args, StringBuilder out, StringBuilder err) {
        if (args.size() != 1) {
            err.append("Usage: resume /dev/DISK | tcp:HOST:PORT/NAME\n");
            return 1;
        }
        String what = args.get(0);
        ImageTarget source;
        try {
            source = ImageTarget.parse(power, what);
        } catch (KernelException e) {
            err.append("resume: ").append(what).append(": ").append(e.errno().strerror()).append('\n');
            return 1;
        }
        SnapshotDevice.File dev = null;
        try (InputStream in = source.download()) {
            UserImage.Reader r = new UserImage.Reader(in, source instanceof ImageTarget.Server);
            dev = power.snapshotDevice().open(SnapshotDevice.O_WRONLY, SnapshotDevice.Cred.ROOT);
            dev.ioctl(SNAPSHOT_FREEZE);
            long bytes = 0;
            for (int n; (n = r.next()) > 0; ) {
                for (int off = 0; off < n; ) off += dev.write(r.buffer(), off, n - off);
                bytes += n;
            }
            // model: the time of the transfer and the decompression, at the disk's rate
            power.kernel().consume(power.costs().readNs(bytes) + power.costs().decompressNs(bytes));
            if (source instanceof ImageTarget.Disk d) d.invalidate();
            dev.ioctl(SNAPSHOT_ATOMIC_RESTORE);
            return 1; // not reached when the restore succeeds
        } catch (UserImage.Refused e) {
            err.append("resume: ").append(what).append(": image refused: ").append(e.getMessage()).append('\n');
            return 1;
        } catch (KernelException e) {
            err.append("resume: /dev/snapshot: ").append(e.errno().strerror()).append('\n');
            return 1;
        } catch (IOException e) {
            err.append("resume: ").append(what).append(": ").append(e.getMessage()).append('\n');
            return 1;
        } finally {
            if (dev != null) dev.close();
        }
    }
}
