/**
 * Closed candles out of a venue's candle stream. ccxt pro's `watchOHLCV` hands on the forming
 * candle again and again, each time a newer version of it; a subscriber of `candle-1m` wants each
 * candle once, closed, in time order (the shape the Desk and `crypy replay` publish).
 *
 * Rules:
 * - A candle is closed once a row with a later open time has been seen: the version held then is
 *   its final one (a venue sends a candle's last update before the next candle's first).
 * - The forming candle (the latest open time seen) is held, each version replacing the one
 *   before. Nothing says when it closes but the next candle, so the last candle of a stream is
 *   never given, and on a venue that streams only closed candles (the simulator) each candle is
 *   given when the next one arrives.
 * - Each closed candle is given once, in open-time order. A row at or before the last given open
 *   time (a repeat, a late correction, a backfill's overlap) is left out: a candle given stands.
 *   A row between the last given and the held one (a candle first seen in a backfill) is closed
 *   already, since a later one was seen, and is given at once.
 * - From a venue whose candles come closed (`forming: false`, Venue.streamsFormingCandles), every
 *   new row is closed and given at once; repeats are still left out.
 */
import type { OHLCV } from "./market-data.js";

export class ClosedCandles {
  #forming: OHLCV | undefined;
  #lastGiven: number | undefined;

  /** `forming`: the stream hands on forming candles (hold each until the next opens). */
  constructor(private readonly forming = true) {}

  /** The candles `rows` (one venue message, any order) closed, oldest first. */
  take(rows: readonly OHLCV[]): OHLCV[] {
    const closed: OHLCV[] = [];
    // A stable sort: versions of one open time keep their order, the latest last.
    for (const row of [...rows].sort((a, b) => a[0] - b[0])) {
      const open = row[0];
      if (this.#lastGiven !== undefined && open <= this.#lastGiven) continue;
      const forming = this.#forming;
      if (!this.forming) {
        if (this.#lastGiven === undefined || open > this.#lastGiven) closed.push(row);
        this.#lastGiven = open;
      } else if (forming === undefined || open === forming[0]) {
        this.#forming = row;
      } else if (open > forming[0]) {
        closed.push(forming);
        this.#lastGiven = forming[0];
        this.#forming = row;
      } else {
        closed.push(row);
        this.#lastGiven = open;
      }
    }
    return closed;
  }
}
