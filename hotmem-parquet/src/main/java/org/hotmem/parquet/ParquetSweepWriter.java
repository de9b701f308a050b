package org.hotmem.parquet;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.hotmem.scenario.Sweep;
import org.hotmem.scenario.SweepReport;
import org.hotmem.scenario.SweepWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes sweep results as a Parquet file ({@code --parquet OUT}): one row per run, in grid order,
 * with typed columns: each parameter VARCHAR (its text, as in the scenario), {@code seed} BIGINT,
 * {@code passed} BOOLEAN, each metric DOUBLE (NULL where a run has none), {@code error} VARCHAR
 * (NULL when the run ran). The rows go through an in-memory DuckDB table (its appender), which
 * DuckDB's {@code COPY ... (FORMAT parquet)} writes out with zstd compression.
 */
public final class ParquetSweepWriter implements SweepWriter {
    private static final String TABLE = "sweep";

    @Override
    public String format() {
        return "parquet";
    }

    @Override
    public void write(Path out, List<String> params, List<Sweep.Row> rows) throws IOException {
        List<String> metrics = SweepReport.metricColumns(rows);
        List<String> columns = new ArrayList<>();
        for (String p : params) columns.add(quote(p) + " VARCHAR");
        columns.add("seed BIGINT");
        columns.add("passed BOOLEAN");
        for (String m : metrics) columns.add(quote(m) + " DOUBLE");
        columns.add("error VARCHAR");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + TABLE + " (" + String.join(", ", columns) + ")");
            try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, TABLE)) {
                for (Sweep.Row r : rows) {
                    a.beginRow();
                    for (String p : params) a.append(r.point().params().get(p));
                    a.append(r.point().seed());
                    a.append(r.passed());
                    for (String m : metrics) {
                        Double v = r.metrics().get(m);
                        if (v == null) a.appendNull();
                        else a.append(v.doubleValue());
                    }
                    if (r.error() == null) a.appendNull();
                    else a.append(r.error());
                    a.endRow();
                }
            }
            st.execute("COPY " + TABLE + " TO '" + out.toString().replace("'", "''") + "' (FORMAT parquet, COMPRESSION zstd)");
        } catch (SQLException e) {
            throw new IOException(out + ": " + e.getMessage(), e);
        }
    }

    /** A SQL identifier: metric names have dots, '#' and '@'. */
    private static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
