package org.hotmem.scenario;

import org.hotmem.grid.GridExecutor;
import org.hotmem.grid.LocalGridExecutor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTest {
    static final String SCN = """
            name: plug-sweep
            duration: 1m
            machine:
              memory: 4G,slots=4,maxmem=64G
              cmdline: memhp_default_state=${ONLINE:-online_movable}
            workloads:
              - name: app
                kind: anon
                size: ${APP:-256M}
                chunk: {dist: uniform, min: 1M, max: 3M}
                rate: 1G/s
                pinned: 10%
            timeline:
              - at: 1s
                plug: {id: dimm1, size: ${DIMM}}
            """;

    static Sweep sweep(int seeds) {
        LinkedHashMap<String, List<String>> grid = new LinkedHashMap<>();
        grid.put("DIMM", List.of("256M", "512M", "1G", "2G"));
        grid.put("ONLINE", List.of("online_movable", "online_kernel"));
        return new Sweep("s.yaml", SCN, grid, Sweep.parseSeeds("1.." + seeds), FakeTarget::new);
    }

    static List<Sweep.Row> run(Sweep s, int threads, int runsPerTask) {
        try (LocalGridExecutor ex = new LocalGridExecutor(threads)) {
            return s.run(ex, runsPerTask, GridExecutor.Progress.NONE);
        }
    }

    @Test
    void gridIsTheProductOfParametersTimesSeedsInOrder() {
        List<Sweep.Point> points = sweep(3).points();
        assertEquals(4 * 2 * 3, points.size());
        assertEquals("256M", points.get(0).params().get("DIMM"));
        assertEquals("online_kernel", points.get(3).params().get("ONLINE"));
        assertEquals(1L, points.get(3).seed());
        assertEquals("2G", points.get(23).params().get("DIMM"));
    }

    @Test
    void parallelSweepGivesTheSameCsvAsASequentialOne() {
        Sweep s = sweep(3);
        List<Sweep.Row> par = run(s, 4, 1);
        List<Sweep.Row> seq = run(s, 1, 1);
        List<String> names = List.of("DIMM", "ONLINE");
        assertEquals(SweepReport.csv(names, seq), SweepReport.csv(names, par));
        for (Sweep.Row r : par) assertNull(r.error(), r.error());
    }

    @Test
    void tasksCutTheGridIntoConsecutiveSeedsOfOnePointAndRowsComeBackInGridOrder() {
        Sweep s = sweep(3);
        List<SweepTask> tasks = s.tasks(2);
        // 8 grid points x 3 seeds, at most 2 seeds per task and never across points: 8 x (2 + 1)
        assertEquals(16, tasks.size());
        assertEquals(List.of(1L, 2L), tasks.get(0).points().stream().map(Sweep.Point::seed).toList());
        assertEquals(List.of(3L), tasks.get(1).points().stream().map(Sweep.Point::seed).toList());
        List<String> names = List.of("DIMM", "ONLINE");
        assertEquals(SweepReport.csv(names, run(s, 1, 1)), SweepReport.csv(names, run(s, 2, 2)));
    }

    @Test
    void aTaskSurvivesJavaSerializationAndGivesTheSameRows() throws Exception {
        SweepTask task = sweep(2).tasks(2).get(3);
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(task);
        }
        SweepTask copy;
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (SweepTask) in.readObject();
        }
        assertEquals(task.call(), copy.call());
    }

    @Test
    void csvHasOneRowPerRunAndTheMetricColumns() {
        Sweep s = sweep(2);
        String csv = SweepReport.csv(List.of("DIMM", "ONLINE"), run(s, 2, 1));
        String[] lines = csv.split("\n");
        assertEquals(1 + 16, lines.length);
        assertTrue(lines[0].startsWith("DIMM,ONLINE,seed,passed,"), lines[0]);
        List<String> header = List.of(lines[0].split(","));
        int col = header.indexOf("plugged_bytes");
        int unplug = header.indexOf("unpluggable_bytes.Movable");
        // row for DIMM=1G, online_movable, seed 1: all 8 blocks movable and nothing pinned there
        String[] row = lines[1 + 2 * 2 * 2].split(",");
        assertEquals("1G", row[0]);
        assertEquals(Long.toString(1L << 30), row[col]);
        assertEquals(Long.toString(1L << 30), row[unplug]);
    }

    @Test
    void chartPlotsTheMetricAgainstTheFirstParameter() {
        Sweep s = sweep(2);
        List<Sweep.Row> rows = run(s, 2, 1);
        String html = SweepReport.html("s.yaml", List.of("DIMM", "ONLINE"), s.grid(), rows, "plugged_bytes");
        assertTrue(html.contains("ONLINE=online_movable mean"), html);
        assertTrue(html.contains("<circle"), html);
        String table = SweepReport.table(List.of("DIMM", "ONLINE"), s.grid(), rows, "plugged_bytes");
        assertTrue(table.contains("DIMM=2G ONLINE=online_kernel"), table);
    }

    @Test
    void seedsAndParamsParse() {
        assertEquals(List.of(1L, 2L, 3L), Sweep.parseSeeds("1..3"));
        assertEquals(List.of(4L, 9L), Sweep.parseSeeds("4,9"));
        assertEquals(List.of("1G", "2G"), Sweep.parseParam("DIMM=1G,2G").getValue());
    }
}
