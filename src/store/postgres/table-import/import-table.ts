/**
 * `crypy data import postgres://… --table T --columns …`: an existing table (source-table.ts)
 * streamed into the local store or into crypy's PostgreSQL tables, a batch at a time.
 *
 * What lands where:
 * - trades: into PostgreSQL's `trades` (with --store postgres://…), and in either store as candles
 *   of the timeframe (default 1m) built from them, so a backtest can run on them;
 * - candles: as candles of the table's own timeframe (its most common step in the first batch) or
 *   the one given; every candle on that grid, as a file import demands;
 * - book snapshots: into PostgreSQL's `book_snapshots` (with --store); and, only when asked
 *   (`midCandles`: they would replace the series' trade candles), in either store as candles of
 *   the mid price (best bid and best ask averaged; volume 0: a book says nothing of trades) of the
 *   timeframe (default 1m), so a backtest can run on a depth table. A snapshot with an empty side
 *   has no mid and adds nothing to the candles.
 * Re-importing the same table writes nothing twice (the stores' idempotency keys).
 */

import { InvalidInputError } from "../../../domain/errors.js";
import { CandleBuilder } from "../../candle-builder.js";
import { CandleSeries, emptyColumns, timeProblem } from "../../candle-series.js";
import { openStore } from "../../candle-store.js";
import { commonStep } from "../../csv/candles-csv.js";
import { gridFloor, type ResolvedKey, resolveKey, timeframeName } from "../../series-key.js";
import { formatTime } from "../../time-text.js";
import { refreshCandleGaps } from "../candle-gaps.js";
import { connectPostgres, parsePostgresUrl } from "../connect.js";
import { fromPostgresError } from "../errors.js";
import { openPostgresStore, type PostgresStore } from "../store.js";
import { BOOK_SNAPSHOTS, CANDLES, type CandleRow, TRADES } from "../tables.js";
import type { WriteCounts } from "../write-batch.js";
import type { ColumnMapping, TableKind } from "./mapping.js";
import {
  type SourceBook,
  type SourceCandle,
  SourceTable,
  type SourceTrade,
} from "./source-table.js";

export interface TableImportRequest {
  /** The database holding the table. */
  url: string;
  table: string;
  mapping: ColumnMapping;
  venue: string;
  market: string;
  /** Candles: the table's own when absent; trades are aggregated to it (default 1m). */
  timeframe?: string | undefined;
  /** A postgres:// URL to write into; the local store when absent. */
  store?: string | undefined;
  /** The local store's root (default: crypy's data dir). */
  dataDir?: string | undefined;
  /** Book tables: also store candles of the mid price. */
  midCandles?: boolean | undefined;
  /** Rows per cursor fetch (default 10,000). */
  batchRows?: number;
}

export interface CandleCounts {
  timeframe: string;
  candles: number;
  added: number;
  /** Already stored with the same or different values (replaced, or left as they were). */
  existing: number;
}

export interface TableImportResult {
  kind: TableKind;
  table: string;
  venue: string;
  market: string;
  rows: number;
  /** How the times were read: `timestamptz`, `epoch µs`, … */
  timeReading: string;
  /** Epoch ms of the first and last row (NaN when none). */
  first: number;
  last: number;
  /** The rows of the table's own kind written into PostgreSQL (trades, book snapshots, candles). */
  written?: WriteCounts;
  /** The candles stored (candle tables, and candles built from trades). */
  candles?: CandleCounts;
}

const DEFAULT_TRADE_TIMEFRAME = "1m";

export async function importTable(request: TableImportRequest): Promise<TableImportResult> {
  const { mapping } = request;
  if (mapping.kind === "book" && request.store === undefined && request.midCandles !== true) {
    throw new InvalidInputError(
      "book snapshots go into PostgreSQL (--store postgres://…); the local store holds candles: " +
        "pass --mid-candles to store candles of the mid price",
    );
  }
  if (mapping.kind !== "book" && request.midCandles === true) {
    throw new InvalidInputError("--mid-candles applies to book tables only");
  }
  const source = connectPostgres(parsePostgresUrl(request.url).url, { max: 1 });
  const target = request.store === undefined ? undefined : await openPostgresStore(request.store);
  try {
    const table = await SourceTable.open(source, request.table, mapping, request.batchRows).catch(
      (err) => {
        throw fromPostgresError(err, request.url);
      },
    );
    const sink = new Sink(request, target);
    const result: TableImportResult = {
      kind: mapping.kind,
      table: request.table,
      venue: sink.venue,
      market: sink.market,
      rows: 0,
      timeReading: "",
      first: Number.NaN,
      last: Number.NaN,
    };
    for await (const batch of table.batches()) {
      if (batch.length === 0) continue;
      if (Number.isNaN(result.first)) result.first = batch[0]!.time;
      result.last = batch[batch.length - 1]!.time;
      if (mapping.kind === "trades") await sink.trades(batch as SourceTrade[]);
      else if (mapping.kind === "candles") await sink.candles(batch as SourceCandle[]);
      else await sink.books(batch as SourceBook[]);
    }
    await sink.finish();
    result.rows = table.rows;
    result.timeReading = table.timeReading;
    if (target !== undefined && mapping.kind !== "candles") result.written = sink.written;
    if (sink.candleCounts !== undefined) result.candles = sink.candleCounts;
    return result;
  } finally {
    await source.end({ timeout: 5 });
    await target?.close();
  }
}

/** Where the converted rows go, batch by batch. */
class Sink {
  readonly written: WriteCounts = { rows: 0, inserted: 0, replaced: 0, duplicates: 0 };
  candleCounts: CandleCounts | undefined;
  private key: ResolvedKey | undefined;
  private builder: CandleBuilder | undefined;
  private previousCandle = Number.NEGATIVE_INFINITY;
  readonly venue: string;
  readonly market: string;

