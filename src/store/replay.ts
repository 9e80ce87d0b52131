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
import type { CandleSeries } from "./candle-series.js";
import { candleMessages } from "./replay-sources.js";
import { replayStreams } from "./replay-streams.js";

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
  const { venue, market, timeframe, speed, signal, sleep } = options;
  const counts = await replayStreams(bus, [candleMessages(series, { venue, market, timeframe })], {
    speed,
    ...(series.length === 0 ? {} : { start: series.time[0]! }),
    ...(signal === undefined ? {} : { signal }),
    ...(sleep === undefined ? {} : { sleep }),
  });
  return counts.sent;
}
