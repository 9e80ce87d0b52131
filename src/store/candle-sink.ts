/**
 * Recorded candles into the local column store, the embedded default: no server needed to record
 * to disk.
 *
 * Rules:
 * - A venue streams the forming candle again and again; only the latest version of each open time
 *   is kept, and a candle is written once it has closed (its open time plus its interval is at or
 *   before the clock). A later version of a written candle (a venue's correction) is written
 *   again and replaces it: the store's import overwrites a stored candle with the new values.
 * - Writes are batched: `flush` writes every closed candle taken since the last flush, per series.
 * - Memory is bounded: at most `capacity` unwritten candles per series; beyond it the oldest are
 *   written at once, closed or not (a forming candle written early is replaced when it closes).
 */
import { InvalidInputError } from "../domain/errors.js";
import { candleFromOHLCV, type OHLCV } from "../domain/market-data.js";
import { CandleSeries } from "./candle-series.js";
import type { CandleStore } from "./candle-store.js";

const MINUTE = 60_000;

export class CandleSink {
  readonly #pending = new Map<string, Map<number, OHLCV>>();
  #written = 0;

  constructor(
    private readonly store: CandleStore,
    private readonly capacity = 10_000,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new InvalidInputError("a candle sink's capacity must be a whole number above 0");
  }

  /** Candles written so far. */
  get written(): number {
    return this.#written;
  }

  /** Candle rows of `venue` `market` (1-minute), as a venue streams them. */
  take(venue: string, market: string, rows: readonly OHLCV[]): void {
    const key = `${venue}\u0000${market}`;
    let series = this.#pending.get(key);
    if (series === undefined) {
      series = new Map();
      this.#pending.set(key, series);
    }
    for (const row of rows) series.set(row[0], row);
    if (series.size > this.capacity)
      this.#write(key, series, Number.NEGATIVE_INFINITY, series.size - this.capacity);
  }

  /** Writes every candle closed at `now`; returns how many. */
  flush(now: number): number {
    let n = 0;
    for (const [key, series] of this.#pending) n += this.#write(key, series, now);
    return n;
  }

  #write(key: string, series: Map<number, OHLCV>, now: number, atLeast = 0): number {
    const opens = [...series.keys()].sort((a, b) => a - b);
    const due = opens.filter((t, i) => t + MINUTE <= now || i < atLeast);
    if (due.length === 0) return 0;
    const [venue = "", market = ""] = key.split("\u0000");
    const candles = due.map((t) => candleFromOHLCV(series.get(t)!));
    this.store.importCandles(CandleSeries.from(candles, MINUTE), {
      venue,
      market,
      timeframe: "1m",
    });
    for (const t of due) series.delete(t);
    this.#written += due.length;
    return due.length;
  }
}
