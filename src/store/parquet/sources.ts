/**
 * What an export reads from: crypy's PostgreSQL tables (candles, trades, book snapshots and diffs)
 * or the local store (candles: the only kind it holds). Each lists the (venue, market, day) groups
 * with rows before a cutoff, streams a group's rows staged for Parquet (layout.ts), and — for
 * PostgreSQL — deletes a group once its file is trusted.
 *
 * Pruning deletes in one transaction and checks the count: a row that arrived in an exported day
 * after its rows were read makes the delete roll back (export again), so nothing unexported is
 * ever deleted. The local store cannot delete yet: pruning it is refused.
 */

import { InvalidInputError } from "../../domain/errors.js";
import type { CandleSeries } from "../candle-series.js";
import { openStore } from "../candle-store.js";
import type { Sql } from "../postgres/connect.js";
import { isoTime } from "../postgres/copy-text.js";
import { TIME_TABLES } from "../postgres/schema.js";
import { resolveKey } from "../series-key.js";
import { type ArchiveKind, checkDecimal, dayOf, LAYOUTS, type Staged } from "./layout.js";

export interface DayGroup {
  venue: string;
  /** The ccxt symbol. */
  market: string;
  day: string;
  rows: number;
}

export interface ExportSource {
  readonly name: string;
  readonly kinds: readonly ArchiveKind[];
  groups(kind: ArchiveKind, cutoff: number): Promise<DayGroup[]>;
  batches(kind: ArchiveKind, group: DayGroup): AsyncIterable<Staged[][]>;
  /** Deletes the group's rows if exactly `expected` are there; returns how many were deleted. */
  prune?(kind: ArchiveKind, group: DayGroup, expected: number): Promise<number>;
}

const DAY_MS = 86_400_000;
const BATCH = 10_000;
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** Text columns as each kind stages them, after the key columns `venue, market`. */
const SELECTS: Record<ArchiveKind, string> = {
  candles:
    "timeframe, us, open::text, high::text, low::text, close::text, volume::text, version::text",
  trades: "trade_id, us, price::text, amount::text, side",
  book_snapshots: "sequence::text, us, bids::text, asks::text",
  book_diffs:
    "sequence::text, us, bids::text, asks::text, first_sequence::text, prev_sequence::text",
};

export function postgresSource(sql: Sql): ExportSource {
  return {
    name: "PostgreSQL",
    kinds: ["candles", "trades", "book_snapshots", "book_diffs"],
    async groups(kind, cutoff) {
      const time = TIME_TABLES[kind];
      return sql<DayGroup[]>`
        SELECT venue, market, to_char(${sql(time)} AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
          count(*)::int AS rows
        FROM ${sql(kind)} WHERE ${sql(time)} < ${isoTime(cutoff)}::text::timestamptz
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
    },
    async *batches(kind, group) {
      const time = TIME_TABLES[kind];
      const from = dayStart(group.day);
      const query = sql`
        SELECT ${sql.unsafe(SELECTS[kind])} FROM (
          SELECT *, (extract(epoch FROM ${sql(time)}) * 1000000)::bigint::text AS us
          FROM ${sql(kind)}
          WHERE venue = ${group.venue} AND market = ${group.market}
            AND ${sql(time)} >= ${isoTime(from)}::text::timestamptz
            AND ${sql(time)} < ${isoTime(from + DAY_MS)}::text::timestamptz) r
        ORDER BY ${sql(time)}`.values();
      const where = `${kind} of ${group.market} (${group.venue}) on ${group.day}`;
      for await (const rows of query.cursor(BATCH)) {
        yield rows.map((row) => staged(kind, row as (string | null)[], where));
      }
    },
    async prune(kind, group, expected) {
      const time = TIME_TABLES[kind];
      const from = dayStart(group.day);
      return sql.begin(async (tx) => {
        const deleted = await tx`
          DELETE FROM ${tx(kind)} WHERE venue = ${group.venue} AND market = ${group.market}
            AND ${tx(time)} >= ${isoTime(from)}::text::timestamptz
            AND ${tx(time)} < ${isoTime(from + DAY_MS)}::text::timestamptz`;
        if (deleted.count !== expected) {
          throw new InvalidInputError(
            `${kind} of ${group.market} (${group.venue}) on ${group.day}: ${deleted.count} rows ` +
              `to prune but ${expected} exported (rows arrived meanwhile): nothing pruned; export again`,
          );
        }
        return deleted.count;
      });
    },
  };
}

/** A row of text fields (as SELECTS lists them) staged for Parquet. */
function staged(kind: ArchiveKind, row: (string | null)[], where: string): Staged[] {
  const out: Staged[] = row.map((v) => v);
  const layout = LAYOUTS[kind];
  layout.staging.forEach(([, type], i) => {
    if (type === "BIGINT" && row[i] !== null) out[i] = BigInt(row[i]!);
  });
  for (const i of layout.decimals) {
    out[i] = checkDecimal(row[i]!, layout.staging[i]![0], where);
  }
  return out;
}

/** The local store's candles (every stored timeframe), by venue, market and day. */
export function localSource(dataDir: string | undefined): ExportSource {
  const store = openStore(dataDir);
  /** Per group: the series and index range of each timeframe's candles of that day. */
  const parts = new Map<
    string,
    { timeframe: string; series: CandleSeries; from: number; to: number }[]
  >();
  const groupKey = (g: { venue: string; market: string; day: string }) =>
    `${g.venue}\u0000${g.market}\u0000${g.day}`;
  return {
    name: `the local store (${store.dir})`,
    kinds: ["candles"],
    async groups(kind, cutoff) {
      if (kind !== "candles") return [];
      parts.clear();
      const groups = new Map<string, DayGroup>();
      for (const s of await store.list()) {
        if (s.first >= cutoff) continue;
        const series = await store.read(s, { to: cutoff - 1 });
        for (let i = 0; i < series.length; ) {
          const day = dayOf(series.time[i]!);
          const end = series.indexAtOrAfter(dayStart(day) + DAY_MS);
          const g = { venue: s.venue, market: s.market, day };
          const k = groupKey(g);
          const group = groups.get(k) ?? { ...g, rows: 0 };
          group.rows += end - i;
          groups.set(k, group);
          parts.set(k, [
            ...(parts.get(k) ?? []),
            { timeframe: s.timeframe, series, from: i, to: end },
          ]);
          i = end;
        }
      }
      return [...groups.values()].sort((a, b) => groupKey(a).localeCompare(groupKey(b)));
    },
    async *batches(_kind, group) {
      const where = `candles of ${group.market} (${group.venue}) on ${group.day}`;
      for (const { timeframe, series, from, to } of parts.get(groupKey(group)) ?? []) {
        const rows: Staged[][] = [];
        for (let i = from; i < to; i++) {
          const values = [series.open, series.high, series.low, series.close, series.volume].map(
            (column, k) =>
              checkDecimal(
                String(column[i]!),
                ["open", "high", "low", "close", "volume"][k]!,
                where,
              ),
          );
          rows.push([timeframe, BigInt(series.time[i]!) * 1000n, ...values, 0n]);
        }
        yield rows;
      }
    },
  };
}

/** The market's subject token, for the partition's directory. */
export function marketTokenOf(venue: string, market: string): string {
  return resolveKey({ venue, market, timeframe: "1m" }).token;
}
