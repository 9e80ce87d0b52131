/**
 * One size of `bench actors`, in a process of its own (`node dist/bench/actors/child.js
 * <traders>`, compiled by `npm run build`), so one size's memory does not inflate the other's. See
 * index.ts for what is measured; this file sets the system up, drives it and checks it.
 *
 * In the process: a simulated venue (market.ts) behind a real Desk (its cache, its order gateway:
 * mandate and order signatures, risk limits, the venue), a stub Holder that accepts every proposal
 * with a real mandate signed by a key the Desk trusts, and the Traders on one LocalBus with one
 * clock (the venue's live clock, as `crypy sim` runs). Each Trader lives its whole life up to
 * trading: warm-up from the Desk's cache, evaluation (two backtests through the full simulator),
 * proposal, acceptance. A tenth of them then enter through the Desk, by the Trader's `enter`
 * command run as an operator would (a market buy: signed order, the gateway's checks, a fill at
 * the venue, the report back into the Trader's position). Then the live market runs.
 */
import { writeHeapSnapshot } from "node:v8";
import type { Caller } from "../../src/actors/commands/types.js";
import { Desk } from "../../src/actors/desk/desk.js";
import { KeyRing } from "../../src/actors/identity/key-ring.js";
import { HolderKeys } from "../../src/actors/mandate.js";
import { Trader } from "../../src/actors/trader/trader.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { holderProposal, marketData } from "../../src/bus/subjects.js";
import { parseDecimal } from "../../src/domain/fixed.js";
import { createLogger } from "../../src/log/logger.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { elapsedSeconds, nowNs } from "../report.js";
import { countedSmaCross, counts, exitChecks } from "./counters.js";
import {
  DESK,
  HISTORY,
  historyFeeds,
  LiveMarket,
  MARKETS,
  type Message,
  marketOf,
  TICKERS_PER_CANDLE,
  venueConfig,
} from "./market.js";

const HOLDER = "sim-main_USDT";
/** Traders started at once; each batch is trading-ready before the next starts. */
const BATCH = 500;
/** Entries sent to the Desk at once. */
const ENTRY_BATCH = 100;
/** A tenth of the Traders hold a position. */
const HOLDING_EVERY = 10;
const ROUNDS = Number(process.env.BENCH_ACTORS_ROUNDS ?? 5);
/** Deliveries per timed round (messages × the Traders subscribed to each). */
const DELIVERIES_PER_ROUND = 1_200_000;
const MIB = 1024 * 1024;
const OPERATOR: Caller = { who: "bench operator", role: "operator" };

export interface Phase {
  name: string;
  /** Seconds since the child started. */
  at: number;
  /** Resident now, and the process's peak so far (the kernel's high-water mark). */
  rssMiB: number;
  peakMiB: number;
}

export interface ChildResult {
  traders: number;
  holders: number;
  /** How the holders' stop losses are held ("native": a stop order each at the venue). */
  stop: string;
  /** Stop orders resting at the venue after the entries. */
  restingStops: number;
  phases: Phase[];
  /** The kernel's peak resident set size of the whole run: the figure held to the goal. */
  peakRssMiB: number;
  /** The highest rss sampled every 50 ms (a check on the kernel's figure, never above it). */
  sampledPeakMiB: number;
  /** V8's heap in use at the end, no collection forced: for context. */
  heapUsedMiB: number;
  deliveriesPerRound: number;
  minutesPerRound: number;
  traderRates: number[];
  floorRates: number[];
  /** Every check that failed, in words; empty when the run is as expected. */
  problems: string[];
  seconds: number;
}

const kernelPeakMiB = () => process.resourceUsage().maxRSS / 1024;

