/**
 * A feed whose path points are pushed in from outside — a live venue's public trades — instead of
 * read from a data source. The simulator replays them like any other feed (`processUntil`), so
 * resting orders and stops meet them by the same rules as a recorded or synthetic path.
 *
 * Rules: a point's time never goes back (a trade stamped earlier than the one before is taken at
 * the earlier one's time); the feed closes no candles (candles come from the live venue itself);
 * it keeps the last RECENT points for `recentPath`.
 */
import { InternalError } from "../domain/errors.js";
import { CandleSeries } from "../store/candle-series.js";
import { type FeedEvent, type MarketFeed, PATH, type PathPoint } from "./feed.js";

const RECENT = 1_000;

export class LiveFeed implements MarketFeed {
  readonly candles = CandleSeries.from([], 60_000);
  readonly closedCount = 0;
  time = 0;
  price = 0;
  volume = 0;
  private queue: PathPoint[] = [];
  private head = 0;
  private lastTime = Number.NEGATIVE_INFINITY;
  private readonly recent: PathPoint[] = [];

  /** The market traded `volume` (base units) at `price` at `time`. */
  push(time: number, price: number, volume: number): void {
    this.lastTime = Math.max(this.lastTime, time);
    this.queue.push({ time: this.lastTime, price, volume });
  }

  nextTime(): number {
    return this.queue[this.head]?.time ?? Number.POSITIVE_INFINITY;
  }

  step(): FeedEvent {
    const point = this.queue[this.head++];
    if (point === undefined) throw new InternalError("stepped a live feed with nothing pushed");
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    this.time = point.time;
    this.price = point.price;
    this.volume = point.volume;
    this.recent.push(point);
    if (this.recent.length > 2 * RECENT) this.recent.splice(0, this.recent.length - RECENT);
    return PATH;
  }

  recentPath(limit: number): PathPoint[] {
    return this.recent.slice(-limit);
  }
}
