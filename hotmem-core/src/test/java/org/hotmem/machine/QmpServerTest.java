package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** QMP over a socket as QEMU 7.2 speaks it (texts checked against qemu-system-x86_64 -qmp stdio of Debian 12). */
class QmpServerTest {
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
            + "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}";

    /** A raw client: lines as they come, {@code \r\n} included. */
    private static final class Client implements AutoCloseable {
        final SocketChannel ch;
        final BufferedReader in;
        final OutputStream out;

        Client(SocketChannel ch) {
            this.ch = ch;
            this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            this.out = Channels.newOutputStream(ch);
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                if (c == '\n') {
                    break;
                }
            }
            assertTrue(sb.toString().endsWith("\r\n"), "QMP lines end in CRLF: " + sb);
            return sb.substring(0, sb.length() - 2);
        }

        String send(String json) throws IOException {
            out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return line();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private static LiveMachine live() {
        return LiveMachine.start(Machine.boot(MachineConfig.of("1G,slots=8,maxmem=8G")), 50);
    }

    /** Malformed messages get QEMU's json-streamer/parser replies (recorded: badinput-qmp-wire, QEMU 7.2 -qmp stdio). */
    @Test
    void malformedJsonGetsQemusParseErrors() throws Exception {
        Path sock = Files.createTempDirectory("qmp").resolve("qmp.sock");
        try (LiveMachine live = live(); QmpServer server = QmpServer.start(live, "unix:" + sock + ",server")) {
            try (Client c = new Client(SocketChannel.open(UnixDomainSocketAddress.of(sock)))) {
                assertEquals(GREETING, c.line());
                assertEquals("{\"return\": {}}", c.send("{\"execute\": \"qmp_capabilities\"}"));
                String[][] cases = {
                    {"{bad}", "JSON parse error, invalid keyword 'bad'"},
                    {"[1, 2]", "QMP input must be a JSON object"},
                    {"{\"execute\": 5}", "QMP input member 'execute' must be a string"},
                    {"{\"arguments\": {}}", "QMP input lacks member 'execute'"},
                    {"{\"execute\": \"query-memory-devices\", \"execute\": \"query-memory-devices\"}", "JSON parse error, duplicate key"},
                    {"{\"execute\": \"query-memory-devices\", \"arguments\": [1]}", "QMP input member 'arguments' must be an object"},
                    {"}", "JSON parse error, expecting value"},
                };
                for (String[] k : cases) {
                    assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"" + k[1] + "\"}}", c.send(k[0]), k[0]);
                }
                // a message may span lines, strings may be single-quoted; trailing garbage is its own error
                c.out.write("{\"execute\":\n\"query-memory-devices\"}\n".getBytes(StandardCharsets.UTF_8));
                c.out.flush();
                assertEquals("{\"return\": []}", c.line());
                assertEquals("{\"return\": []}", c.send("{'execute': 'query-memory-devices'}"));
                assertEquals("{\"return\": []}", c.send("{\"execute\": \"query-memory-devices\"} x"));
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword 'x'\"}}", c.line());
            }
        }
    }

    @Test
    void greetingNegotiationIdsAndErrorsAsQemu() throws Exception {
        Path sock = Files.createTempDirectory("qmp").resolve("qmp.sock");
        try (LiveMachine live = live(); QmpServer server = QmpServer.start(live, "unix:" + sock + ",server")) {
            try (Client c = new Client(SocketChannel.open(UnixDomainSocketAddress.of(sock)))) {
                assertEquals(GREETING, c.line());
                assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities negotiation with "
                        + "'qmp_capabilities'\"}}", c.send("{\"execute\": \"query-memory-devices\"}"));
                assertEquals("{\"return\": {}}", c.send("{\"execute\": \"qmp_capabilities\"}"));
                assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Capabilities negotiation is already "
                        + "complete, command ignored\"}}", c.send("{\"execute\": \"qmp_capabilities\"}"));
                assertEquals("{\"id\": 7, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been "
                        + "found\"}}", c.send("{\"execute\":\"nope\",\"id\":7}"));
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}",
                        c.send("[1]"));
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'foo' is unexpected\"}}",
                        c.send("{\"foo\":1}"));
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'execute' must be a "
                        + "string\"}}", c.send("{\"execute\":1}"));
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input member 'arguments' must be an "
                        + "object\"}}", c.send("{\"execute\":\"query-version\",\"arguments\":[]}"));
                assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword "
                        + "'garbage'\"}}", c.send("garbage"));
                assertEquals("{\"return\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": "
                        + "\"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"id\": {\"a\": 1}}",
                        c.send("{\"execute\":\"query-version\",\"id\":{\"a\":1}}"));
                // a command split over two writes is one command
                c.out.write("{\"execute\": \"query-memory-size-".getBytes(StandardCharsets.UTF_8));
                c.out.flush();
                assertEquals("{\"return\": {\"base-memory\": 1073741824, \"plugged-memory\": 0}}",
                        c.send("summary\"}"));
            }
            assertFalse(Files.exists(sock) && !Files.isReadable(sock));
        }
        assertFalse(Files.exists(sock), "the socket file goes with the server");
    }

    @Test
    void eventsReachEveryNegotiatedClientWithTheirTimestamps() throws Exception {
        try (LiveMachine live = live(); QmpServer server = QmpServer.start(live, "tcp:127.0.0.1:0,server,wait=off")) {
            InetSocketAddress addr = (InetSocketAddress) server.address();
            try (Client a = new Client(SocketChannel.open(addr)); Client b = new Client(SocketChannel.open(addr));
                 Client silent = new Client(SocketChannel.open(addr))) {
                for (Client c : new Client[] {a, b, silent}) {
                    assertEquals(GREETING, c.line());
                }
                assertEquals("{\"return\": {}}", a.send("{\"execute\": \"qmp_capabilities\"}"));
                assertEquals("{\"return\": {}}", b.send("{\"execute\": \"qmp_capabilities\"}"));
                assertEquals("{\"return\": {}}", a.send("{\"execute\": \"object-add\", \"arguments\": "
                        + "{\"qom-type\": \"memory-backend-ram\", \"id\": \"mem1\", \"size\": 134217728}}"));
                assertEquals("{\"return\": {}}", a.send("{\"execute\": \"device_add\", \"arguments\": "
                        + "{\"driver\": \"pc-dimm\", \"id\": \"dimm1\", \"memdev\": \"mem1\"}}"));
                // the guest's _OST for the hot-add arrives as an event on both negotiated clients
                for (Client c : new Client[] {a, b}) {
                    String ev = c.line();
                    assertTrue(ev.matches("\\{\"timestamp\": \\{\"seconds\": \\d+, \"microseconds\": \\d+}, "
                            + "\"event\": \"ACPI_DEVICE_OST\", \"data\": \\{\"info\": \\{.*\"device\": \"dimm1\".*}}}"), ev);
                }
                // the client that never negotiated gets no event: its next line is the reply to its next command
                assertEquals("{\"return\": {}}", silent.send("{\"execute\": \"qmp_capabilities\"}"));
            }
        }
    }
}
