/**
 * Replay: recorded candles published on the bus as a live source would publish them, so actors
 * run on a recorded market as on a live one.
 *
 * Rules:
 * - The source is `replay-<venue>`: crypy.md.replay-<venue>.<market>.candle-<timeframe>. A Desk on
 *   a live or sandbox venue publishes under its own name and its Traders listen there, so none of
 *   them ever takes replayed data for live.
 * - Each candle goes out when it has closed — at its open time plus its interval on the replay's
 *   clock, which starts at the first candle's open and runs `speed` times the wall clock (`max`:
 *   no waiting) — numbered from 1 in time order: the same message a Desk publishes.
 */
import type { Bus } from "../bus/bus.js";
import { marketData } from "../bus/subjects.js";
import { InvalidInputError } from "../domain/errors.js";
import type { OHLCV } from "../domain/market-data.js";
import type { CandleSeries } from "./candle-series.js";

export interface ReplayOptions {
  venue: string;
  market: string;
  /** The series' timeframe name ("1m"). */
  timeframe: string;
  /** Simulated seconds per real second, or "max". */
  speed: number | "max";
  /** Stops the replay early (SIGINT). */
  signal?: AbortSignal;
  /** Waits `ms` of wall time (injected in tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** Publishes `series` on the bus; resolves with how many candles went out. */
export async function replayCandles(
  bus: Bus,
  series: CandleSeries,
  options: ReplayOptions,
): Promise<number> {
  const { speed } = options;
  if (speed !== "max" && !(speed > 0))
    throw new InvalidInputError(`--speed must be a positive number or max, got ${speed}`);
  const subject = marketData(
    `replay-${options.venue}`,
    options.market,
    `candle-${options.timeframe}`,
  );
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = series.length === 0 ? 0 : series.time[0]!;
  const wallStart = Date.now();
  let sent = 0;
  for (let i = 0; i < series.length; i++) {
    if (options.signal?.aborted === true) break;
    const closes = series.time[i]! + series.intervalMs;
    if (speed !== "max") {
      const due = wallStart + (closes - start) / speed;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    } else if (i % 1_000 === 999) {
      await bus.flush(); // a bounded backlog, whatever the bus
    }
    const candle: OHLCV = [
      series.time[i]!,
      series.open[i]!,
      series.high[i]!,
      series.low[i]!,
      series.close[i]!,
      series.volume[i]!,
    ];
    bus.publish(subject, { market: options.market, candle, seq: ++sent });
  }
  await bus.flush();
  return sent;
}
