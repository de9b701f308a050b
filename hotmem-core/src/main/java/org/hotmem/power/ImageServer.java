package org.hotmem.power;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The network image server of seed 001's design: s2disk streams the image to it over TCP, resume
 * fetches it back. A host program (not part of the guest model): one thread accepts, one virtual
 * thread per connection; images are files {@code DIR/NAME.img}.
 *
 * <p>Protocol, one request per connection, lines in ASCII:
 * {@code PUT NAME\n} then the image ({@link UserImage}) until the client shuts its output down;
 * the server checks it as it arrives into {@code NAME.part} and only an intact image replaces
 * {@code NAME.img} (an atomic rename), answering {@code OK BYTES CRC32\n}; a wrong, corrupt or
 * truncated upload, or a connection lost in the middle, leaves the previous image as it was and
 * gets {@code ERR REASON\n}. {@code GET NAME\n} answers {@code OK BYTES\n} and the stored image,
 * checked again first ({@code ERR corrupt ...} if the file was damaged on disk), or
 * {@code ERR no such image}. Names are {@code [A-Za-z0-9._-]{1,64}} and not dot-prefixed.
 */
public final class ImageServer implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
    private final ServerSocket socket;
    private final Path dir;
    private final Thread acceptor;

    private ImageServer(ServerSocket socket, Path dir) {
        this.socket = socket;
        this.dir = dir;
        this.acceptor = Thread.ofPlatform().daemon().name("image-server").start(this::acceptLoop);
    }

    /** Listens on {@code address} (port 0: any free port), serving images in {@code dir}. */
    public static ImageServer start(InetSocketAddress address, Path dir) throws IOException {
        Files.createDirectories(dir);
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(address);
        return new ImageServer(s, dir);
    }

    public int port() { return socket.getLocalPort(); }
    public InetSocketAddress address() { return (InetSocketAddress) socket.getLocalSocketAddress(); }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket c = socket.accept();
                Thread.ofVirtual().start(() -> serve(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket c) {
        try (c; InputStream in = new BufferedInputStream(c.getInputStream()); OutputStream out = c.getOutputStream()) {
            String line = readLine(in);
            String[] w = line == null ? new String[0] : line.split(" ");
            String reply;
            if (w.length != 2 || !NAME.matcher(w[1]).matches()) reply = "ERR bad request";
            else if (w[0].equals("PUT")) reply = put(w[1], in);
            else if (w[0].equals("GET")) {
                get(w[1], out);
                return;
            } else reply = "ERR bad request";
            out.write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the client went away: nothing was stored (put) or it has what it read (get)
        }
    }

    private String put(String name, InputStream in) throws IOException {
        Path part = Files.createTempFile(dir, "." + name, ".part"); // names never start with a dot
        try {
            CRC32 crc = new CRC32();
            long[] bytes = {0};
            try (OutputStream f = Files.newOutputStream(part)) {
                InputStream tee = new FilterInputStream(in) {
                    @Override public int read() throws IOException {
                        int b = super.read();
                        if (b >= 0) { f.write(b); crc.update(b); bytes[0]++; }
                        return b;
                    }
                    @Override public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) { f.write(b, off, n); crc.update(b, off, n); bytes[0] += n; }
                        return n;
                    }
                };
                UserImage.verify(tee);
            }
            Files.move(part, dir.resolve(name + ".img"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return "OK " + bytes[0] + " " + String.format("%08x", crc.getValue());
        } catch (UserImage.Refused r) {
            return "ERR " + r.getMessage();
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private void get(String name, OutputStream out) throws IOException {
        Path img = dir.resolve(name + ".img");
        String err = null;
        if (!Files.isRegularFile(img)) err = "no such image";
        else {
            try (InputStream f = new BufferedInputStream(Files.newInputStream(img))) {
                UserImage.verify(f);
            } catch (UserImage.Refused r) {
                err = r.getMessage();
            }
        }
        if (err != null) {
            out.write(("ERR " + err + "\n").getBytes(StandardCharsets.US_ASCII));
            return;
        }
        out.write(("OK " + Files.size(img) + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.copy(img, out);
        out.flush();
    }

    /** A request or reply line (up to 256 bytes, without its newline); null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
            if (b.size() >= 256) return null;
            b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** Blocks until {@link #close} stopped the server. */
    public void awaitClose() throws InterruptedException {
        acceptor.join();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
