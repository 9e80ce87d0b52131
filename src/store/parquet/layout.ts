/**
 * The Parquet archive's layout: hive-style directories, one file per venue, market, kind and UTC
 * day — `venue=binance/market=BTC-USDT/kind=trades/day=2026-11-30/part-0.parquet` (the market as
 * its subject token) — so DuckDB, Spark or pandas read any slice by its directory names.
 *
 * Columns by kind (the venue, market, kind and day are the directories'):
 * - candles: timeframe, open_time (timestamptz), open, high, low, close, volume, version
 * - trades: trade_id, time, price, amount, side (buy/sell/null)
 * - book_snapshots, book_diffs: sequence, time, bids, asks (JSON text `[["price","amount"],…]`);
 *   book_diffs also first_sequence and prev_sequence (null where not recorded)
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

/**
 * Staged decimal text (checkDecimal's plain form) as DECIMAL(38,18), exactly: the integer and
 * fractional digits as integers, scaled. DuckDB's own text-to-DECIMAL(38,18) cast gives the same
 * value but about 20 times slower (measured: 11 s against 0.56 s for 400,000 prices).
 */
export const decimalOf = (c: string) => {
  const digits = `ltrim(${c}, '+-')`;
  return (
    `CAST(CAST((CAST(split_part(${digits}, '.', 1) AS HUGEINT) * 1000000000000000000 + ` +
    `CAST(rpad(split_part(${digits}, '.', 2), 18, '0') AS HUGEINT)) * ` +
    `CASE WHEN starts_with(${c}, '-') THEN -1 ELSE 1 END AS DECIMAL(38,0)) * ` +
    "0.000000000000000001 AS DECIMAL(38,18))"
  );
};
const dec = (c: string) => `${decimalOf(c)} AS ${c}`;
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
  // A diff's first update id and, on futures, the last id of the diff before (`pu`): what a
  // reader checks the chain with (null for diffs recorded before migration 4).
  book_diffs: {
    ...book,
    staging: [...book.staging, ["first_sequence", "BIGINT"], ["prev_sequence", "BIGINT"]],
    typed: `${book.typed}, first_sequence, prev_sequence`,
    key: ["sequence", "time"],
  },
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

/**
 * A decimal in the plain form `dec` reads (`[-]digits[.digits]`, at most 20 integer and 18
 * fractional digits once leading and trailing zeros are dropped), or an error naming it: DECIMAL(38,18)
 * holds it exactly. A double's shortest text with an exponent (`1e-7`) is written out in full.
 */
export function checkDecimal(text: string, column: string, where: string): string {
  let plain = text;
  if (/[eE]/.test(text)) {
    const n = Number(text);
    plain = Number.isFinite(n) && Math.abs(n) < 1e20 ? n.toFixed(18) : "";
    if (Number(plain) !== n) plain = "";
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(plain);
  const int = m === null ? "" : m[2]!.replace(/^0+/, "");
  const frac = m === null ? "" : (m[3] ?? "").replace(/0+$/, "");
  if (m !== null && (m[2] !== "" || (m[3] ?? "") !== "") && int.length <= 20 && frac.length <= 18) {
    return `${m[1] === "-" ? "-" : ""}${int === "" ? "0" : int}${frac === "" ? "" : `.${frac}`}`;
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
