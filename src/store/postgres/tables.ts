/**
 * How each kind of row is written: its columns in COPY order, its time (for partitions), its
 * idempotency key, and what a second row with the same key does.
 *
 * Which candle wins: a candle carries a `version` (the caller's ordering of updates to the same
 * candle: an exchange's event time while it is open, 0 for a file). A higher version replaces a
 * lower one; an equal version replaces it only when a value differs (a corrected file re-imported
 * wins, as in the local store; the same batch replayed writes nothing); a lower version is
 * ignored, so a replay of old updates never undoes a newer candle. Trades, book rows and gaps are
 * facts: the first write stands and a replay writes nothing.
 */

import { type CopyField, isoTime } from "./copy-text.js";
import type { TimeTable } from "./schema.js";

/** OHLCV as decimal text (exact) or numbers (written as their shortest round-trip decimal). */
export type Decimal = string | number;

export interface CandleRow {
  venue: string;
  market: string;
  timeframe: string;
  /** Epoch ms. */
  openTime: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
  /** Default 0. */
  version?: number;
  /** The Recorder's sequence number of the message it came in (schema-recorder.ts). */
  seq?: number | undefined;
}

export interface TradeRow {
  venue: string;
  market: string;
  tradeId: string;
  /** Epoch ms. */
  time: number;
  price: Decimal;
  amount: Decimal;
  side?: "buy" | "sell" | undefined;
  /** The Recorder's sequence number of the message it came in (schema-recorder.ts). */
  seq?: number | undefined;
}

/** [price, amount] pairs, decimals as text. */
export type Levels = readonly (readonly [string, string])[];

export interface BookRow {
  venue: string;
  market: string;
  sequence: number;
  /** Epoch ms. */
  time: number;
  bids: Levels;
  asks: Levels;
  /** The Recorder's sequence number of the message it came in (schema-recorder.ts). */
  seq?: number | undefined;
}

/** A diff's `sequence` is its last update id (Binance u). */
export interface BookDiffRow extends BookRow {
  /** Its first update id (Binance U); unknown for rows stored before migration 4. */
  firstSequence?: number | undefined;
  /** Futures: the previous diff's last update id (Binance pu); spot diffs have none. */
  prevSequence?: number | undefined;
}

export interface TableSpec<R> {
  table: TimeTable;
  columns: readonly string[];
  key: readonly string[];
  timeOf(row: R): number;
  fields(row: R): CopyField[];
  /** SQL after `ON CONFLICT (key)`. */
  onConflict: string;
}

const ohlcv = ["open", "high", "low", "close", "volume"] as const;

export const CANDLES: TableSpec<CandleRow> = {
  table: "candles",
  columns: ["venue", "market", "timeframe", "open_time", ...ohlcv, "version", "seq"],
  key: ["venue", "market", "timeframe", "open_time"],
  timeOf: (r) => r.openTime,
  fields: (r) => [
    r.venue,
    r.market,
    r.timeframe,
    isoTime(r.openTime),
    r.open,
    r.high,
    r.low,
    r.close,
    r.volume,
    r.version ?? 0,
    r.seq ?? null,
  ],
  onConflict:
    `DO UPDATE SET ${[...ohlcv, "version", "seq"].map((c) => `${c} = EXCLUDED.${c}`).join(", ")} ` +
    "WHERE EXCLUDED.version > candles.version OR (EXCLUDED.version = candles.version AND " +
    `(${ohlcv.map((c) => `candles.${c}`).join(", ")}) IS DISTINCT FROM ` +
    `(${ohlcv.map((c) => `EXCLUDED.${c}`).join(", ")}))`,
};

export const TRADES: TableSpec<TradeRow> = {
  table: "trades",
  columns: ["venue", "market", "trade_id", "time", "price", "amount", "side", "seq"],
  key: ["venue", "market", "trade_id", "time"],
  timeOf: (r) => r.time,
  fields: (r) => [
    r.venue,
    r.market,
    r.tradeId,
    isoTime(r.time),
    r.price,
    r.amount,
    r.side ?? null,
    r.seq ?? null,
  ],
  onConflict: "DO NOTHING",
};

const bookFields = (r: BookRow): CopyField[] => [
  r.venue,
  r.market,
  r.sequence,
  isoTime(r.time),
  JSON.stringify(r.bids),
  JSON.stringify(r.asks),
  r.seq ?? null,
];
const bookColumns = ["venue", "market", "sequence", "time", "bids", "asks", "seq"] as const;

export const BOOK_SNAPSHOTS: TableSpec<BookRow> = {
  table: "book_snapshots",
  columns: bookColumns,
  key: ["venue", "market", "time", "sequence"],
  timeOf: (r) => r.time,
  fields: bookFields,
  onConflict: "DO NOTHING",
};

/** The first and previous update ids go into the columns of migration 4 (schema-diff-ids.ts). */
export const BOOK_DIFFS: TableSpec<BookDiffRow> = {
  table: "book_diffs",
  columns: [...bookColumns, "first_sequence", "prev_sequence"],
  key: ["venue", "market", "sequence", "time"],
  timeOf: (r) => r.time,
  fields: (r) => [...bookFields(r), r.firstSequence ?? null, r.prevSequence ?? null],
  onConflict: "DO NOTHING",
};
