package org.hotmem.machine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.hotmem.hv.QmpException;
import org.hotmem.hv.QmpJson;
import org.hotmem.hv.Qemu;

/**
 * QEMU's QMP wire protocol (monitor/qmp.c, qapi/qmp-dispatch.c of QEMU 7.2) on a socket, in
 * front of a {@link LiveMachine}: the greeting with the version block, capabilities negotiation,
 * commands (executed by the machine's {@link Machine#qmp}), {@code id} echoed, asynchronous events
 * with their timestamps, errors with QEMU's texts, every line ending in {@code \r\n}, and any
 * number of clients, each with its own negotiation state (events go to the negotiated ones).
 *
 * <p>Addresses as QEMU's {@code -qmp} takes them: {@code unix:PATH[,server][,wait=off]} and
 * {@code tcp:HOST:PORT[,server][,wait=off]}; this end is always the server (the options are
 * accepted for compatibility), a stale socket file is replaced, the file is removed on close.
 *
 * <p>Threads: one acceptor, one reader and one writer per client (virtual threads). Replies and
 * events of a client go through its own queue, so a slow client never holds up the machine's owner
 * thread. {@code clients} is a concurrent list; a client's {@code negotiated} flag is written by
 * its reader and read by the event subscriber (volatile).
 */
public final class QmpServer implements AutoCloseable {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> MEMBERS = Set.of("execute", "arguments", "id", "control");

    private final LiveMachine live;
    private final ServerSocketChannel server;
    private final Path socketFile;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private final AutoCloseable eventSubscription;
    private volatile boolean closed;

    private QmpServer(LiveMachine live, ServerSocketChannel server, Path socketFile) {
        this.live = live;
        this.server = server;
        this.socketFile = socketFile;
        this.eventSubscription = live.onEvent(this::broadcast);
        Thread.ofVirtual().name("qmp-accept").start(this::accept);
    }