async function child(size: number): Promise<ChildResult> {
  const began = nowNs();
  let sampled = 0;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss());
  }, 50);
  sampler.unref();
  const phases: Phase[] = [];
  const phase = (name: string) => {
    const rss = process.memoryUsage.rss();
    sampled = Math.max(sampled, rss);
    phases.push({
      name,
      at: elapsedSeconds(began),
      rssMiB: rss / MIB,
      peakMiB: kernelPeakMiB(),
    });
    // Profiling only (a snapshot collects garbage and costs memory): "<dir>:<phase>,<phase>".
    const [dir, at] = (process.env.BENCH_ACTORS_HEAP_SNAPSHOTS ?? "").split(":");
    if (dir && at?.split(",").includes(name))
      writeHeapSnapshot(`${dir}/actors-${size}-${name}.heapsnapshot`);
  };
  const problems: string[] = [];
  phase("modules");

  // The venue, its Desk and the Holder, as far as a Trader sees it.
  // As `crypy sim` logs: info and up, JSON lines on stderr (nothing is logged on the paths run).
  const log = createLogger({ level: "info", pretty: false });
  const simulation = await createSimulation(venueConfig(), {
    feeds: historyFeeds(),
    clock: { speed: 1, historyMs: HISTORY * 60_000 },
  });
  simulation.start();
  const clock = simulation.clock;
  const venue = simulation.venue("main");
  const bus = new LocalBus({ logger: log });
  const markets = Array.from({ length: MARKETS }, (_, m) => marketOf(m));
  const desk = new Desk(
    {
      id: DESK,
      venue,
      watch: markets,
      risk: {
        maxOrderNotional: "1000",
        maxPositionNotional: "1000000",
        maxDailyLoss: "1000000",
        maxOrdersPerSecond: 1_000_000,
      },
      assetDecimals: Object.fromEntries([
        ["USDT", 8] as const,
        ...markets.map((_, m) => [`M${m}`, 8] as const),
      ]),
      cacheCandles: HISTORY,
      // As `crypy sim` does: the venue file's rules (stop orders) make the Desk's capabilities.
      venueRules: simulation.config,
    },
    { bus, clock, log },
  );
  const holderKeys = HolderKeys.generate();
  desk.trustHolder(HOLDER, holderKeys.publicKey);
  await desk.start();
  const ring = KeyRing.inMemory();
  bus.serve<{ trader: string; market: string }>(holderProposal(DESK, "USDT"), (p) => ({
    accepted: true,
    allocation: "100.00",
    mandate: holderKeys.sign(
      {
        trader: p.trader,
        traderKey: ring.keys(p.trader).publicKey,
        desk: DESK,
        market: p.market,
        sides: ["buy", "sell"],
        maxNotional: "100.00",
        // Whole ms: a WallClock's now() is fractional, and a mandate's expiry must be whole.
        expiresAt: Math.floor(clock.now()) + 365 * 86_400_000,
        nonce: `bench-${p.trader}`,
      },
      HOLDER,
    ),
  }));
  const live = new LiveMarket(await venue.fetchTicker(markets[0]!));
  await bus.flush();
  phase("desk");

  // The Traders: 100 per market at 10,000, each its own identity, as live.
  const traders: Trader[] = [];
  const holding = (i: number) => Math.floor(i / MARKETS) % HOLDING_EVERY === 0;
  for (let from = 0; from < size; from += BATCH) {
    const batch: Trader[] = [];
    for (let i = from; i < Math.min(size, from + BATCH); i++) {
      const m = i % MARKETS;
      const id = `${DESK}_M${m}-USDT_${i}`;
      const trader = new Trader(
        {
          id,
          market: marketOf(m),
          desk: DESK,
          asset: "USDT",
          holder: HOLDER,
          candidates: [{ strategy: countedSmaCross, params: { fast: 5, slow: 20 } }],
          warmupCandles: 60,
          inSampleFraction: 0.7,
          objective: "sharpe",
          stopLossPct: 10,
          takeProfitPct: 20,
          venue: simulation.config,
          keys: ring.keys(id),
          sequence: ring.counter(id, "order-seq"),
          // What a Holder gives its Traders: the Desk's capabilities (a stop held at the venue).
          ...(desk.capabilities === undefined ? {} : { capabilities: desk.capabilities }),
        },
        { bus, clock, log },
      );
      void trader.run();
      batch.push(trader);
    }
    while (batch.some((t) => t.state !== "entering")) {
      const stuck = batch.find((t) => t.state === "ended" || t.state === "failed");
      if (stuck !== undefined) {
        const end = await stuck.ended;
        throw new Error(`bench actors: ${stuck.id} ended early: ${JSON.stringify(end)}`);
      }
      await bus.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    traders.push(...batch);
  }
  phase("traders");

  // A fresh ticker on every market, then a tenth of the Traders buy through the Desk.
  await publish(bus, live.tickers());
  const holders = traders.filter((_, i) => holding(i));
  const held = new Map<Trader, bigint>();
  for (let from = 0; from < holders.length; from += ENTRY_BATCH) {
    const batch = holders.slice(from, from + ENTRY_BATCH);
    const outcomes = await Promise.all(batch.map((t) => t.commandSet.run("enter", [], OPERATOR)));
    outcomes.forEach((outcome, k) => {
      const t = batch[k]!;
      if (!outcome.ok) problems.push(`${t.id}: enter failed: ${outcome.code}: ${outcome.message}`);
      else held.set(t, parseDecimal(String((outcome.value as { held: unknown }).held), 8));
    });
  }
  // Each holder's stop loss goes to the venue after its entry: wait for them (a few seconds).
  const waitUntil = Date.now() + 30_000;
  let open = (await venue.fetchOpenOrders()).length;
  while (open < holders.length && Date.now() < waitUntil) {
    await bus.flush();
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
    open = (await venue.fetchOpenOrders()).length;
  }
  if (traders[0]!.stop.mechanism === "native" && open !== holders.length)
    problems.push(
      `${open} stop orders rest at the venue, expected one per holder (${holders.length})`,
    );
  const balances = await venue.fetchBalance();
  for (let m = 0; m < MARKETS; m++) {
    let sum = 0n;
    for (const [t, q] of held) if (t.id.startsWith(`${DESK}_M${m}-`)) sum += q;
    const atVenue = parseDecimal(balances[`M${m}`]?.total ?? "0", 8);
    if (sum !== atVenue || sum === 0n)
      problems.push(`${marketOf(m)}: the Traders hold ${sum}, the venue account ${atVenue} (1e-8)`);
  }
  phase("entries");

  // The floor: the same market-data subscriptions on a bus of their own, callbacks that count.
  const floorBus = new LocalBus({ logger: log });
  let floorCount = 0;
  const count = () => {
    floorCount++;
  };
  for (let i = 0; i < size; i++) {
    const m = i % MARKETS;
    floorBus.subscribe(marketData(DESK, marketOf(m), "candle-1m"), count);
    floorBus.subscribe(marketData(DESK, marketOf(m), "ticker"), count);
  }
  phase("floor");
  const promoted = await sampleSurvivors(process.env.BENCH_ACTORS_SURVIVORS);

  // The live market: one round untimed (warm-up), then ROUNDS timed ones, Traders then floor.
  const perMarket = size / MARKETS;
  const perMinute = MARKETS * (TICKERS_PER_CANDLE + 1) * perMarket;
  const minutesPerRound = Math.max(1, Math.round(DELIVERIES_PER_ROUND / perMinute));
  const deliveriesPerRound = minutesPerRound * perMinute;
  const traderDeliveries = () => counts.candles + counts.tickers;
  const traderRates: number[] = [];
  const floorRates: number[] = [];
  let tickersPerMarket = 0;
  // What the entries' fills made the Desk publish is not the market below: its checks start here.
  exitChecks.clear();
  for (let r = 0; r <= ROUNDS; r++) {
    const messages = live.minutes(minutesPerRound);
    const updates = counts.updates;
    const candles = counts.candles;
    const ours = await timed(bus, messages, traderDeliveries);
    const theirs = await timed(floorBus, messages, () => floorCount);
    tickersPerMarket += minutesPerRound * TICKERS_PER_CANDLE;
    if (ours.delivered !== deliveriesPerRound || theirs.delivered !== deliveriesPerRound)
      problems.push(
        `round ${r}: ${ours.delivered} deliveries to the Traders and ${theirs.delivered} to the floor, expected ${deliveriesPerRound} each`,
      );
    if (counts.updates - updates !== counts.candles - candles)
      problems.push(
        `round ${r}: ${counts.candles - candles} candles delivered but ${counts.updates - updates} strategy updates`,
      );
    if (r > 0) {
      traderRates.push(ours.rate);
      floorRates.push(theirs.rate);
    }
  }
  phase("rounds");
  await promoted?.();

  // Every holder checked its exits on every ticker of its market; every Trader is where it was.
  if (exitChecks.size !== holders.length)
    problems.push(`${exitChecks.size} positions checked their exits, expected ${holders.length}`);
  const short = [...exitChecks.values()].filter((n) => n !== tickersPerMarket).length;
  if (short > 0)
    problems.push(
      `${short} positions did not check their exits on each of ${tickersPerMarket} tickers`,
    );
  for (const [i, t] of traders.entries()) {
    const want = holding(i) ? "inPosition" : "entering";
    if (t.state !== want) problems.push(`${t.id} is ${t.state}, expected ${want}`);
  }
  clearInterval(sampler);
  return {
    traders: size,
    holders: holders.length,
    stop: traders[0]!.stop.mechanism,
    restingStops: open,
    phases,
    peakRssMiB: kernelPeakMiB(),
    sampledPeakMiB: sampled / MIB,
    heapUsedMiB: process.memoryUsage().heapUsed / MIB,
    deliveriesPerRound,
    minutesPerRound,
    traderRates,
    floorRates,
    problems: problems.slice(0, 20),
    seconds: elapsedSeconds(began),
  };
}

