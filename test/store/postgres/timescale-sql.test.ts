/**
 * The TimescaleDB layout's SQL, as far as a machine without TimescaleDB can test it:
 * - every migration's timescale SQL, and the refresh, parse with PostgreSQL's own parser
 *   (libpg-query), TimescaleDB's clauses included;
 * - run against stand-ins for TimescaleDB's functions on this PostgreSQL, the tables, hypertable
 *   and compression settings name real columns, every unique key holds the time column (a rule
 *   TimescaleDB enforces), and the 5m and 1h continuous aggregates give the native views' rows.
 * The stand-ins: create_hypertable and the compression calls check their arguments; time_bucket is
 * date_bin from TimescaleDB's origin; first/last are the values at the earliest/latest time; a
 * continuous aggregate is a materialised view (only its `WITH (timescaledb.continuous)` is
 * dropped, and `timescaledb.compress…` becomes a call that checks the segmenting columns).
 */
import { loadModule, parseSync } from "libpg-query";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { type Layout, MIGRATIONS } from "../../../src/store/postgres/schema.js";
import { storeOn } from "../../../src/store/postgres/store.js";
import { CANDLES, type CandleRow } from "../../../src/store/postgres/tables.js";
import { timescaleRefresh } from "../../../src/store/postgres/timescale.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";

let timescale: TestDatabase;
let native: TestDatabase;
beforeAll(async () => {
  await loadModule();
  [timescale, native] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([timescale?.drop(), native?.drop()]);
});

const STAND_INS = `
CREATE FUNCTION create_hypertable(relation regclass, time_column_name name,
    chunk_time_interval interval DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  key record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = relation
      AND attname = time_column_name AND attnotnull AND NOT attisdropped) THEN
    RAISE EXCEPTION 'hypertable %: no NOT NULL column %', relation, time_column_name;
  END IF;
  FOR key IN SELECT indexrelid::regclass AS name, indkey FROM pg_index
      WHERE indrelid = relation AND indisunique LOOP
    IF NOT (SELECT attnum FROM pg_attribute WHERE attrelid = relation
        AND attname = time_column_name) = ANY (key.indkey) THEN
      RAISE EXCEPTION 'hypertable %: unique index % lacks the time column %',
        relation, key.name, time_column_name;
    END IF;
  END LOOP;
END $$;

CREATE FUNCTION check_compress(relation regclass, segment_by text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  col text;
BEGIN
  FOREACH col IN ARRAY string_to_array(replace(segment_by, ' ', ''), ',') LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = relation AND attname = col) THEN
      RAISE EXCEPTION 'compress_segmentby of %: no column %', relation, col;
    END IF;
  END LOOP;
END $$;

CREATE FUNCTION add_compression_policy(relation regclass, compress_after interval)
RETURNS void LANGUAGE sql AS $$ SELECT $$;

CREATE FUNCTION time_bucket(bucket interval, ts timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT date_bin(bucket, ts, timestamptz '2000-01-03 00:00:00+00') $$;

CREATE TYPE value_at AS (v numeric, t timestamptz);
CREATE FUNCTION first_step(s value_at, v numeric, t timestamptz) RETURNS value_at
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN s IS NULL OR t < (s).t THEN ROW(v, t)::value_at ELSE s END $$;
CREATE FUNCTION last_step(s value_at, v numeric, t timestamptz) RETURNS value_at
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN s IS NULL OR t >= (s).t THEN ROW(v, t)::value_at ELSE s END $$;
CREATE FUNCTION value_of(s value_at) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT (s).v $$;
CREATE AGGREGATE first(numeric, timestamptz) (SFUNC = first_step, STYPE = value_at, FINALFUNC = value_of);
CREATE AGGREGATE last(numeric, timestamptz) (SFUNC = last_step, STYPE = value_at, FINALFUNC = value_of);

CREATE PROCEDURE refresh_continuous_aggregate(view regclass, from_time timestamptz,
    to_time timestamptz) LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('REFRESH MATERIALIZED VIEW %s', view);
END $$;
`;

/** The timescale SQL with TimescaleDB's own clauses turned into what the stand-ins check. */
function onStandIns(sql: string): string {
  return sql
    .replace("CREATE EXTENSION IF NOT EXISTS timescaledb;", "")
    .replace(
      /ALTER TABLE (\w+) SET \(timescaledb\.compress, timescaledb\.compress_segmentby = '([^']*)'\);/g,
      "SELECT check_compress('$1', '$2');",
    )
    .replaceAll(" WITH (timescaledb.continuous)", "");
}

const timescaleSql = MIGRATIONS.map((m) => m.sql("timescale" as Layout));

describe("TimescaleDB layout SQL (without TimescaleDB)", () => {
  test("every migration's timescale SQL and the refresh parse with PostgreSQL's parser", () => {
    for (const [i, sql] of timescaleSql.entries()) {
      expect(() => parseSync(sql), `migration ${i + 1}`).not.toThrow();
    }
    expect(timescaleSql[0]).toContain("CREATE EXTENSION IF NOT EXISTS timescaledb;");
    expect(timescaleSql.join("\n")).toContain("WITH (timescaledb.continuous)");
    expect(() => parseSync(timescaleRefresh("candles_5m"))).not.toThrow();
    // The parser does refuse what is not SQL.
    expect(() => parseSync("CREATE MATERIALIZED VIEW v WITH (x.y) AS SELECT FROM")).toThrow();
  });

  test("the tables, hypertables and compression settings hold on stand-ins; the aggregates give the native views' candles", async () => {
    await timescale.sql.unsafe(STAND_INS);
    for (const sql of timescaleSql) {
      const statements = onStandIns(sql);
      // Nothing of TimescaleDB's is left unchecked: each of its clauses was turned into a check.
      expect(statements).not.toMatch(/timescaledb/);
      await timescale.sql.unsafe(statements);
    }
    // The same 1m candles into both layouts, across hour boundaries, with gaps.
    const start = Date.UTC(2024, 0, 1, 23, 17);
    const candles: CandleRow[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 37 === 5) continue;
      const open = (100 + ((i * 7) % 13) + i / 10).toFixed(2);
      candles.push({
        venue: "binance",
        market: "BTC/USDT",
        timeframe: "1m",
        openTime: start + i * 60_000,
        open,
        high: (Number(open) + 1.5).toFixed(2),
        low: (Number(open) - 1.25).toFixed(2),
        close: (Number(open) + ((i % 5) - 2) / 4).toFixed(2),
        volume: (1 + (i % 9) / 8).toFixed(3),
      });
    }
    await storeOn(timescale.sql, "timescale").write(CANDLES, candles);
    const nativeStore = storeOn(native.sql, (await migrate(native.sql)).layout);
    await nativeStore.write(CANDLES, candles);
    for (const view of ["candles_5m", "candles_1h"]) {
      await timescale.sql.unsafe(timescaleRefresh(view));
      await native.sql.unsafe(`REFRESH MATERIALIZED VIEW ${view}`);
      const read = (db: TestDatabase) =>
        db.sql.unsafe(`SELECT * FROM ${view} ORDER BY venue, market, open_time`);
      const [ts, nat] = await Promise.all([read(timescale), read(native)]);
      expect(ts.length, view).toBeGreaterThan(3);
      expect(
        ts.columns.map((c) => c.name),
        view,
      ).toEqual(nat.columns.map((c) => c.name));
      expect([...ts], view).toEqual([...nat]);
    }
  });
});
