package org.hotmem.parquet;

import org.hotmem.scenario.Sweep;
import org.hotmem.scenario.SweepWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParquetSweepWriterTest {
    static Sweep.Row row(int index, String dimm, long seed, boolean passed, Map<String, Double> metrics, String error) {
        LinkedHashMap<String, String> params = new LinkedHashMap<>();
        params.put("DIMM", dimm);
        params.put("ONLINE", "online_movable");
        return new Sweep.Row(new Sweep.Point(index, params, seed), passed, new TreeMap<>(metrics), error);
    }

    @Test
    void theFileReadsBackAsTheSweepsTableWithTypedColumnsInGridOrder(@TempDir Path tmp) throws Exception {
        List<Sweep.Row> rows = List.of(
                row(0, "1G", 1, true, Map.of("plugged_bytes", 1073741824.0, "unpluggable_bytes.Normal@before", 0.5), null),
                row(1, "1G", 2, false, Map.of("plugged_bytes", 1073741824.0), null),
                row(2, "2G", 1, false, Map.of(), "ScenarioException: s.yaml:3:5: machine: it's bad"));
        Path out = tmp.resolve("out.parquet");
        SweepWriter writer = SweepWriter.find("parquet");
        writer.write(out, List.of("DIMM", "ONLINE"), rows);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement st = c.prepareStatement("SELECT * FROM read_parquet(?)")) {
            st.setString(1, out.toString());
            try (ResultSet rs = st.executeQuery()) {
                var md = rs.getMetaData();
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) cols.add(md.getColumnName(i) + " " + md.getColumnTypeName(i));
                assertEquals(List.of("DIMM VARCHAR", "ONLINE VARCHAR", "seed BIGINT", "passed BOOLEAN", "plugged_bytes DOUBLE",
                        "unpluggable_bytes.Normal@before DOUBLE", "error VARCHAR"), cols);
                assertTrue(rs.next());
                assertEquals("1G", rs.getString("DIMM"));
                assertEquals(1L, rs.getLong("seed"));
                assertTrue(rs.getBoolean("passed"));
                assertEquals(1073741824.0, rs.getDouble("plugged_bytes"));
                assertEquals(0.5, rs.getDouble("unpluggable_bytes.Normal@before"));
                assertNull(rs.getString("error"));
                assertTrue(rs.next());
                assertEquals(2L, rs.getLong("seed"));
                assertFalse(rs.getBoolean("passed"));
                assertNull(rs.getObject("unpluggable_bytes.Normal@before"));
                assertTrue(rs.next());
                assertEquals("2G", rs.getString("DIMM"));
                assertNull(rs.getObject("plugged_bytes"));
                assertEquals("ScenarioException: s.yaml:3:5: machine: it's bad", rs.getString("error"));
                assertFalse(rs.next());
            }
        }
    }
}