/**
 * Profiling only: samples what the rounds allocate that outlives a young-generation collection
 * (what is then old-generation garbage), written as a .heapprofile to `file`.
 */
async function sampleSurvivors(
  file: string | undefined,
): Promise<(() => Promise<void>) | undefined> {
  if (file === undefined) return undefined;
  const { Session } = await import("node:inspector");
  const { writeFileSync } = await import("node:fs");
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post("HeapProfiler.startSampling", {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
  });
  return async () => {
    const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
  };
}

/**
 * Publishes `messages` a market-second at a time — one message per market, the Desk's rate — and
 * waits for the bus to deliver each before the next: as fast as the subscribers take them, never
 * more queued than a Desk would have.
 */
async function publish(bus: LocalBus, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    const { subject, payload } = messages[i]!;
    bus.publish(subject, payload);
    if (i % MARKETS === MARKETS - 1) await bus.flush();
  }
  await bus.flush();
}

/** Publishes `messages`; the deliveries counted and their rate per second. */
async function timed(
  bus: LocalBus,
  messages: readonly Message[],
  delivered: () => number,
): Promise<{ delivered: number; rate: number }> {
  const before = delivered();
  const start = nowNs();
  await publish(bus, messages);
  const seconds = elapsedSeconds(start);
  const n = delivered() - before;
  return { delivered: n, rate: n / seconds };
}

const size = Number(process.argv[2]);
if (!Number.isSafeInteger(size) || size < MARKETS * HOLDING_EVERY || size % MARKETS !== 0) {
  process.stderr.write(
    `usage: dist/bench/actors/child.js <traders, a multiple of ${MARKETS}, at least ${MARKETS * HOLDING_EVERY}>\n`,
  );
  process.exit(2);
}
const result = await child(size);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
