/**
 * Sweep results as Parquet ({@code hotmem sweep ... --parquet OUT}), written through DuckDB's JDBC
 * driver: the {@link org.hotmem.scenario.SweepWriter} named {@code parquet}. Its own module because
 * DuckDB's jar (with its native libraries) is 80 MB; hotmem-core only knows the seam.
 */
package org.hotmem.parquet;
