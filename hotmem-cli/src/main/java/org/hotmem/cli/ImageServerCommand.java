package org.hotmem.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hotmem.power.ImageServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hotmem image-server --listen 127.0.0.1:PORT --dir DIR}: the network image server that the
 * guest's {@code s2disk tcp:HOST:PORT/NAME} uploads hibernation images to and {@code resume}
 * fetches them from ({@link ImageServer}), until Ctrl-C or SIGTERM. Loopback addresses only.
 */
@Command(name = "image-server", mixinStandardHelpOptions = true, description = {
        "Serve hibernation images for the guest's s2disk/resume (tcp:HOST:PORT/NAME) from DIR,",
        "on a loopback address (port 0: any free port), until Ctrl-C or SIGTERM."})
public final class ImageServerCommand implements Callable<Integer> {
    @Option(names = "--listen", required = true, paramLabel = "127.0.0.1:PORT", description = "the loopback address and port")
    String listen;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "where images are kept (NAME.img)")
    Path dir;

    /** Where the listening line goes (tests). */
    PrintStream out = System.out;

    /** Set once listening (tests stop the server through it). */
    volatile ImageServer server;

    @Override
    public Integer call() throws Exception {
        int colon = listen.lastIndexOf(':');
        InetAddress host;
        int port;
        try {
            host = InetAddress.getByName(listen.substring(0, Math.max(0, colon)));
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (Exception e) {
            System.err.println("hotmem image-server: --listen wants 127.0.0.1:PORT, not '" + listen + "'");
            return 2;
        }
        if (colon <= 0 || !host.isLoopbackAddress() || port < 0 || port > 65535) {
            System.err.println("hotmem image-server: --listen wants a loopback address and a port, not '" + listen + "'");
            return 2;
        }
        try (ImageServer s = ImageServer.start(new InetSocketAddress(host, port), dir)) {
            out.println("hotmem image-server: listening on " + s.address().getAddress().getHostAddress() + ":" + s.port()
                    + ", images in " + dir + "; Ctrl-C or SIGTERM stops");
            out.flush();
            server = s;
            s.awaitClose();
        }
        return 0;
    }
}
