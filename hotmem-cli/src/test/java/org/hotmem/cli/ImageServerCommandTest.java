package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImageServerCommandTest {
    @TempDir Path dir;

    @Test
    void theCommandServesOnLoopbackUntilStopped() throws Exception {
        ImageServerCommand cmd = new ImageServerCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cmd.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        int[] rc = {-1};
        Thread t = new Thread(() -> rc[0] = new CommandLine(cmd).execute("--listen", "127.0.0.1:0", "--dir", dir.toString()));
        t.start();
        for (int i = 0; i < 500 && cmd.server == null; i++) Thread.sleep(10);
        assertNotNull(cmd.server, "listening");
        int port = cmd.server.port();
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("hotmem image-server: listening on 127.0.0.1:" + port + ", images in "));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET vm1\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ERR no such image\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        cmd.server.close();
        t.join(5000);
        assertEquals(0, rc[0]);
    }

    @Test
    void onlyLoopbackAddressesAreServed() {
        assertEquals(2, new CommandLine(new ImageServerCommand()).execute("--listen", "0.0.0.0:0", "--dir", dir.toString()));
        assertEquals(2, new CommandLine(new ImageServerCommand()).execute("--listen", "nonsense", "--dir", dir.toString()));
    }
}