    /**
     * Listens on {@code address} ({@code unix:PATH[,server]} or {@code tcp:HOST:PORT[,server]}).
     *
     * @throws IllegalArgumentException for an address QEMU would not take
     * @throws UncheckedIOException     if the socket cannot be bound
     */
    public static QmpServer start(LiveMachine live, String address) {
        String[] parts = address.split(",");
        for (int i = 1; i < parts.length; i++) {
            String o = parts[i];
            if (!(o.equals("server") || o.equals("server=on") || o.equals("nowait") || o.equals("wait=off"))) {
                throw new IllegalArgumentException("unsupported option '" + o + "' (this end is always the server)");
            }
        }
        String a = parts[0];
        try {
            if (a.startsWith("unix:")) {
                Path p = Path.of(a.substring(5));
                Files.deleteIfExists(p);
                ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                s.bind(UnixDomainSocketAddress.of(p));
                return new QmpServer(live, s, p);
            }
            if (a.startsWith("tcp:")) {
                String hp = a.substring(4);
                int colon = hp.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("expected tcp:HOST:PORT, got '" + a + "'");
                }
                int port;
                try {
                    port = Integer.parseInt(hp.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad port in '" + a + "'");
                }
                ServerSocketChannel s = ServerSocketChannel.open();
                s.bind(new InetSocketAddress(hp.substring(0, colon).isEmpty() ? "127.0.0.1" : hp.substring(0, colon), port));
                return new QmpServer(live, s, null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        throw new IllegalArgumentException("expected unix:PATH[,server] or tcp:HOST:PORT[,server], got '" + address + "'");
    }

    /** Where the server listens (for a tcp port of 0, the port chosen). */
    public SocketAddress address() {
        try {
            return server.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                Client c = new Client(ch);
                clients.add(c);
                c.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void broadcast(ObjectNode event) {
        String line = QmpJson.write(event);
        for (Client c : clients) {
            if (c.negotiated) {
                c.send(line);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            eventSubscription.close();
            server.close();
        } catch (Exception e) {
            // closing anyway
        }
        clients.forEach(Client::close);
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                // left behind; the next start replaces it
            }
        }
    }

    /** One QMP connection. */
    private final class Client {
        private final SocketChannel ch;
        private final LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        private volatile boolean negotiated;
        private volatile boolean gone;

        Client(SocketChannel ch) {
            this.ch = ch;
        }

        void start() {
            ObjectNode greeting = F.objectNode();
            ObjectNode qmp = greeting.putObject("QMP");
            qmp.set("version", Qemu.versionInfo());
            qmp.putArray("capabilities").add("oob");
            send(QmpJson.write(greeting));
            Thread.ofVirtual().name("qmp-write").start(this::writer);
            Thread.ofVirtual().name("qmp-read").start(this::reader);
        }

        void send(String line) {
            if (!gone) {
                out.add(line);
            }
        }

        private void writer() {
            try (OutputStream os = Channels.newOutputStream(ch)) {
                while (!gone) {
                    String line = out.take();
                    if (gone) {
                        break;
                    }
                    os.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                    os.flush();
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        private void reader() {
            StringBuilder pending = new StringBuilder();
            byte[] buf = new byte[8192];
            try (InputStream in = Channels.newInputStream(ch)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    pending.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    drain(pending);
                }
            } catch (IOException e) {
                // the client went away
            } finally {
                close();
            }
        }

        /**
         * Handles every complete JSON value at the start of {@code pending} (up to its last newline:
         * a client ends its messages with one), split and parsed by {@link QmpJson} as QEMU's
         * json-streamer does; the rest waits for more input.
         */
        private void drain(StringBuilder pending) {
            int nl = pending.lastIndexOf("\n");
            if (nl < 0) {
                return;
            }
            QmpJson.Stream st = QmpJson.stream(pending.substring(0, nl + 1));
            pending.delete(0, st.consumed());
            for (QmpJson.Item it : st.items()) {
                String reply = it.error() != null ? error(null, QmpException.GENERIC_ERROR, it.error()) : handle(it.value());
                if (reply != null) {
                    send(reply);
                }
            }
        }

        /**
         * Models monitor_qmp_dispatch() / qmp_dispatch(): the reply line for a request refused before
         * it runs; a command that runs is answered from the owner thread, right after it ran, so its
         * reply is queued before any event the machine emits later (as QEMU's monitor thread sends a
         * command's reply before the guest's reaction to it), and null is returned.
         */
        private String handle(JsonNode req) {
            if (!(req instanceof ObjectNode o)) {
                return error(null, QmpException.GENERIC_ERROR, "QMP input must be a JSON object");
            }
            JsonNode id = o.get("id");
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!MEMBERS.contains(name)) {
                    return error(id, QmpException.GENERIC_ERROR, "QMP input member '" + name + "' is unexpected");
                }
            }
            JsonNode execute = o.get("execute");
            if (execute == null) {
                return error(id, QmpException.GENERIC_ERROR, "QMP input lacks member 'execute'");
            }
            if (!execute.isTextual()) {
                return error(id, QmpException.GENERIC_ERROR, "QMP input member 'execute' must be a string");
            }
            JsonNode args = o.get("arguments");
            if (args != null && !args.isObject()) {
                return error(id, QmpException.GENERIC_ERROR, "QMP input member 'arguments' must be an object");
            }
            String cmd = execute.textValue();
            if (!negotiated && !cmd.equals("qmp_capabilities")) {
                return error(id, QmpException.COMMAND_NOT_FOUND, "Expecting capabilities negotiation with 'qmp_capabilities'");
            }
            if (negotiated && cmd.equals("qmp_capabilities")) {
                return error(id, QmpException.COMMAND_NOT_FOUND, "Capabilities negotiation is already complete, command ignored");
            }
            ObjectNode arguments = args == null ? F.objectNode() : (ObjectNode) args;
            try {
                live.call(m -> {
                    send(reply(cmd, id, m.qmp(cmd, arguments)));
                    return null;
                }).get();
                return null;
            } catch (ExecutionException e) {
                return error(id, QmpException.GENERIC_ERROR, "hotmem: the machine failed: " + e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return error(id, QmpException.GENERIC_ERROR, "interrupted");
            }
        }

        /** The reply line to {@code cmd}, with the request's {@code id}. */
        private String reply(String cmd, JsonNode id, ObjectNode reply) {
            if (cmd.equals("qmp_capabilities") && isAlreadyNegotiated(reply)) {
                // the machine's monitor is the recording harness's, negotiated at start: it checks the
                // arguments and answers "already complete"; this client's negotiation succeeds
                negotiated = true;
                reply = F.objectNode().set("return", F.objectNode());
            }
            if (id != null) {
                if (reply.has("error")) {
                    ObjectNode r = F.objectNode();
                    r.set("id", id);
                    r.set("error", reply.get("error"));
                    reply = r;
                } else {
                    reply.set("id", id);
                }
            }
            return QmpJson.write(reply);
        }

        private String error(JsonNode id, String cls, String desc) {
            ObjectNode r = F.objectNode();
            if (id != null) {
                r.set("id", id);
            }
            ObjectNode e = r.putObject("error");
            e.put("class", cls);
            e.put("desc", desc);
            return QmpJson.write(r);
        }

        void close() {
            gone = true;
            clients.remove(this);
            out.add(""); // wakes the writer
            try {
                ch.close();
            } catch (IOException e) {
                // gone anyway
            }
        }
    }

    private static boolean isAlreadyNegotiated(ObjectNode reply) {
        JsonNode e = reply.get("error");
        return e != null && QmpException.COMMAND_NOT_FOUND.equals(e.path("class").asText())
                && e.path("desc").asText().startsWith("Capabilities negotiation is already complete");
    }
}
