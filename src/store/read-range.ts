/**
 * Range reads: plan from the index which chunks overlap the range, read those (one read each, in
 * parallel), binary-search the bounds in the first and last, and hand back their columns — views
 * when one chunk holds the whole range, one copy into fresh columns otherwise. Resampling, when
 * asked for, widens the range to whole buckets first, so every resampled candle is built from all
 * of its stored candles and is selected by its own open time.
 */

import { join } from "node:path";
import { InvalidInputError } from "../domain/errors.js";
import { parseTimeframe } from "../domain/timeframe.js";
import { type CandleColumns, CandleSeries, emptyColumns } from "./candle-series.js";
import { readChunk } from "./chunk-file.js";
import { listSeries } from "./list-series.js";
import { resample } from "./resample.js";
import { loadIndex, type StoredSeries, storedSeries } from "./series-index.js";
import {
  describeKey,
  gridFloor,
  type ResolvedKey,
  seriesDir,
  timeframeName,
} from "./series-key.js";
import { formatTime } from "./time-text.js";

/** Open times, epoch ms, both inclusive. */
export interface ReadRange {
  from?: number;
  to?: number;
}

export async function readRange(
  root: string,
  key: ResolvedKey,
  range: ReadRange,
  timeframe: string | undefined,
): Promise<CandleSeries> {
  const dir = seriesDir(root, key);
  const index = await loadIndex(dir, key);
  const stored = index === undefined ? undefined : storedSeries(index);
  if (index === undefined || stored === undefined) throw await unknownSeries(root, key);
  const targetMs = timeframe === undefined ? key.intervalMs : parseTimeframe(timeframe);
  if (targetMs < key.intervalMs || targetMs % key.intervalMs !== 0) {
    throw new InvalidInputError(
      `cannot resample ${describeKey(key)} to ${timeframe}: ${timeframeName(targetMs)} is not a ` +
        `multiple of ${key.timeframe}`,
    );
  }
  const [lo, hi] = rawBounds(range, targetMs);

  const overlapping = index.chunks.filter((chunk) => chunk.to >= lo && chunk.from <= hi);
  const chunks = await Promise.all(
    overlapping.map((entry) => readChunk(join(dir, entry.file), key.intervalMs)),
  );
  const parts = chunks.map((chunk) => {
    const { time } = chunk.columns;
    const a = lowerBound(time, lo);
    const b = lowerBound(time, hi, true);
    return sliceColumns(chunk.columns, a, b);
  });
  const columns = parts.length === 1 ? parts[0]! : concatColumns(parts);
  if (columns.time.length === 0) throw emptyRange(key, range, stored);
  const series = new CandleSeries(columns, key.intervalMs);
  return targetMs === key.intervalMs ? series : resample(series, targetMs);
}

/** The stored open times [lo, hi] (inclusive) whose candles make up the requested range. */
function rawBounds(range: ReadRange, targetMs: number): [number, number] {
  const { from, to } = range;
  for (const [name, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value))) {
      throw new InvalidInputError(`range: '${name}' must be a time in epoch ms, got ${value}`);
    }
  }
  if (from !== undefined && to !== undefined && from > to) {
    throw new InvalidInputError(
      `range: from ${formatTime(from, 1000)} is after to ${formatTime(to, 1000)}`,
    );
  }
  let lo = from ?? Number.NEGATIVE_INFINITY;
  let hi = to ?? Number.POSITIVE_INFINITY;
  // A resampled candle is in range by its own open time, and is built from all of its bucket.
  if (from !== undefined) {
    const bucket = gridFloor(from, targetMs);
    lo = bucket === from ? from : bucket + targetMs;
  }
  if (to !== undefined) hi = gridFloor(to, targetMs) + targetMs - 1;
  return [lo, hi];
}

/** First index with time >= value (or > value when `after`). */
function lowerBound(time: Float64Array, value: number, after = false): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! < value || (after && time[mid] === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sliceColumns(c: CandleColumns, a: number, b: number): CandleColumns {
  return {
    time: c.time.subarray(a, b),
    open: c.open.subarray(a, b),
    high: c.high.subarray(a, b),
    low: c.low.subarray(a, b),
    close: c.close.subarray(a, b),
    volume: c.volume.subarray(a, b),
  };
}

function concatColumns(parts: readonly CandleColumns[]): CandleColumns {
  let n = 0;
  for (const part of parts) n += part.time.length;
  const out = emptyColumns(n);
  let at = 0;
  for (const part of parts) {
    for (const name of ["time", "open", "high", "low", "close", "volume"] as const) {
      out[name].set(part[name], at);
    }
    at += part.time.length;
  }
  return out;
}

function emptyRange(key: ResolvedKey, range: ReadRange, stored: StoredSeries): InvalidInputError {
  const show = (t: number | undefined, open: string) =>
    t === undefined ? open : formatTime(t, key.intervalMs);
  return new InvalidInputError(
    `no candles of ${describeKey(key)} from ${show(range.from, "the start")} to ` +
      `${show(range.to, "the end")}; stored: ${formatTime(stored.first, key.intervalMs)} → ` +
      `${formatTime(stored.last, key.intervalMs)}`,
  );
}

/** The error for a series with nothing stored, naming what is stored for its market. */
async function unknownSeries(root: string, key: ResolvedKey): Promise<InvalidInputError> {
  const market = `${key.market} (${key.venue})`;
  const others = (await listSeries(root)).filter(
    (s) => s.venue === key.venue && s.market === key.market,
  );
  const stored =
    others.length === 0
      ? `nothing is stored for ${market}`
      : `stored for ${market}: ${others
          .map((s) => `${s.timeframe} ${formatTime(s.first)} → ${formatTime(s.last)}`)
          .join(", ")}`;
  return new InvalidInputError(`no candles stored for ${describeKey(key)}; ${stored}`);
}
