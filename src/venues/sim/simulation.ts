/**
 * A whole simulated venue, ready to use: its config, simulator, clock, gate and driver, and one
 * SimVenue connection per account. A backtest runs it on a VirtualClock (`run`); a live simulation
 * on a WallClock with a speed factor (`start`).
 *
 * @example
 * const simulation = await createSimulation(DEFAULT_VENUE_FILE);
 * const venue = simulation.venue("main");
 * await simulation.run({ until: simulation.clock.now() + 60_000 }); // a minute of market data
 * const order = await simulation.settle(venue.createOrder("BTC/USDT", "market", "buy", "0.01"));
 */
import { InvalidInputError, TimeoutError } from "../../domain/errors.js";
import {
  buildSimulator,
  DEFAULT_SYNTHETIC_MS,
  firstEventTime,
  loadFeeds,
} from "../../sim/build.js";
import { loadVenueConfig } from "../../sim/config/index.js";
import type { VenueConfig } from "../../sim/config/types.js";
import { RealtimeDriver, type RunOptions, runSettled, runVirtual } from "../../sim/driver.js";
import type { MarketFeed } from "../../sim/feed.js";
import { Random } from "../../sim/random.js";
import type { SavedExchange } from "../../sim/saved-state.js";
import type { SimListener, Simulator } from "../../sim/simulator.js";
import type { Clock } from "../../time/clock.js";
import { VirtualClock } from "../../time/virtual-clock.js";
import { WallClock } from "../../time/wall-clock.js";
import { SimGate } from "./gate.js";
import { SimVenue } from "./sim-venue.js";

export interface SimulationOptions {
  /**
   * "virtual" (default): time jumps from event to event. `{ speed }`: a live clock at that speed,
   * or the virtual clock with speed "max". `historyMs` (either clock): the clock starts that long
   * after the data does, and the market has that much past (closed candles a Desk can serve)
   * before anything runs.
   */
  clock?: "virtual" | { speed: number | "max"; historyMs?: number };
  /** How much synthetic data to generate per gbm market; default 30 days. */
  syntheticMs?: number;
  /** Use these feeds instead of the config's data sources (benchmarks, tests). */
  feeds?: ReadonlyMap<string, MarketFeed>;
  eventLog?: SimListener;
  /**
   * A state an earlier run saved (Simulator.save): the clock starts at its time (not `historyMs`
   * after the data), the market's past up to then happens at once, and then its balances and
   * orders are loaded. The market is not stored but replayed: the data is a function of the
   * config and its seed, so the path from the saved instant on is the one the earlier run would
   * have seen, resting orders included, and the candles a Desk serves go on without a seam.
   */
  resume?: SavedExchange;
}

export class Simulation {
  private readonly venues: SimVenue[] = [];
  private realtime: RealtimeDriver | undefined;

  constructor(
    readonly config: VenueConfig,
    readonly sim: Simulator,
    readonly clock: Clock,
    readonly gate: SimGate,
  ) {}

  /** A connection to the venue as `account` (default: the first account of the venue file). */
  venue(account = Object.keys(this.config.accounts)[0]): SimVenue {
    if (account === undefined)
      throw new InvalidInputError(`${this.config.file} declares no account`);
    const venue = new SimVenue(this.sim, this.gate, account);
    this.venues.push(venue);
    return venue;
  }

  /** Runs on the virtual clock until `until` or the end of the data. */
  run(options: RunOptions = {}): Promise<void> {
    if (!(this.clock instanceof VirtualClock)) {
      throw new InvalidInputError("run() needs a virtual clock; use start() with a live clock");
    }
    return runVirtual(this.sim, this.clock, options);
  }

  /**
   * Runs the virtual clock until `promise` settles — a venue request waits for latency timers, so
   * something has to move time — for at most `withinMs` of simulated time; returns its value or
   * throws its error.
   */
  async settle<T>(promise: Promise<T>, withinMs = 60_000): Promise<T> {
    let done = false;
    const outcome = promise.then(
      (value) => {
        done = true;
        return { ok: true as const, value };
      },
      (error: unknown) => {
        done = true;
        return { ok: false as const, error };
      },
    );
    await this.run({ until: this.clock.now() + withinMs, shouldStop: () => done });
    if (!done) {
      throw new TimeoutError(`the request did not settle within ${withinMs} ms of simulated time`);
    }
    const result = await outcome;
    if (!result.ok) throw result.error;
    return result.value;
  }

  /** Runs on the virtual clock, awaiting `settle` after every event (actors on a bus). */
  runSettled(settle: () => Promise<void>, options: RunOptions = {}): Promise<void> {
    if (!(this.clock instanceof VirtualClock)) {
      throw new InvalidInputError(
        "runSettled() needs a virtual clock; use start() with a live clock",
      );
    }
    return runSettled(this.sim, this.clock, settle, options);
  }

  /** Starts replaying in real time (scaled by the clock's speed); `stop()` ends it. */
  start(): RealtimeDriver {
    // What happened before the live clock's start (its history) happens at once.
    this.sim.processUntil(this.clock.now());
    this.realtime ??= new RealtimeDriver(this.sim, this.clock).start();
    return this.realtime;
  }

  async stop(): Promise<void> {
    this.realtime?.stop();
    await Promise.all(this.venues.map((v) => v.close()));
  }
}

export async function createSimulation(
  source: string | VenueConfig,
  options: SimulationOptions = {},
): Promise<Simulation> {
  const config = typeof source === "string" ? await loadVenueConfig(source) : source;
  const { resume } = options;
  // Resumed: synthetic data as long as asked for, counted from the saved instant. A seeded path
  // generated longer is the same path with more after it.
  const syntheticMs =
    resume === undefined
      ? options.syntheticMs
      : Math.max(0, resume.time - config.startMs) + (options.syntheticMs ?? DEFAULT_SYNTHETIC_MS);
  const feeds =
    options.feeds ?? (await loadFeeds(config, syntheticMs === undefined ? {} : { syntheticMs }));
  const start = firstEventTime(feeds);
  const startMs = Number.isFinite(start) ? start : config.startMs;
  const c = options.clock === undefined || options.clock === "virtual" ? undefined : options.clock;
  if (resume !== undefined && resume.time < startMs) {
    throw new InvalidInputError(
      `the saved state of ${config.name} is from ${new Date(resume.time).toISOString()}, before its data starts`,
    );
  }
  // A clock may start `historyMs` after the data does: the market has a past.
  const clockStart = resume?.time ?? startMs + (c?.historyMs ?? 0);
  const clock =
    c === undefined || c.speed === "max"
      ? new VirtualClock(clockStart)
      : new WallClock({ speed: c.speed, startMs: clockStart });
  const sim = buildSimulator(config, feeds, {
    clock,
    ...(options.eventLog === undefined ? {} : { eventLog: options.eventLog }),
  });
  if (resume !== undefined) {
    // The past first, with no order in the books: the saved orders had already lived through it.
    sim.processUntil(clockStart);
    sim.load(resume);
  } else if (clock instanceof VirtualClock && clockStart > startMs) {
    // On a virtual clock the history happens now, at once (a live clock's happens in start()).
    sim.processUntil(clockStart);
  }
  const random = new Random(config.seed);
  const gate = new SimGate(config, random.fork("latency"), random.fork("faults"));
  return new Simulation(config, sim, clock, gate);
}
