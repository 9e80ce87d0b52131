/**
 * The Parquet archive's layout: hive-style directories, one file per venue, market, kind and UTC
 * day — `venue=binance/market=BTC-USDT/kind=trades/day=2026-11-30/part-0.parquet` (the market as
 * its subject token) — so DuckDB, Spark or pandas read any slice by its directory names.
 *
 * Columns by kind (the venue, market, kind and day are the directories'):
 * - candles: timeframe, open_time (timestamptz), open, high, low, close, volume, version
 * - trades: trade_id, time, price, amount, side (buy/sell/null)
 * - book_snapshots, book_diffs: sequence, time, bids, asks (JSON text `[["price","amount"],…]`)
 * Prices and amounts are DECIMAL(38,18): exact for any decimal with at most 20 integer and 18
 * fractional digits; a value outside that is refused rather than rounded. Times are microseconds.
 *
 * Rows are staged as text and microsecond integers (`staging`), then typed by `typed`.
 */

import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";

export type ArchiveKind = "candles" | "trades" | "book_snapshots" | "book_diffs";
export const ARCHIVE_KINDS: readonly ArchiveKind[] = [
  "candles",
  "trades",
  "book_snapshots",
  "book_diffs",
];

/** A staged value: text, a BIGINT, or NULL. */
export type Staged = string | bigint | null;

export interface KindLayout {
  /** Staging columns in order, with their DuckDB types. */
  staging: readonly (readonly [string, "VARCHAR" | "BIGINT"])[];
  /** The Parquet file's columns, typed from the staging table's. */
  typed: string;
  /** Columns naming one row (its idempotency key, as in PostgreSQL). */
  key: readonly string[];
  /** The time column (ordering, days). */
  time: string;
  /** Columns holding decimals (checked to fit DECIMAL(38,18)). */
  decimals: readonly number[];
}

const dec = (c: string) => `CAST(${c} AS DECIMAL(38,18)) AS ${c}`;
const ts = (c: string) => `CAST(make_timestamp(${c}_us) AS TIMESTAMPTZ) AS ${c}`;

const book: KindLayout = {
  staging: [
    ["sequence", "BIGINT"],
    ["time_us", "BIGINT"],
    ["bids", "VARCHAR"],
    ["asks", "VARCHAR"],
  ],
  typed: `sequence, ${ts("time")}, bids, asks`,
  key: ["time", "sequence"],
  time: "time",
  decimals: [],
};

export const LAYOUTS: Record<ArchiveKind, KindLayout> = {
  candles: {
    staging: [
      ["timeframe", "VARCHAR"],
      ["open_time_us", "BIGINT"],
      ["open", "VARCHAR"],
      ["high", "VARCHAR"],
      ["low", "VARCHAR"],
      ["close", "VARCHAR"],
      ["volume", "VARCHAR"],
      ["version", "BIGINT"],
    ],
    typed: `timeframe, ${ts("open_time")}, ${["open", "high", "low", "close", "volume"].map(dec).join(", ")}, version`,
    key: ["timeframe", "open_time"],
    time: "open_time",
    decimals: [2, 3, 4, 5, 6],
  },
  trades: {
    staging: [
      ["trade_id", "VARCHAR"],
      ["time_us", "BIGINT"],
      ["price", "VARCHAR"],
      ["amount", "VARCHAR"],
      ["side", "VARCHAR"],
    ],
    typed: `trade_id, ${ts("time")}, ${dec("price")}, ${dec("amount")}, side`,
    key: ["trade_id", "time"],
    time: "time",
    decimals: [2, 3],
  },
  book_snapshots: book,
  book_diffs: { ...book, key: ["sequence", "time"] },
};

export interface Partition {
  venue: string;
  /** The market's subject token (`BTC-USDT`). */
  token: string;
  kind: ArchiveKind;
  /** `2026-11-30` (UTC). */
  day: string;
}

export function partitionDir(root: string, p: Partition): string {
  return join(root, `venue=${p.venue}`, `market=${p.token}`, `kind=${p.kind}`, `day=${p.day}`);
}

export const PART_FILE = "part-0.parquet";

/** A decimal's text if DECIMAL(38,18) holds it exactly; otherwise an error naming it. */
export function checkDecimal(text: string, column: string, where: string): string {
  const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(text);
  const n = Number(text);
  const intDigits = m === null ? 0 : m[1]!.replace(/^0+/, "").length;
  const fracDigits = m === null ? 0 : (m[2] ?? "").replace(/0+$/, "").length;
  if (m !== null && intDigits <= 20 && fracDigits <= 18) return text;
  // A double's shortest text may use an exponent: exact if its plain decimal fits.
  if (m === null && Number.isFinite(n) && Math.abs(n) < 1e20) {
    const plain = n.toFixed(18);
    if (Number(plain) === n) return plain;
  }
  throw new InvalidInputError(
    `${where}: column ${column}: ${text} does not fit Parquet's DECIMAL(38,18) exactly ` +
      "(at most 20 integer and 18 fractional digits)",
  );
}

/** Epoch ms → the `YYYY-MM-DD` UTC day. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
