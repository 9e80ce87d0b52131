/**
 * Two crypy processes on one venue address — a Desk and a Recorder, each its own real ccxt binance
 * client and its own NATS connection — against `crypy venue serve` with a small request-weight
 * limit: spending one budget over a real NATS server, together they never meet a 429; each on a
 * budget of its own, the same work passes the venue's limit and is refused.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { binanceDepthEndpoints } from "../../../src/actors/recorder/binance-depth-wire.js";
import { NatsBus } from "../../../src/bus/nats/nats-bus.js";
import { RateLimitError } from "../../../src/domain/errors.js";
import { WallClock } from "../../../src/time/wall-clock.js";
import { startVenueServer, type VenueServer } from "../../../src/venue-server/server.js";
import {
  budgetKey,
  SharedBudget,
  serveBudget,
  WeightWindow,
  WindowBudget,
} from "../../../src/venues/budget/index.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import { createSimulation, type Simulation } from "../../../src/venues/sim/simulation.js";
import { type NatsServer, startNatsServer } from "../../harness/nats-server.js";
import { writeVenueFile } from "../../support/venue-file.js";

/** The venue's limit: 40 of Binance's weight per 3 s window; klines of 200 rows weigh 2. */
const WINDOW_MS = 3_000;
const VENUE_WEIGHT = 40;
/**
 * The same limit in ccxt's cost units, which crypy's budget counts: ccxt's binance costs are a
 * fifth of Binance's weights (its 1,200 a minute stands for Binance's 6,000), klines 0.4.
 */
const LIMIT = { weight: VENUE_WEIGHT / 5, windowMs: WINDOW_MS };
const KLINES_COST = 0.4;
/** Each process's klines requests: 15 × 2 = 30 weight each, 60 together, over one window's 40. */
const CALLS = 15;
const SYMBOL = "BTC/USDT";

let dir: string;
let nats: NatsServer;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-budget-"));
  nats = await startNatsServer({ jetstream: false });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await nats?.cleanup();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function serve(): Promise<VenueServer> {
  const file = await writeVenueFile(dir, {
    latency: { fixedMs: 0, jitterMs: 0 },
    rateLimit: { requests: VENUE_WEIGHT, windowMs: WINDOW_MS },
  });
  const simulation: Simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 2 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0 });
  closers.push(
    () => simulation.stop(),
    () => server.close(),
  );
  return server;
}

async function binance(server: VenueServer): Promise<CcxtVenue> {
  const api = `${server.url}/api/v3`;
  const venue = await CcxtVenue.open({
    exchange: "binance",
    urls: { api: { public: api, private: api } },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
    requestWeight: LIMIT,
  });
  closers.push(() => venue.close());
  return venue;
}

/** Both load their markets, then wait for a fresh window of the venue's (aligned to the epoch). */
async function ready(a: CcxtVenue, b: CcxtVenue): Promise<void> {
  await a.loadMarkets();
  await b.loadMarkets();
  const next = Math.ceil(Date.now() / WINDOW_MS) * WINDOW_MS + 50;
  await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
}

/** Each venue asks for klines CALLS times, one after another, both at once; what was refused. */
async function hammer(a: CcxtVenue, b: CcxtVenue): Promise<unknown[]> {
  const refused: unknown[] = [];
  const run = async (venue: CcxtVenue) => {
    for (let i = 0; i < CALLS; i++) {
      await venue.fetchOHLCV(SYMBOL, "1m", undefined, 200).catch((err: unknown) => {
        refused.push(err);
      });
    }
  };
  await Promise.all([run(a), run(b)]);
  return refused;
}

describe("venue budget - a Desk and a Recorder on one address", () => {
  it("venue budget - spending the budget the Desk serves over NATS, neither meets a 429", async () => {
    const server = await serve();
    const desk = await binance(server);
    const recorder = await binance(server);
    const deskBus = await NatsBus.connect(nats.url);
    const recorderBus = await NatsBus.connect(nats.url);
    closers.push(
      () => deskBus.close(),
      () => recorderBus.close(),
    );
    const clock = new WallClock();
    const key = budgetKey("binance", { api: { public: server.url } });
    const window = new WeightWindow(desk.requestWeightLimit);
    serveBudget(deskBus, key, window, clock);
    await recorderBus.flush();
    await ready(desk, recorder);

    const deskBudget = new WindowBudget(window, clock);
    desk.useBudget(deskBudget);
    const shared = new SharedBudget({ bus: recorderBus, key, limit: LIMIT, clock });
    recorder.useBudget(shared);
    expect(await hammer(desk, recorder)).toEqual([]);
    // Both spent the one window, and the sum made them wait.
    expect(shared.mode).toBe("shared");
    expect(shared.stats.shared).toBeCloseTo(CALLS * KLINES_COST, 6);
    expect(deskBudget.stats.spent).toBeCloseTo(CALLS * KLINES_COST, 6);
    expect(deskBudget.stats.waits + shared.stats.waits).toBeGreaterThan(0);
  });

  it("venue budget - each on a budget of its own, the same work passes the venue's limit and is refused", async () => {
    const server = await serve();
    const desk = await binance(server);
    const recorder = await binance(server);
    await ready(desk, recorder);
    const clock = new WallClock();
    desk.useBudget(new WindowBudget(new WeightWindow(LIMIT), clock));
    recorder.useBudget(new WindowBudget(new WeightWindow(LIMIT), clock));
    const refused = await hammer(desk, recorder);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toBeInstanceOf(RateLimitError);
  });

  it("venue budget - the Recorder's raw depth snapshot, fetched outside ccxt, spends the same budget", async () => {
    const server = await serve();
    const recorder = await binance(server);
    const market = (await recorder.loadMarkets())[SYMBOL]!;
    const budget = new WindowBudget(
      new WeightWindow({ weight: 1_200, windowMs: 60_000 }),
      new WallClock(),
    );
    recorder.useBudget(budget);
    const endpoints = binanceDepthEndpoints(recorder, market);
    expect(endpoints?.rule).toBe("spot");
    await endpoints!.weigh!();
    // Binance weighs a 1,000-level spot depth 50; ccxt's unit is a fifth of it.
    expect(budget.stats.spent).toBe(10);
  });
});
