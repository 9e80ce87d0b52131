/**
 * The TimescaleDB layout's SQL: hypertables with monthly chunks and compression, and continuous
 * aggregates for the 5m and 1h candles with the same names and columns as the native layout's
 * materialised views.
 *
 * THIS SQL NEVER RUNS ON TimescaleDB IN crypy's TESTS: the machines it is developed and tested
 * on have Debian's PostgreSQL without the timescaledb package. What is tested
 * (test/store/postgres/timescale-sql.test.ts): it parses with PostgreSQL's parser, and on
 * stand-ins for TimescaleDB's functions its tables, hypertable keys and compression columns hold
 * and its continuous aggregates give the native views' rows. It is chosen only when
 * `pg_available_extensions` lists timescaledb, and kept as small as it can be.
 */

export function timescaleTables(tables: readonly [string, string][]): string {
  const segmentBy: Record<string, string> = { candles: "venue, market, timeframe" };
  return [
    "CREATE EXTENSION IF NOT EXISTS timescaledb;",
    ...tables.flatMap(([table, column]) => [
      `SELECT create_hypertable('${table}', '${column}', chunk_time_interval => interval '1 month');`,
      `ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = '${segmentBy[table] ?? "venue, market"}');`,
      `SELECT add_compression_policy('${table}', interval '30 days');`,
    ]),
  ].join("\n");
}

const aggregate = (name: string, width: string): string => `
CREATE MATERIALIZED VIEW ${name} WITH (timescaledb.continuous) AS
SELECT venue, market, time_bucket('${width}', open_time) AS open_time,
  first(open, open_time) AS open, max(high) AS high, min(low) AS low,
  last(close, open_time) AS close, sum(volume) AS volume, count(*) AS candles
FROM candles WHERE timeframe = '1m'
GROUP BY venue, market, time_bucket('${width}', open_time)
WITH NO DATA;
`;

export function timescaleCandleViews(): string {
  return aggregate("candles_5m", "5 minutes") + aggregate("candles_1h", "1 hour");
}

/** A full refresh of a continuous aggregate (a procedure: not callable inside a transaction). */
export function timescaleRefresh(view: string): string {
  return `CALL refresh_continuous_aggregate('${view}', NULL, NULL)`;
}
