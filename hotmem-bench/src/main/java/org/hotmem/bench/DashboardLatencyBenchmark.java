package org.hotmem.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hotmem.dashboard.DashboardServer;
import org.hotmem.dashboard.LogTail;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.KernelVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dashboard's update latency while a 1 TiB guest onlines and offlines every block: a guest
 * booted with 4 GiB gets {@code hotAddGib} GiB of DIMMs (memmap on memory; 950 GiB in 64 GiB DIMMs is
 * about what QEMU 7.2's pc machine fits under TCG's 40 physical address bits: the 1 GiB per slot it
 * reserves and the 64-bit PCI hole must end below the AMD HyperTransport hole at 1012 GiB), the page is open in
 * Debian's chromium, and a churn thread onlines and offlines every hot-added block in turn
 * through sysfs writes (one at a time, each in a task of the machine). {@link #blockChangeToPage} is one click on a probe block's
 * online_movable/offline button in the page until the page shows the block in its new state:
 * the sysfs write, the next view the server pushes (every {@value DashboardServer#PUSH_INTERVAL_MS}
 * ms), its transfer and the page's redraw, and the wait for the hotplug locks the churn holds. At
 * teardown it prints the view's size, the page's JS heap before and after (unbounded growth would
 * show), and the percentiles of the page's own update latency (from the server taking a view to
 * the page showing it) and of the time taken to build a view.
 *
 * <p>Run: {@code ./bench DashboardLatency} (needs chromium: scripts/host-deps.sh installs it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Xms4g", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 20)
public class DashboardLatencyBenchmark {
    @Param({"950"})
    public int hotAddGib;

    private LiveMachine live;
    private DashboardServer server;
    private Playwright playwright;
    private Browser browser;
    private Page page;
    private Thread churn;
    private volatile boolean stop;
    private int probe;
    private boolean probeOnline;
    private long heapBefore;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        int dimmGib = 64;
        int dimms = (hotAddGib + dimmGib - 1) / dimmGib;
        MachineConfig config = new MachineConfig("4G,slots=" + dimms + ",maxmem=" + (4 + hotAddGib) + "G",
                "memhp_default_state=offline memory_hotplug.memmap_on_memory=1", List.of(), KernelVersion.V6_12, 1);
        LogTail log = new LogTail();
        live = LiveMachine.start(Machine.boot(config), 1.0, log, null);
        server = DashboardServer.start(live, log, new InetSocketAddress("127.0.0.1", 0), null);
        long left = (long) hotAddGib;
        while (left > 0) {
            long g = Math.min(dimmGib, left);
            left -= g;
            post("{\"action\":\"plug\",\"size\":\"" + g + "G\"}");
        }
        int first = 40; // -m 4G on pc: 3 GiB below 4 GiB, 1 GiB above; device memory from 5 GiB (memory40)
        int last = first + hotAddGib * 8 - 1;
        probe = last;
        // the system's chromium, never one downloaded from Playwright's CDN
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(java.util.Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(Path.of("/usr/bin/chromium"))
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-dev-shm-usage", "--enable-precise-memory-info", "--js-flags=--expose-gc")));
        page = browser.newPage();
        page.navigate(server.uri().toString());
        page.waitForSelector("#block-" + probe, new Page.WaitForSelectorOptions().setTimeout(60_000));
        page.locator("#block-" + probe).click();
        heapBefore = jsHeap();
        churn = Thread.ofPlatform().name("churn").start(() -> {
            while (!stop) {
                for (int b = first; b < last && !stop; b++) {
                    write(b, "online_movable");
                    write(b, "offline");
                }
            }
        });
    }

    @Benchmark
    public void blockChangeToPage() {
        String value = probeOnline ? "offline" : "online_movable";
        String state = probeOnline ? "offline" : "online";
        page.locator("#block-actions button[data-value=" + value + "]").click();
        page.waitForSelector("#block-" + probe + "[data-state=" + state + "]",
                new Page.WaitForSelectorOptions().setState(WaitForSelectorState.ATTACHED).setTimeout(10_000));
        probeOnline = !probeOnline;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        stop = true;
        churn.join();
        long heapAfter = jsHeap();
        String view = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("api/state")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        System.out.printf("%nview: %d blocks, %d bytes of JSON; page JS heap %.1f MiB before, %.1f MiB after%n",
                page.locator("#map .blk").count(), view.length(), heapBefore / 1048576.0, heapAfter / 1048576.0);
        System.out.println("page updates (view taken -> shown, ms) and view building (ms) over the last 1000 updates: "
                + page.evaluate("""
                        () => {
                          const q = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
                          const ms = window.hotmemUpdates.map((u) => u.ms).sort((a, b) => a - b);
                          const b = window.hotmemUpdates.map((u) => u.build).sort((a, b) => a - b);
                          return `n=${ms.length} update p50=${q(ms, .5)} p90=${q(ms, .9)} p99=${q(ms, .99)} max=${ms[ms.length - 1]}; `
                               + `view p50=${q(b, .5)} p90=${q(b, .9)} max=${b[b.length - 1]}`;
                        }"""));
        browser.close();
        playwright.close();
        server.close();
        live.close();
    }

    private long jsHeap() {
        page.evaluate("() => { if (window.gc) window.gc(); }");
        return ((Number) page.evaluate("() => performance.memory.usedJSHeapSize")).longValue();
    }

    /** {@code echo value > memoryN/state} in a task of the machine, waiting for it to return. */
    private void write(int block, String value) {
        String path = "/sys/devices/system/memory/memory" + block + "/state";
        try {
            live.inTask("churn", m -> {
                m.fs().openForWrite(path, true).write(value + "\n");
                return null;
            }).future().get();
        } catch (Exception e) {
            throw new IllegalStateException("echo " + value + " > " + path + ": " + e.getMessage(), e);
        }
    }

    /** One control through the page's HTTP API (the plugs' way in). */
    private void post(String json) {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("api/control"))
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
