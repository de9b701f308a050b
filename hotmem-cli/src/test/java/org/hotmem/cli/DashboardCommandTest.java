package org.hotmem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code hotmem dashboard} from the command line: URL on stdout, the boot log, a scenario's run to replay, errors. */
class DashboardCommandTest {
    @Test
    void servesTheMachineWithItsBootLogAndTheScenarioRunToReplay() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main()).setOut(new PrintWriter(out, true));
        int[] rc = {-1};
        Thread t = Thread.ofPlatform().daemon(true).start(() -> rc[0] = cl.execute("dashboard", "--listen", "127.0.0.1:0",
                "-m", "2G,slots=4,maxmem=16G", "../examples/pinned-unplug.yaml"));
        String url = null;
        for (int i = 0; i < 600 && url == null; i++) {
            String s = out.toString();
            url = s.startsWith("http://127.0.0.1:") && s.endsWith("\n") ? s.strip() : null;
            Thread.sleep(100);
        }
        assertNotNull(url, "the URL on stdout: " + out);
        HttpClient http = HttpClient.newHttpClient();
        String replay = http.send(HttpRequest.newBuilder(URI.create(url + "api/replay")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(replay.contains("\"scenario\" : \"pinned-unplug\""), replay.substring(0, Math.min(200, replay.length())));
        String state = http.send(HttpRequest.newBuilder(URI.create(url + "api/state")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(state.contains("Linux version 6.12.117+deb12-amd64"), "the boot log is in the page's dmesg tail");
        t.interrupt();
        t.join(10_000);
        assertEquals(0, rc[0]);
    }

    @Test
    void aNonLoopbackAddressIsRefusedBeforeBooting() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main()).setErr(new PrintWriter(err, true));
        assertEquals(ExitStatus.USAGE.code, cl.execute("dashboard", "--listen", "0.0.0.0:8000"));
        assertEquals("hotmem dashboard: --listen 0.0.0.0:8000: expected a loopback address and a port, 127.0.0.1:PORT (PORT 0-65535)\n",
                err.toString());
    }
}
