/**
 * Migration 3, the Recorder's tables: what `crypy record --store postgres://…` needs beyond the
 * market-data tables of migration 1.
 *
 * - `seq` (nullable) on trades, candles and the book tables: the Recorder's per-stream sequence
 *   number the row was published under (NULL for imported rows), indexed per market so a restart
 *   finds a stream's highest stored seq at once.
 * - `marks` and `funding_rates`: the mark/index price and the funding rate a contract market
 *   publishes each second, keyed by (venue, market, time), partitioned by month like the others.
 * - `recorder_streams`: each stream's leased sequence numbers (hi/lo): a stream publishes only
 *   seqs at or below its durable `leased_to`, so after a crash everything above the highest
 *   stored seq up to `leased_to` is known to be possibly published and is recorded as a gap.
 * - `recorder_markets`: the markets a Recorder tracks, changed by its track/untrack commands.
 */

import { timescaleTables } from "./timescale.js";

export type RecorderLayout = "native" | "timescale";

/** The new time-series tables and their time columns. */
export const RECORDER_TIME_TABLES = { marks: "time", funding_rates: "time" } as const;

const partitionBy = (layout: RecorderLayout): string =>
  layout === "native" ? " PARTITION BY RANGE (time)" : "";

export const recorderTablesSql = (layout: RecorderLayout): string => {
  const seq = ["trades", "candles", "book_snapshots", "book_diffs"]
    .map(
      (t) =>
        `ALTER TABLE ${t} ADD COLUMN seq bigint;\n` +
        `CREATE INDEX ${t}_seq ON ${t} (venue, market, seq);`,
    )
    .join("\n");
  const sql = `
${seq}

CREATE TABLE marks (
  venue text NOT NULL,
  market text NOT NULL,
  time timestamptz NOT NULL,
  mark_price numeric NOT NULL,
  index_price numeric,
  seq bigint,
  PRIMARY KEY (venue, market, time)
)${partitionBy(layout)};
CREATE INDEX marks_seq ON marks (venue, market, seq);

CREATE TABLE funding_rates (
  venue text NOT NULL,
  market text NOT NULL,
  time timestamptz NOT NULL,
  funding_rate numeric NOT NULL,
  funding_time timestamptz,
  mark_price numeric,
  seq bigint,
  PRIMARY KEY (venue, market, time)
)${partitionBy(layout)};
CREATE INDEX funding_rates_seq ON funding_rates (venue, market, seq);

CREATE TABLE recorder_streams (
  recorder text NOT NULL,
  venue text NOT NULL,
  market text NOT NULL,
  kind text NOT NULL,
  leased_to bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (recorder, venue, market, kind)
);

CREATE TABLE recorder_markets (
  recorder text NOT NULL,
  market text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (recorder, market)
);
`;
  return layout === "native" ? sql : sql + timescaleTables(Object.entries(RECORDER_TIME_TABLES));
};
