package org.hotmem.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.hotmem.machine.LiveMachine;
import org.hotmem.machine.Machine;
import org.hotmem.machine.MachineConfig;
import org.hotmem.mm.KernelVersion;
import org.hotmem.scenario.JsonReport;
import org.hotmem.scenario.MachineTarget;
import org.hotmem.scenario.RunResult;
import org.hotmem.scenario.Scenario;
import org.hotmem.scenario.ScenarioParser;
import org.hotmem.scenario.ScenarioRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: Debian's chromium (installed by scripts/host-deps.sh), driven
 * headless by Playwright. Each test serves a fresh live machine (2 GiB, no ZONE_NORMAL at boot,
 * blocks not auto-onlined) and works only through the page: clicks, forms, and what the DOM shows.
 * Screenshots go to target/screenshots/.
 */
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SHOTS = Path.of("target/screenshots");
    static final LocatorAssertions.ContainsTextOptions SLOW = new LocatorAssertions.ContainsTextOptions().setTimeout(20_000);

    static Playwright playwright;
    static Browser browser;
    LiveMachine live;
    DashboardServer server;
    Page page;

    @BeforeAll
    static void browser() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: scripts/host-deps.sh installs Debian's chromium");
        Files.createDirectories(SHOTS);
        // the system's chromium, never one downloaded from Playwright's CDN
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(java.util.Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM).setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-dev-shm-usage")));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void serve() {
        LogTail log = new LogTail();
        MachineConfig config = new MachineConfig("2G,slots=4,maxmem=16G", "memhp_default_state=offline", List.of(),
                KernelVersion.V6_12, 1);
        live = LiveMachine.start(Machine.boot(config), 1.0, log, null);
        server = DashboardServer.start(live, log, new InetSocketAddress("127.0.0.1", 0), null);
        page = browser.newPage();
        page.navigate(server.uri().toString());
        assertThat(page.locator("#conn")).hasText("live");
    }

    @AfterEach
    void stop() {
        page.close();
        server.close();
        live.close();
    }

    /** Plugs a 1 GiB DIMM from the form; its eight blocks appear offline. */
    private void plugDimm() {
        page.locator("#plug-size").fill("1G");
        page.locator("#plug").click();
        assertThat(page.locator("#devices")).containsText("dimm dimm1: 1 GiB at 0x100000000, node 0");
        for (int b = 32; b < 40; b++) {
            assertThat(page.locator("#block-" + b)).hasAttribute("data-state", "offline");
        }
    }

    private void setState(int block, String value) {
        page.locator("#block-" + block).click();
        page.locator("#block-actions button[data-value=" + value + "]").click();
    }

    private void startWorkload(String kind, String size) {
        page.locator("#workload-kind").selectOption(kind);
        page.locator("#workload-size").fill(size);
        page.locator("#workload-start").click();
    }

    @Test
    void plugOnlinePinOfflineFailsThenTheReleasedBlockGoesOffline() throws Exception {
        plugDimm();
        for (int b = 32; b < 40; b++) {
            setState(b, "online_kernel");
            assertThat(page.locator("#block-" + b)).hasAttribute("data-zone", "Normal");
        }
        assertThat(page.locator("#zones")).containsText("Normal");

        // an unmovable kernel allocation (a driver's buffers) and a long-term pinned buffer (RDMA):
        // GFP_KERNEL and the pins both take ZONE_NORMAL first, which is the DIMM
        startWorkload("kernel", "8M");
        assertThat(page.locator("#workloads")).containsText("kernel1: kernel 8 MiB");
        startWorkload("pinned", "256M");
        assertThat(page.locator("#workloads")).containsText("pinned2: pinned 256 MiB, 65,536 pages pinned");

        Locator unmovable = page.locator("#map .has-kernel[data-zone=Normal]").first();
        assertThat(unmovable).hasCount(1);
        int kernelBlock = Integer.parseInt(unmovable.textContent());
        Locator pinnedOnly = page.locator("#map .has-pinned:not(.has-kernel)[data-zone=Normal]").first();
        assertThat(pinnedOnly).hasCount(1);
        int pinnedBlock = Integer.parseInt(pinnedOnly.textContent());

        // offlining the block with kernel pages fails at isolation: EBUSY, and the page dump in dmesg
        setState(kernelBlock, "offline");
        assertThat(page.locator("#writes")).containsText(
                "echo offline > /sys/devices/system/memory/memory" + kernelBlock + "/state: error EBUSY (write error: Device or resource busy)", SLOW);
        assertThat(page.locator("#dmesg")).containsText("page dumped because: unmovable page");
        assertThat(page.locator("#block-" + kernelBlock)).hasAttribute("data-zone", "Normal");

        // the pinned block: isolation succeeds, migration cannot move the pins, offline_pages() retries
        setState(pinnedBlock, "offline");
        assertThat(page.locator("#writes li.running")).containsText("memory" + pinnedBlock + "/state: running");
        assertThat(page.locator("#offlines")).containsText(Pattern.compile("memory" + pinnedBlock + ": since .* [1-9][0-9]* retries"), SLOW);
        assertThat(page.locator("#block-" + pinnedBlock)).hasAttribute("data-state", "going-offline");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("offline-retrying.png")).setFullPage(true));

        // release the pins: the retrying offline migrates the pages and completes
        page.locator("#workloads li", new Page.LocatorOptions().setHasText("pinned2")).locator("button").click();
        assertThat(page.locator("#block-" + pinnedBlock)).hasAttribute("data-state", "offline",
                new LocatorAssertions.HasAttributeOptions().setTimeout(20_000));
        assertThat(page.locator("#writes")).containsText("memory" + pinnedBlock + "/state: done");
        assertThat(page.locator("#dmesg")).containsText("Offlined Pages 32768");
        assertEquals(0, page.locator("#offlines li").count());
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("offlined.png")).setFullPage(true));
    }

    @Test
    void aSignalEndsABlockedOfflineWithEintrAndTheBlockStaysOnline() {
        plugDimm();
        setState(33, "online_kernel");
        startWorkload("pinned", "64M");
        assertThat(page.locator("#block-33")).hasClass(Pattern.compile("has-pinned"));
        setState(33, "offline");
        Locator running = page.locator("#writes li.running");
        assertThat(running).containsText("memory33/state: running");
        running.locator("button").click(); // send SIGINT
        assertThat(page.locator("#writes")).containsText("memory33/state: error EINTR (write error: Interrupted system call)", SLOW);
        assertThat(page.locator("#dmesg")).containsText("failed due to signal backoff");
        assertThat(page.locator("#block-33")).hasAttribute("data-state", "online");
    }

    @Test
    void qmpAndSysfsErrorsAreShownAsQemuAndLinuxGiveThem() {
        page.locator("#plug-size").fill("3M"); // QEMU: not a multiple of 2 MiB
        page.locator("#plug").click();
        assertThat(page.locator("#status")).hasText("plug: backend memory size must be multiple of 0x200000 [GenericError]");
        assertThat(page.locator("#status")).hasClass("error");
        assertEquals(0, page.locator("#devices li").count());

        plugDimm();
        setState(34, "online_movable");
        assertThat(page.locator("#block-34")).hasAttribute("data-zone", "Movable");
        setState(34, "online_kernel"); // already online: EINVAL from the state store
        assertThat(page.locator("#writes")).containsText("memory34/state: error EINVAL (write error: Invalid argument)", SLOW);
    }

    @Test
    void pauseStopsVirtualTimeAndStepLetsOneSecondPass() {
        page.locator("#pause").click();
        assertThat(page.locator("#clock-state")).hasText("paused");
        String before = page.locator("#now").textContent();
        page.waitForTimeout(500);
        assertEquals(before, page.locator("#now").textContent());
        double t0 = seconds(before);
        page.locator("#step").click();
        assertThat(page.locator("#now")).not().hasText(before);
        double t1 = seconds(page.locator("#now").textContent());
        assertEquals(1.0, t1 - t0, 0.01, "one step is one second of virtual time");
        page.locator("#resume").click();
        assertThat(page.locator("#clock-state")).hasText("x1");
    }

    private static double seconds(String shown) {
        return Double.parseDouble(shown.replace(" s", ""));
    }

    @Test
    void aRecordedRunOpensInTheReplayViewAndScrubsThroughItsSamples() throws Exception {
        Scenario sc = ScenarioParser.parseFile(Path.of("../examples/pinned-unplug.yaml"), Map.of());
        RunResult run = new ScenarioRunner(MachineTarget::boot).run(sc, 1, Map.of(), ScenarioRunner.Progress.NONE);
        try (DashboardServer replaying = DashboardServer.start(live, new LogTail(), new InetSocketAddress("127.0.0.1", 0),
                JsonReport.write(run))) {
            page.navigate(replaying.uri().toString());
            assertThat(page.locator("#replay-name")).containsText("pinned-unplug, seed 1, " + run.samples().size() + " samples");
            int plugged = -1;
            int unplugged = -1;
            for (int i = 0; i < run.samples().size(); i++) {
                String map = run.samples().get(i).map();
                boolean present = map.length() > 32 && map.charAt(32) != '.';
                if (present && plugged < 0) {
                    plugged = i;
                }
                if (!present && plugged >= 0 && unplugged < 0) {
                    unplugged = i;
                }
            }
            assertTrue(plugged > 0 && unplugged > plugged, "the run plugs and later unplugs dimm1");
            page.locator("#replay-slider").fill("0");
            assertThat(page.locator("#replay-map span:nth-child(33)")).isHidden();
            page.locator("#replay-slider").fill(String.valueOf(plugged));
            assertThat(page.locator("#replay-map span:nth-child(33)")).hasClass("blk zone-Normal");
            assertThat(page.locator("#replay-events")).containsText("plug");
            page.locator("#replay-slider").fill(String.valueOf(unplugged));
            assertThat(page.locator("#replay-map span:nth-child(33)")).isHidden();
            assertThat(page.locator("#replay-events")).containsText("unplug");
            page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("replay.png")).setFullPage(true));
        }
    }

    @Test
    void virtioMemResizeAndBalloonTargetGoThroughQmpAndShowTheDevicesState() {
        LogTail log = new LogTail();
        MachineConfig config = new MachineConfig("4G,slots=4,maxmem=16G", "movable_node memhp_default_state=online", List.of(
                "-object", "memory-backend-ram,id=vmem0,size=1G", "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0",
                "-device", "virtio-balloon-pci,id=balloon0"), KernelVersion.V6_12, 1);
        try (LiveMachine m = LiveMachine.start(Machine.boot(config), 20.0, log, null);
             DashboardServer s = DashboardServer.start(m, log, new InetSocketAddress("127.0.0.1", 0), null)) {
            page.navigate(s.uri().toString());
            assertThat(page.locator("#devices")).containsText("virtio-mem vm0: 0 B of 1 GiB at 0x140000000, node 0, requested 0 B");
            page.locator("#vmem-size").fill("256M");
            page.locator("#vmem-form button").click();
            assertThat(page.locator("#devices")).containsText("virtio-mem vm0: 256 MiB of 1 GiB at 0x140000000, node 0, requested 256 MiB", SLOW);
            assertThat(page.locator("#block-41")).hasAttribute("data-zone", "Movable");
            assertThat(page.locator("#qmp-events")).containsText("MEMORY_DEVICE_SIZE_CHANGE");

            assertThat(page.locator("#balloon-actual")).hasText("actual 4 GiB");
            page.locator("#balloon-size").fill("3G");
            page.locator("#balloon-form button").click();
            assertThat(page.locator("#balloon-actual")).hasText("actual 3 GiB", new LocatorAssertions.HasTextOptions().setTimeout(20_000));
            assertThat(page.locator("#qmp-events")).containsText("BALLOON_CHANGE");
        }
    }
}
