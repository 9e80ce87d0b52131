/**
 * Drivers move time for a simulator.
 *
 * - `runVirtual` (backtests): jumps from event to event on a VirtualClock — the next market event
 *   or the next timer (request latency, …), whichever comes first. It yields one macrotask, so the
 *   code that reacts (awaiting a watch, an order's reply) runs before time moves on, when a timer
 *   fired (a SimVenue delivers watches and replies on timers) or an order, fill, balance or trade
 *   event was told to a listener. Market data told to listeners (candle closes, path points) is
 *   delivered synchronously, every event in time order with the clock at its time, and yields only
 *   once per `yieldEvery` deliveries: a listener reacts in the listener itself or through the
 *   clock, so a yield per close (≈2.5 µs, ten times a close's own cost) bought nothing. With nobody
 *   listening it never yields, which is what makes a bare replay fast.
 * - `RealtimeDriver` (live simulation): on a WallClock with a speed factor, processes each market
 *   event when the clock reaches its time (1× = real time, 60× = a simulated minute per second).
 */
import { InvalidInputError } from "../domain/errors.js";
import type { Clock, TimerHandle } from "../time/clock.js";
import type { VirtualClock } from "../time/virtual-clock.js";
import type { Simulator } from "./simulator.js";

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RunOptions {
  /** Stop at this simulated time (inclusive); default: when the data and the timers run out. */
  until?: number;
  /** Checked between events; return true to stop early. */
  shouldStop?: () => boolean;
  /**
   * runVirtual: market-data deliveries (candle closes, path points told to a listener) between two
   * yields to the event loop; default 1,000. 1 yields after each, for a listener that hands market
   * data to code reacting asynchronously without the clock (then it runs before time moves on).
   */
  yieldEvery?: number;
}

/** Market-data deliveries between yields: a macrotask per ~1,000 costs under 1% of a replay. */
export const YIELD_EVERY = 1_000;

export async function runVirtual(
  sim: Simulator,
  clock: VirtualClock,
  options: RunOptions = {},
): Promise<void> {
  const until = options.until ?? Number.POSITIVE_INFINITY;
  const yieldEvery = options.yieldEvery ?? YIELD_EVERY;
  if (!Number.isInteger(yieldEvery) || yieldEvery < 1) {
    throw new InvalidInputError(
      `yieldEvery must be a whole number of at least 1, got ${yieldEvery}`,
    );
  }
  for (;;) {
    const outcome = runUntilReaction(sim, clock, until, options.shouldStop, yieldEvery);
    if (outcome === STOPPED) return;
    if (outcome === FINISHED) break;
    await macrotask();
  }
  if (Number.isFinite(until) && until > clock.now()) clock.advanceTo(until);
}

const REACTED = 0;
const STOPPED = 1;
const FINISHED = 2;
type Outcome = typeof REACTED | typeof STOPPED | typeof FINISHED;

/**
 * Processes market events and timers in time order until a timer fired or a trading event was told
 * to a listener or `yieldEvery` market-data deliveries were made (REACTED: let the reactions run,
 * then call again), `shouldStop` said so (STOPPED), or nothing is left at or before `until`
 * (FINISHED). Synchronous and apart from the async loop above, so a replay runs as one tight loop.
 */
function runUntilReaction(
  sim: Simulator,
  clock: VirtualClock,
  until: number,
  shouldStop: (() => boolean) | undefined,
  yieldEvery: number,
): Outcome {
  let marketData = 0;
  for (;;) {
    if (shouldStop?.()) return STOPPED;
    const marketAt = sim.nextEventTime();
    const timerAt = clock.pending === 0 ? Number.POSITIVE_INFINITY : clock.nextTimerAt()!;
    if (timerAt <= marketAt) {
      if (timerAt > until || timerAt === Number.POSITIVE_INFINITY) return FINISHED;
      clock.runNext();
      return REACTED;
    }
    if (marketAt > until) return FINISHED;
    clock.advanceTo(marketAt);
    const trading = sim.tradingEventsDelivered;
    if (sim.processUntil(marketAt)) {
      if (sim.tradingEventsDelivered !== trading || ++marketData >= yieldEvery) return REACTED;
    }
  }
}

export class RealtimeDriver {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private finish!: () => void;
  /** Resolves when the data runs out or `stop()` is called. */
  readonly done: Promise<void>;

  constructor(
    private readonly sim: Simulator,
    private readonly clock: Clock,
  ) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  start(): this {
    this.schedule();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.finish();
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = this.sim.nextEventTime();
    if (next === Number.POSITIVE_INFINITY) {
      this.stop();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.sim.processUntil(this.clock.now());
      this.schedule();
    }, next - this.clock.now());
  }
}

/**
 * Like runVirtual, for a whole system of actors on a bus: after every market event or timer it
 * awaits `settle` (e.g. three rounds of bus flush + macrotask), so that chains of messages —
 * candle → signal → order request → reply — complete before time moves on.
 */
export async function runSettled(
  sim: Simulator,
  clock: VirtualClock,
  settle: () => Promise<void>,
  options: RunOptions = {},
): Promise<void> {
  const until = options.until ?? Number.POSITIVE_INFINITY;
  for (;;) {
    // Messages already sent (a request that will set a timer) go first: time moves only after.
    await settle();
    if (options.shouldStop?.() === true) return;
    const marketAt = sim.nextEventTime();
    const timerAt = clock.nextTimerAt() ?? Number.POSITIVE_INFINITY;
    const next = Math.min(marketAt, timerAt);
    if (next > until || next === Number.POSITIVE_INFINITY) break;
    if (timerAt <= marketAt) clock.runNext();
    else {
      clock.advanceTo(marketAt);
      sim.processUntil(marketAt);
    }
  }
  if (Number.isFinite(until) && until > clock.now()) clock.advanceTo(until);
}
