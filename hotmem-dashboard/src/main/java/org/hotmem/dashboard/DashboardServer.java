package org.hotmem.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hotmem.machine.LiveMachine;

/**
 * {@code hotmem dashboard}: one page served on loopback that shows a {@link LiveMachine} as it
 * runs and drives it.
 *
 * <p>Routes: {@code GET /} and its two assets; {@code GET /api/state} (the {@link MachineView}
 * now); {@code GET /api/events} (server-sent events: a {@code state} event whenever the view
 * changed, checked every {@link #PUSH_INTERVAL_MS} ms of wall time and at once when a control has
 * changed the machine, plus a comment every few seconds to keep idle connections open); {@code POST /api/control} (one {@link Controls} action
 * as JSON, answered with its outcome); {@code GET /api/replay} (the recorded run given at start, if
 * any, for the page's replay view).
 *
 * <p>Threads: the JDK's HTTP server runs each exchange in a virtual thread; one pusher thread
 * takes the view from the machine's owner thread (a {@link LiveMachine#call}) and fans it out to
 * the subscribers' queues. {@code subscribers} is a concurrent list; {@code last} is confined to
 * the pusher. Nothing here touches the machine directly.
 */
public final class DashboardServer implements AutoCloseable {
    /** How often the pusher looks for a changed view (wall time). */
    public static final long PUSH_INTERVAL_MS = 100;
    private static final long KEEPALIVE_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ASSETS = List.of("index.html", "app.js", "style.css");

    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final LiveMachine live;
    private final Controls controls;
    private final String replay;
    private final List<LinkedBlockingQueue<String>> subscribers = new CopyOnWriteArrayList<>();
    private final Thread pusher;
    /** Released when a control has changed the machine: the pusher takes a view at once. */
    private final java.util.concurrent.Semaphore poke = new java.util.concurrent.Semaphore(0);
    private volatile boolean closed;
    private String last = "";

    private DashboardServer(HttpServer http, LiveMachine live, LogTail log, String replay) {
        this.http = http;
        this.live = live;
        this.controls = new Controls(live, log, poke::release);
        this.replay = replay;
        this.pusher = Thread.ofPlatform().name("hotmem-dashboard-push").daemon(true).unstarted(this::push);
    }

    /**
     * Serves {@code live} on {@code listen} (loopback only; port 0 picks a free one). {@code replay}
     * is a recorded run's JSON report the page can open, or null. {@code log} is the tail of the
     * kernel log the machine feeds (handed to it before boot, so the boot log is in it).
     *
     * @throws IllegalArgumentException if the address is not a loopback address
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static DashboardServer start(LiveMachine live, LogTail log, InetSocketAddress listen, String replay) {
        InetAddress a = listen.getAddress();
        if (a == null || !a.isLoopbackAddress()) {
            throw new IllegalArgumentException("the dashboard listens on loopback only (127.0.0.1:PORT), not " + listen);
        }
        HttpServer http;
        try {
            http = HttpServer.create(listen, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + listen.getHostString() + ":" + listen.getPort()
                    + ": " + e.getMessage(), e);
        }
        DashboardServer s = new DashboardServer(http, live, log, replay);
        http.setExecutor(s.executor);
        http.createContext("/", s::asset);
        http.createContext("/api/state", ex -> s.reply(ex, 200, s.view()));
        http.createContext("/api/events", s::events);
        http.createContext("/api/control", s::control);
        http.createContext("/api/replay", ex -> {
            if (s.replay == null) {
                s.reply(ex, 404, "{\"error\":\"no recorded run was given (hotmem dashboard SCENARIO or --replay FILE)\"}");
            } else {
                s.reply(ex, 200, s.replay);
            }
        });
        http.start();
        s.pusher.start();
        return s;
    }

    /** The page's address. */
    public URI uri() {
        InetSocketAddress a = http.getAddress();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/");
    }

    /** The view now, as JSON text, without the timing fields {@link #stamped} adds. */
    private String view() {
        try {
            return live.call(m -> controls.view(m).toString()).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "{\"failed\":" + JSON.valueToTree(String.valueOf(e.getCause().getMessage())) + "}";
        } catch (TimeoutException e) {
            return "{\"failed\":\"the machine did not answer within 5 s\"}";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "{\"failed\":\"interrupted\"}";
        }
    }

    private void push() {
        long quiet = 0;
        while (!closed) {
            try {
                if (poke.tryAcquire(PUSH_INTERVAL_MS, TimeUnit.MILLISECONDS)) {
                    poke.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
            if (subscribers.isEmpty()) {
                continue;
            }
            long t0 = System.nanoTime();
            String v = view();
            quiet += PUSH_INTERVAL_MS;
            if (!v.equals(last)) {
                last = v;
                broadcast("event: state\ndata: " + stamped(v, t0) + "\n\n");
                quiet = 0;
            } else if (quiet >= KEEPALIVE_MS) {
                broadcast(": keepalive\n\n");
                quiet = 0;
            }
        }
    }

    /**
     * The view with when it was taken (wall clock, ms since the epoch: the page measures its update
     * latency against it) and how long taking it took, in ms: the dashboard is a wall-paced mode.
     */
    private static String stamped(String view, long t0) {
        long built = System.currentTimeMillis();
        double ms = (System.nanoTime() - t0) / 1e6;
        return "{\"built_at_ms\":" + built + ",\"build_ms\":" + String.format(java.util.Locale.ROOT, "%.1f", ms) + ","
                + view.substring(1);
    }

    /**
     * Hands {@code message} to every subscriber. A subscriber's queue holds one message: each is a
     * whole view, so a page that reads slower than we push skips views instead of queueing them.
     */
    private void broadcast(String message) {
        for (LinkedBlockingQueue<String> q : subscribers) {
            synchronized (q) {
                q.clear();
                q.offer(message);
            }
        }
    }

    private void events(HttpExchange ex) throws IOException {
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        long t0 = System.nanoTime();
        q.add("event: state\ndata: " + stamped(view(), t0) + "\n\n");
        subscribers.add(q);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            while (!closed) {
                String m = q.poll(1, TimeUnit.SECONDS);
                if (m != null) {
                    out.write(m.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the page went away (or we are closing): drop the subscriber
        } finally {
            subscribers.remove(q);
            ex.close();
        }
    }

    private void control(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            reply(ex, 405, "{\"ok\":false,\"error\":\"POST a JSON action\"}");
            return;
        }
        JsonNode req;
        try (InputStream in = ex.getRequestBody()) {
            req = JSON.readTree(in.readNBytes(64 * 1024));
        } catch (IOException e) {
            reply(ex, 400, "{\"ok\":false,\"error\":\"the body is not JSON\"}");
            return;
        }
        ObjectNode answer = controls.run(req);
        reply(ex, answer.path("bad_request").asBoolean() ? 400 : 200, JSON.writeValueAsString(answer));
    }

    private void asset(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (!ASSETS.contains(name)) {
            reply(ex, 404, "{\"error\":\"no such page\"}");
            return;
        }
        byte[] body;
        try (InputStream in = DashboardServer.class.getResourceAsStream(name)) {
            body = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops serving (the machine is the caller's to close). */
    @Override
    public void close() {
        closed = true;
        pusher.interrupt();
        http.stop(0);
        executor.shutdownNow();
    }
}
