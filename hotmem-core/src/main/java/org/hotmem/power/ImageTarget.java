package org.hotmem.power;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.KernelException;

/**
 * Where s2disk puts an image and resume finds it: a block device of the machine ({@code /dev/vdb},
 * its backing file from offset 0) or the image server ({@code tcp:HOST:PORT/NAME}, see
 * {@link ImageServer}). The guest's socket is a real TCP connection from the host.
 * // model: the guest's network stack is the host's: a connection to a loopback address of the
 * // host reaches the server directly.
 */
sealed interface ImageTarget {
    Pattern TCP = Pattern.compile("tcp:([^:/]+):([0-9]{1,5})/([A-Za-z0-9_-][A-Za-z0-9._-]{0,63})");

    /** Parses the argument; -ENOENT for a device the machine does not have, -EINVAL for anything else. */
    static ImageTarget parse(Hibernation power, String arg) {
        Matcher m = TCP.matcher(arg);
        if (m.matches()) return new Server(new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))), m.group(3));
        if (!arg.startsWith("/dev/")) throw new KernelException(Errno.EINVAL);
        Hibernation.BlockDevice d = power.blockDevice(arg);
        if (d == null) throw new KernelException(Errno.ENOENT);
        if (power.isActiveSwap(arg)) throw new KernelException(Errno.EBUSY); // held by sys_swapon()
        return new Disk(d);
    }

    /** Opens the upload (s2disk). */
    Upload upload() throws IOException;

    /** Opens the download (resume); a refusal of the server as {@link UserImage.Refused}. */
    InputStream download() throws IOException, UserImage.Refused;

    /** An image on its way out: its bytes, then {@link #commit()}, which says whether the target keeps it. */
    interface Upload extends AutoCloseable {
        OutputStream out();

        /** Ends the upload; returns null when the image is stored, else the reason of the refusal. */
        String commit() throws IOException;

        @Override void close() throws IOException;
    }

    record Disk(Hibernation.BlockDevice device) implements ImageTarget {
        @Override public Upload upload() throws IOException {
            OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(device.file(), StandardOpenOption.WRITE), 1 << 16);
            return new Upload() {
                @Override public OutputStream out() { return o; }
                @Override public String commit() throws IOException {
                    o.flush();
                    return null;
                }
                @Override public void close() throws IOException { o.close(); }
            };
        }

        @Override public InputStream download() throws IOException {
            return new java.io.BufferedInputStream(Files.newInputStream(device.file()), 1 << 16);
        }

        /** Zaps the image's magic so it is not resumed twice (uswsusp's reset of the signature). */
        void invalidate() throws IOException {
            try (var ch = java.nio.channels.FileChannel.open(device.file(), StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.allocate(8), 0);
            }
        }
    }

    record Server(InetSocketAddress address, String name) implements ImageTarget {
        @Override public Upload upload() throws IOException {
            Socket s = new Socket();
            s.connect(address, 10_000);
            OutputStream o = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
            o.write(("PUT " + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return new Upload() {
                @Override public OutputStream out() { return o; }
                @Override public String commit() throws IOException {
                    o.flush();
                    s.shutdownOutput();
                    String reply = ImageServer.readLine(s.getInputStream());
                    if (reply == null) return "no answer from the image server";
                    return reply.startsWith("OK ") ? null : reply.startsWith("ERR ") ? reply.substring(4) : reply;
                }
                @Override public void close() throws IOException { s.close(); }
            };
        }

        @Override public InputStream download() throws IOException, UserImage.Refused {
            Socket s = new Socket();
            s.connect(address, 10_000);
            s.getOutputStream().write(("GET " + name + "\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 1 << 16);
            String reply = ImageServer.readLine(in);
            if (reply == null || !reply.startsWith("OK ")) {
                s.close();
                throw new UserImage.Refused(reply == null ? "no answer from the image server" : reply.startsWith("ERR ") ? reply.substring(4) : reply);
            }
            return in; // closing it closes the socket
        }
    }
}
