/**
 * Recorded funding rates for a perpetual (venue file `funding.rates`): a CSV file whose rates the
 * simulator settles with instead of computing them from its own book.
 *
 * Rules:
 * - Two layouts are read, told apart by the header: Binance's public funding-rate files
 *   (data.binance.vision, `calc_time,funding_interval_hours,last_funding_rate`) and the plain
 *   `timestamp,fundingRate` that ccxt's fetchFundingRateHistory gives. Times are epoch ms.
 * - Rows must be in strictly increasing time; each rate is a decimal, exact at RATE_SCALE.
 * - A bad file is one issue naming the file, the line and what is wrong.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseRate } from "../derivatives/rate.js";

export interface RecordedRate {
  /** Epoch ms of the funding. */
  readonly time: number;
  /** RATE_SCALE fixed point. */
  readonly rate: bigint;
}

const LAYOUTS: ReadonlyArray<{ time: string; rate: string }> = [
  { time: "calc_time", rate: "last_funding_rate" },
  { time: "timestamp", rate: "fundingRate" },
];

/** The rates of `file` (relative to `baseDir`), or the reason it cannot be read. */
export function readFundingRates(file: string, baseDir: string): RecordedRate[] | string {
  const path = resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return `cannot read ${path}: ${(err as Error).message}`;
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  const layout = LAYOUTS.find((l) => header.includes(l.time) && header.includes(l.rate));
  if (layout === undefined) {
    return `${path}: the header must name calc_time and last_funding_rate (Binance's files) or timestamp and fundingRate`;
  }
  const at = header.indexOf(layout.time);
  const of = header.indexOf(layout.rate);
  const out: RecordedRate[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(",");
    const time = Number(cells[at]);
    if (!Number.isSafeInteger(time) || time < 0)
      return `${path}:${i + 1}: ${layout.time} must be epoch milliseconds, got ${JSON.stringify(cells[at])}`;
    const previous = out[out.length - 1];
    if (previous !== undefined && time <= previous.time)
      return `${path}:${i + 1}: times must increase (${time} after ${previous.time})`;
    let rate: bigint;
    try {
      rate = parseRate((cells[of] ?? "").trim(), layout.rate);
    } catch (err) {
      return `${path}:${i + 1}: ${(err as Error).message}`;
    }
    out.push({ time, rate });
  }
  if (out.length === 0) return `${path}: no rates`;
  return out;
}

/**
 * The recorded rate of the funding at `time`: the last one recorded at or before `time` plus a
 * minute (a recorded calc_time is a few ms after the hour), and after the previous funding;
 * undefined when none was recorded for it.
 */
export function recordedRateAt(
  rates: readonly RecordedRate[],
  time: number,
  intervalMs: number,
): bigint | undefined {
  let lo = 0;
  let hi = rates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rates[mid]!.time <= time + 60_000) lo = mid + 1;
    else hi = mid;
  }
  const found = rates[lo - 1];
  return found !== undefined && found.time > time - intervalMs + 60_000 ? found.rate : undefined;
}
