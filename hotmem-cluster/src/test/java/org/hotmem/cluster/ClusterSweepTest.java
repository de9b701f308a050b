package org.hotmem.cluster;

import org.hotmem.grid.GridBackend;
import org.hotmem.grid.GridExecutor;
import org.hotmem.grid.LocalGridExecutor;
import org.hotmem.scenario.Sweep;
import org.hotmem.scenario.SweepReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep on a real cluster: this JVM is a member that only submits, two {@code hotmem worker}
 * JVMs on 127.0.0.1 (multicast off) run the tasks. The members are shared by the test methods
 * (a Hazelcast member takes seconds to start); the worker-killing test runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSweepTest {
    static final String SCENARIO = """
            name: plug-unplug
            duration: 1m
            machine:
              memory: 2G,slots=4,maxmem=16G
              cmdline: memhp_default_state=${ONLINE}
            workloads:
              - name: app
                kind: anon
                size: 256M
                chunk: {dist: uniform, min: 1M, max: 3M}
                rate: 1G/s
                pinned: 10%
            timeline:
              - at: 1s
                plug: {id: dimm1, size: ${DIMM}}
              - at: 30s
                unplug: dimm1
            """;
    static final List<String> PARAMS = List.of("DIMM", "ONLINE");

    @TempDir static Path dir;
    static Members members;
    static Process steady;
    static Process victim;
    static StringWriter log = new StringWriter();
    static HazelcastGridExecutor driver;
    static Sweep sweep;
    static String localCsv;
    static String localHtml;

    @BeforeAll
    static void startCluster() throws Exception {
        members = new Members(dir, 3);
        // one member first (members that start together may form two clusters, merged only seconds later)
        steady = members.start(1, dir.resolve("steady.log"));
        CompletableFuture<HazelcastGridExecutor> member = CompletableFuture.supplyAsync(() -> {
            try {
                members.awaitReady(dir.resolve("steady.log"));
                victim = members.start(2, dir.resolve("victim.log"));
                GridBackend.Selected hz = GridBackend.select("hazelcast:" + members.config);
                return (HazelcastGridExecutor) hz.backend().connect(hz.config(), 0, new PrintWriter(log, true));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // meanwhile the reference: the same grid on local threads
        LinkedHashMap<String, List<String>> grid = new LinkedHashMap<>();
        grid.put("DIMM", List.of("256M", "1G"));
        grid.put("ONLINE", List.of("online_movable", "online_kernel"));
        sweep = new Sweep("plug-unplug.yaml", SCENARIO, grid, Sweep.parseSeeds("1..2"), Sweep.Boot.MACHINE);
        try (LocalGridExecutor local = new LocalGridExecutor(1)) {
            List<Sweep.Row> rows = sweep.run(local, 1, GridExecutor.Progress.NONE);
            localCsv = SweepReport.csv(PARAMS, rows);
            localHtml = SweepReport.html("plug-unplug.yaml", PARAMS, grid, rows, "online_bytes.Movable");
        }
        driver = member.get();
        for (int i = 0; i < 600 && driver.members() < 3; i++) Thread.sleep(100);
        assertEquals(3, driver.members(), "the members did not meet: " + log);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (driver != null) driver.close();
        if (members != null) members.close();
        assertFalse(steady.isAlive() || victim != null && victim.isAlive(), "a worker JVM is still running");
    }

    @Test
    @Order(1)
    void aGridRunAcrossTwoWorkerJvmsGivesByteIdenticalCsvAndHtml() {
        List<Sweep.Row> rows = sweep.run(driver, 1, GridExecutor.Progress.NONE);
        assertEquals(localCsv, SweepReport.csv(PARAMS, rows));
        assertEquals(localHtml, SweepReport.html("plug-unplug.yaml", PARAMS, sweep.grid(), rows, "online_bytes.Movable"));
        // the driver only submits: both workers ran tasks, 8 in all
        assertEquals(2, driver.finished().size(), driver.describe());
        assertEquals(8, driver.finished().values().stream().mapToInt(Integer::intValue).sum(), driver.describe());
    }

    @Test
    @Order(2)
    void aWorkerKilledMidRunHasItsTasksRunElsewhereAndTheOutputIsUnchanged() {
        // the victim runs 2 tasks at once, so it has one in flight whenever a task finishes
        List<Sweep.Row> rows = sweep.run(driver, 1, (done, total) -> {
            if (done == 1) victim.destroyForcibly();
        });
        assertFalse(victim.isAlive());
        assertEquals(localCsv, SweepReport.csv(PARAMS, rows));
        assertTrue(log.toString().contains("it runs again elsewhere"), log.toString());
        assertTrue(log.toString().contains("left"), log.toString());
    }
}
