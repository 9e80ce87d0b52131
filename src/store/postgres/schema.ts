/**
 * crypy's PostgreSQL schema as numbered migrations (run by migrate.ts). Two layouts give the same
 * tables, keys and view names, so every query works on both:
 *
 * - `native` (any PostgreSQL >= 15, Debian's included): the time-series tables are range-partitioned
 *   by month on their time column, each month's partition created on demand by
 *   `crypy_ensure_partition` before a batch lands in it; the 5m and 1h candles are materialised
 *   views over the 1m candles, refreshed by `refreshCandleViews`.
 * - `timescale` (chosen only when `pg_available_extensions` lists timescaledb): the same tables as
 *   hypertables with monthly chunks and compression, and the 5m and 1h candles as continuous
 *   aggregates. That SQL (timescale.ts) cannot be run on this project's test machine, which has no
 *   TimescaleDB package: it is kept small and is untested here.
 *
 * Keys (the idempotency keys: a replayed batch hits them and writes nothing twice):
 * candles (venue, market, timeframe, open_time); trades (venue, market, trade_id, time); book
 * snapshots (venue, market, time, sequence); book diffs (venue, market, sequence, time); gaps
 * (venue, market, kind, from_sequence, from_time). A partitioned table's keys must hold its
 * partition column, hence the time in the trade and diff keys: an exchange's trade id or sequence
 * never changes its time, so the key is as strict as the id alone.
 *
 * Later migrations add columns and tables in their own files: schema-recorder.ts (3),
 * schema-diff-ids.ts (4).
 *
 * Prices and amounts are `numeric` (exact); book levels are jsonb arrays of [price, amount] with
 * numbers as text, also exact. Candles carry a `version`: see writer.ts for which candle wins.
 */

import { diffIdsSql } from "./schema-diff-ids.js";
import { RECORDER_TIME_TABLES, recorderTablesSql } from "./schema-recorder.js";
import { timescaleCandleViews, timescaleTables } from "./timescale.js";

export type Layout = "native" | "timescale";

export interface Migration {
  version: number;
  name: string;
  sql: (layout: Layout) => string;
  /** TimescaleDB refuses to create continuous aggregates inside a transaction block. */
  outsideTransaction?: (layout: Layout) => boolean;
}

/** Migration 1's partitioned (native) or hypertable (timescale) tables and their time columns. */
const MARKET_TIME_TABLES = {
  candles: "open_time",
  trades: "time",
  book_snapshots: "time",
  book_diffs: "time",
} as const;
/** Every partitioned or hypertable table and its time column. */
export const TIME_TABLES = { ...MARKET_TIME_TABLES, ...RECORDER_TIME_TABLES } as const;
export type TimeTable = keyof typeof TIME_TABLES;

const partitionBy = (layout: Layout, column: string): string =>
  layout === "native" ? ` PARTITION BY RANGE (${column})` : "";

const tables = (layout: Layout): string => `
CREATE TABLE candles (
  venue text NOT NULL,
  market text NOT NULL,
  timeframe text NOT NULL,
  open_time timestamptz NOT NULL,
  open numeric NOT NULL,
  high numeric NOT NULL,
  low numeric NOT NULL,
  close numeric NOT NULL,
  volume numeric NOT NULL,
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (venue, market, timeframe, open_time)
)${partitionBy(layout, "open_time")};

CREATE TABLE trades (
  venue text NOT NULL,
  market text NOT NULL,
  trade_id text NOT NULL,
  time timestamptz NOT NULL,
  price numeric NOT NULL,
  amount numeric NOT NULL,
  side text CHECK (side IN ('buy', 'sell')),
  PRIMARY KEY (venue, market, trade_id, time)
)${partitionBy(layout, "time")};

CREATE TABLE book_snapshots (
  venue text NOT NULL,
  market text NOT NULL,
  sequence bigint NOT NULL,
  time timestamptz NOT NULL,
  bids jsonb NOT NULL,
  asks jsonb NOT NULL,
  PRIMARY KEY (venue, market, time, sequence)
)${partitionBy(layout, "time")};

CREATE TABLE book_diffs (
  venue text NOT NULL,
  market text NOT NULL,
  sequence bigint NOT NULL,
  time timestamptz NOT NULL,
  bids jsonb NOT NULL,
  asks jsonb NOT NULL,
  PRIMARY KEY (venue, market, sequence, time)
)${partitionBy(layout, "time")};

CREATE TABLE gaps (
  id bigserial PRIMARY KEY,
  venue text NOT NULL,
  market text NOT NULL,
  kind text NOT NULL,
  from_sequence bigint,
  to_sequence bigint,
  from_time timestamptz,
  to_time timestamptz,
  reason text NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  CHECK (from_sequence IS NOT NULL OR from_time IS NOT NULL),
  UNIQUE NULLS NOT DISTINCT (venue, market, kind, from_sequence, from_time)
);
`;

/** Creates (once) the month partition of `parent` holding `at`; a no-op when it exists. */
const ensurePartitionFunction = `
CREATE FUNCTION crypy_ensure_partition(parent text, at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  name text := parent || '_' || to_char(start AT TIME ZONE 'UTC', '"y"YYYY"m"MM');
BEGIN
  -- Two writers may reach a new month together: the second waits, then finds it.
  PERFORM pg_advisory_xact_lock(hashtext(name));
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
      name, parent, start, start + interval '1 month');
  END IF;
  RETURN name;
END $$;
`;

const nativeCandleView = (name: string, width: string): string => `
CREATE MATERIALIZED VIEW ${name} AS
SELECT venue, market,
  date_bin('${width}', open_time, timestamptz '1970-01-01 00:00:00+00') AS open_time,
  (array_agg(open ORDER BY open_time))[1] AS open,
  max(high) AS high,
  min(low) AS low,
  (array_agg(close ORDER BY open_time DESC))[1] AS close,
  sum(volume) AS volume,
  count(*) AS candles
FROM candles WHERE timeframe = '1m'
GROUP BY venue, market, 3;
CREATE UNIQUE INDEX ${name}_key ON ${name} (venue, market, open_time);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "market data tables",
    sql: (layout) =>
      layout === "native"
        ? tables(layout) + ensurePartitionFunction
        : tables(layout) + timescaleTables(Object.entries(MARKET_TIME_TABLES)),
  },
  {
    version: 2,
    name: "candles at 5m and 1h",
    sql: (layout) =>
      layout === "native"
        ? nativeCandleView("candles_5m", "5 minutes") + nativeCandleView("candles_1h", "1 hour")
        : timescaleCandleViews(),
    outsideTransaction: (layout) => layout === "timescale",
  },
  {
    version: 3,
    name: "recorder sequences, leases, markets, marks and funding",
    sql: recorderTablesSql,
  },
  {
    version: 4,
    name: "book diffs' first and previous update ids",
    sql: diffIdsSql,
  },
];

/** The views of the 5m and 1h candles, by timeframe. */
export const CANDLE_VIEWS = { "5m": "candles_5m", "1h": "candles_1h" } as const;