  constructor(
    private readonly request: TableImportRequest,
    private readonly target: PostgresStore | undefined,
  ) {
    // Checked before any row is read: a bad venue or market costs no query.
    const checked = resolveKey({ ...request, timeframe: request.timeframe ?? "1m" });
    this.venue = checked.venue;
    this.market = checked.market;
    if (request.timeframe !== undefined || request.mapping.kind !== "candles") {
      this.key = resolveKey({
        ...checked,
        timeframe: request.timeframe ?? DEFAULT_TRADE_TIMEFRAME,
      });
    }
  }

  async trades(batch: SourceTrade[]): Promise<void> {
    if (this.target !== undefined) {
      const rows = batch.map((t) => ({
        venue: this.venue,
        market: this.market,
        tradeId: t.id,
        ...t,
      }));
      this.count(await this.target.write(TRADES, rows));
    }
    this.builder ??= new CandleBuilder(this.key!.intervalMs);
    for (const t of batch) this.builder.add(t.time, Number(t.price), Number(t.amount));
    await this.storeCandles(this.builder.takeClosed(), undefined);
  }

  async candles(batch: SourceCandle[]): Promise<void> {
    if (this.key === undefined) {
      const step = commonStep(Float64Array.from(batch, (c) => c.time));
      if (!(step > 0)) {
        throw new InvalidInputError(
          `table ${this.request.table}: cannot infer the candle interval from a single row; pass the timeframe`,
        );
      }
      this.key = resolveKey({
        venue: this.venue,
        market: this.market,
        timeframe: timeframeName(step),
      });
    }
    const { intervalMs } = this.key;
    const columns = emptyColumns(batch.length);
    batch.forEach((c, i) => {
      const problem =
        gridFloor(c.time, intervalMs) !== c.time
          ? `is not on the ${this.key!.timeframe} grid (candles open at whole multiples of their timeframe, UTC)`
          : i === 0
            ? timeProblem(this.previousCandle, c.time, intervalMs)
            : undefined;
      if (problem !== undefined) {
        throw new InvalidInputError(
          `table ${this.request.table}: the candle opening at ${formatTime(c.time, 1000)} ${problem}`,
        );
      }
      columns.time[i] = c.time;
      columns.open[i] = Number(c.open);
      columns.high[i] = Number(c.high);
      columns.low[i] = Number(c.low);
      columns.close[i] = Number(c.close);
      columns.volume[i] = Number(c.volume);
    });
    const series = new CandleSeries(columns, intervalMs);
    this.previousCandle = series.time[series.length - 1]!;
    // Into PostgreSQL as the table's own decimal text: exact.
    await this.storeCandles(series, batch);
  }

  async books(batch: SourceBook[]): Promise<void> {
    if (this.target !== undefined) {
      const rows = batch.map((b) => ({ venue: this.venue, market: this.market, ...b }));
      this.count(await this.target.write(BOOK_SNAPSHOTS, rows));
    }
    if (this.request.midCandles !== true) return;
    this.builder ??= new CandleBuilder(this.key!.intervalMs);
    for (const b of batch) {
      const mid = midPrice(b);
      if (mid !== undefined) this.builder.add(b.time, mid, 0);
    }
    await this.storeCandles(this.builder.takeClosed(), undefined);
  }

  async finish(): Promise<void> {
    if (this.builder !== undefined) await this.storeCandles(this.builder.finish(), undefined);
    if (this.target !== undefined && this.key !== undefined && this.candleCounts !== undefined) {
      await refreshCandleGaps(this.target.sql, this.key);
    }
  }

  private count(counts: WriteCounts): void {
    this.written.rows += counts.rows;
    this.written.inserted += counts.inserted;
    this.written.replaced += counts.replaced;
    this.written.duplicates += counts.duplicates;
  }

  private async storeCandles(
    series: CandleSeries,
    exact: SourceCandle[] | undefined,
  ): Promise<void> {
    if (series.length === 0) return;
    const key = this.key!;
    this.candleCounts ??= { timeframe: key.timeframe, candles: 0, added: 0, existing: 0 };
    const counts = this.candleCounts;
    counts.candles += series.length;
    if (this.target === undefined) {
      const r = openStore(this.request.dataDir).importCandles(series, key);
      counts.added += r.added;
      counts.existing += r.replaced + r.conflicting;
      return;
    }
    const rows: CandleRow[] = new Array(series.length);
    for (let i = 0; i < series.length; i++) {
      const c = exact?.[i];
      rows[i] = {
        venue: key.venue,
        market: key.market,
        timeframe: key.timeframe,
        openTime: series.time[i]!,
        open: c?.open ?? series.open[i]!,
        high: c?.high ?? series.high[i]!,
        low: c?.low ?? series.low[i]!,
        close: c?.close ?? series.close[i]!,
        volume: c?.volume ?? series.volume[i]!,
      };
    }
    const written = await this.target.write(CANDLES, rows);
    counts.added += written.inserted;
    counts.existing += written.rows - written.inserted;
  }
}

/** The mean of the best bid and the best ask, or undefined when a side is empty. */
function midPrice(book: SourceBook): number | undefined {
  if (book.bids.length === 0 || book.asks.length === 0) return undefined;
  let bid = Number.NEGATIVE_INFINITY;
  let ask = Number.POSITIVE_INFINITY;
  for (const [price] of book.bids) bid = Math.max(bid, Number(price));
  for (const [price] of book.asks) ask = Math.min(ask, Number(price));
  return (bid + ask) / 2;
}
