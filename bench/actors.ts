/**
 * bench actors — what live Traders cost: resident memory, and market-data deliveries per second.
 *
 * Each size (1,000 and 10,000 Traders across 100 markets, so 10 or 100 per market) runs in a child
 * process of its own (`node --expose-gc --import tsx bench/actors.ts <size>`), so one size's heap
 * does not inflate the other's figures. In the child:
 *
 * - The Traders are real `Trader` actors on one LocalBus (the embedded default) with a WallClock
 *   and the default 5 s heartbeats. Each runs its real life up to the live phase: warm-up request
 *   to a stub Desk cache (60 candles), evaluation (two backtests through the full simulator), a
 *   proposal to a stub Holder that accepts with a real signed mandate; then, as in
 *   src/actors/trader/trader.ts and trade.ts, it holds its machine, mandate, evaluation, an
 *   sma-cross(5, 20) instance and subscriptions to its market's candle and ticker subjects (plus
 *   its report subject and its control endpoint). The one change: the sma-cross instance is
 *   wrapped so that its signals are dropped (it still updates its averages on every candle) — an
 *   entry would end the Trader.
 * - Memory: `rss` after two `gc()`s with every Trader live, read once when the last Trader went
 *   live and once after the delivery rounds; the larger is the figure held to the goal (pages V8
 *   freed but kept still cost resident memory). For context, on stderr: rss before any Trader
 *   existed (the process with its modules and stubs) and `heapUsed` per Trader, which is exact
 *   where rss is page-grained.
 * - Deliveries/s: closed candles published round-robin over the 100 markets' `candle-1m` subjects,
 *   counted by the strategies themselves (every delivery reaches one sma-cross update). Peer, in
 *   the same process and run: a second LocalBus with the same subscriptions (one candle and one
 *   ticker subscription per simulated Trader) whose callbacks only count — the bus floor: LocalBus
 *   routing, queueing and its per-subscriber decode. Rounds alternate Traders and floor.
 *
 * Goal: 10,000 Traders under 1 GiB resident; `run()` fails otherwise.
 */
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KeyRing } from "../src/actors/identity/key-ring.js";
import { HolderKeys } from "../src/actors/mandate.js";
import { Trader } from "../src/actors/trader/trader.js";
import { LocalBus } from "../src/bus/local/local-bus.js";
import { deskCache, holderProposal, marketData } from "../src/bus/subjects.js";
import type { OHLCV } from "../src/domain/market-data.js";
import { createLogger } from "../src/log/logger.js";
import { parseVenueConfig } from "../src/sim/config/index.js";
import type { VenueConfig } from "../src/sim/config/types.js";
import { type SmaCrossParams, smaCross } from "../src/strategy/builtins/sma-cross.js";
import { defineStrategy, type Strategy } from "../src/strategy/strategy.js";
import { WallClock } from "../src/time/wall-clock.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const SIZES = [1_000, 10_000] as const;
const MARKETS = 100;
const DESK = "sim-main";
const HOLDER = "sim-main_USDT";
const WARMUP_CANDLES = 60;
/** Traders started at once; each batch is live before the next starts. */
const BATCH = 500;
const ROUNDS = 5;
const DELIVERIES_PER_ROUND = 1_000_000;
/** Candles published between waits for the bus to go idle. */
const CHUNK = 1_000;
const BUDGET_MIB = 1024;
const MIB = 1024 * 1024;

/** What a child reports to the parent, one JSON line on stdout. */
interface ChildResult {
  traders: number;
  /** After GC, before any Trader: the process with its modules and the stubs. */
  rssBeforeMiB: number;
  heapBeforeMiB: number;
  /** After GC, every Trader live: the figure held to the goal. */
  rssMiB: number;
  heapMiB: number;
  /** After GC, with the floor's subscriptions added too. */
  heapWithFloorMiB: number;
  /** After GC, at the end, after every delivery round: the steady state. */
  rssAfterMiB: number;
  traderRates: number[];
  floorRates: number[];
  seconds: number;
}

const marketOf = (i: number) => `M${i}/USDT`;
const marketTokenOf = (i: number) => `M${i}-USDT`;

function venueConfig(): VenueConfig {
  const assets = ["  USDT: { decimals: 8 }"];
  const markets: string[] = [];
  for (let m = 0; m < MARKETS; m++) {
    assets.push(`  M${m}: { decimals: 8 }`);
    markets.push(
      `  ${marketOf(m)}:`,
      `    tickSize: "0.01"`,
      `    lotSize: "0.001"`,
      `    minQty: "0.001"`,
      `    maxQty: "100000"`,
      `    minNotional: "1"`,
      `    data: { source: gbm, startPrice: "100", volatility: 0.5 }`,
    );
  }
  const yaml = [
    "name: sim",
    "seed: 5",
    "assets:",
    ...assets,
    "markets:",
    ...markets,
    'accounts: { main: { USDT: "1000000" } }',
    "liquidity:",
    '  levelNotional: "50000"',
    `  inventory: { USDT: "10000000000", ${Array.from({ length: MARKETS }, (_, m) => `M${m}: "100000000"`).join(", ")} }`,
    "",
  ].join("\n");
  return parseVenueConfig(yaml, { file: "bench/actors.ts (venue)", baseDir: "." });
}

/** A seeded random walk around 100, one close per step. */
function walk(n: number, seed: number): number[] {
  let x = seed * 2_654_435_761;
  let price = 100;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    price = Math.max(1, price * (1 + (x / 2_147_483_648 - 0.5) / 50));
    out.push(Number(price.toFixed(2)));
  }
  return out;
}

function candlesOf(closes: number[], startMs: number): OHLCV[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    return [startMs + i * 60_000, open, Math.max(open, close), Math.min(open, close), close, 5];
  });
}

/** Strategy updates seen, across every Trader: one per candle delivered. */
let updates = 0;

/** sma-cross whose instances update on every candle and never signal (an entry ends a Trader). */
const quietSmaCross = defineStrategy<SmaCrossParams>({
  name: smaCross.name,
  description: smaCross.description,
  params: smaCross.params,
  warmup: (params) => smaCross.warmup(params),
  validate: (params) => smaCross.validate?.(params),
  create(params) {
    const inner = smaCross.create(params);
    return {
      onCandle(candle, ctx) {
        inner.onCandle(candle, ctx);
        updates++;
        return undefined;
      },
    };
  },
}) as unknown as Strategy;

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("bench actors: the child needs node --expose-gc");
  collect();
  collect();
};
const rssMiB = () => process.memoryUsage().rss / MIB;
const heapMiB = () => process.memoryUsage().heapUsed / MIB;

/** Publishes `candles` candles round-robin over the markets; returns deliveries per second. */
async function deliver(
  bus: LocalBus,
  subjects: readonly string[],
  closes: readonly number[],
  candles: number,
  perCandle: number,
  count: () => number,
): Promise<number> {
  const before = count();
  const start = nowNs();
  for (let i = 0; i < candles; i++) {
    const m = i % MARKETS;
    const close = closes[i % closes.length]!;
    bus.publish(subjects[m]!, {
      market: marketOf(m),
      candle: [1_704_067_200_000 + i * 60_000, close, close + 0.5, close - 0.5, close, 5],
      seq: i,
    });
    if (i % CHUNK === CHUNK - 1) await bus.flush();
  }
  await bus.flush();
  const seconds = elapsedSeconds(start);
  const delivered = count() - before;
  if (delivered !== candles * perCandle) {
    throw new Error(`bench actors: ${delivered} deliveries, expected ${candles * perCandle}`);
  }
  return delivered / seconds;
}

async function child(size: number): Promise<ChildResult> {
  const began = nowNs();
  const log = createLogger({ level: "silent" });
  const clock = new WallClock({ unref: true });
  const venue = venueConfig();
  const keys = HolderKeys.generate();
  const ring = KeyRing.inMemory();
  const bus = new LocalBus({ logger: log });
  const history = Array.from({ length: MARKETS }, (_, m) =>
    candlesOf(walk(WARMUP_CANDLES, m + 1), 1_704_067_200_000 - WARMUP_CANDLES * 60_000),
  );
  const marketIndex = new Map(Array.from({ length: MARKETS }, (_, m) => [marketOf(m), m]));
  // The Desk's cache and the Holder, as far as a Trader sees them.
  bus.serve<{ market: string; limit: number }>(deskCache(DESK), (r) => {
    const rows = history[marketIndex.get(r.market)!]!;
    return rows.slice(-r.limit);
  });
  bus.serve<{ trader: string; market: string }>(holderProposal(DESK, "USDT"), (p) => ({
    accepted: true,
    allocation: "100.00",
    mandate: keys.sign(
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
  await bus.flush();
  gc();
  const rssBeforeMiB = rssMiB();
  const heapBeforeMiB = heapMiB();

  const traders: Trader[] = [];
  for (let from = 0; from < size; from += BATCH) {
    const batch: Trader[] = [];
    for (let i = from; i < Math.min(size, from + BATCH); i++) {
      const m = i % MARKETS;
      const id = `${DESK}_${marketTokenOf(m)}_${i}`;
      const trader = new Trader(
        {
          id,
          market: marketOf(m),
          desk: DESK,
          asset: "USDT",
          holder: HOLDER,
          candidates: [{ strategy: quietSmaCross, params: { fast: 5, slow: 20 } }],
          warmupCandles: WARMUP_CANDLES,
          inSampleFraction: 0.7,
          objective: "sharpe",
          stopLossPct: 0,
          takeProfitPct: 0,
          venue,
          maxWaitCandles: Number.MAX_SAFE_INTEGER,
          // Each Trader its own identity, as live: its key is in the mandate it gets.
          keys: ring.keys(id),
          sequence: ring.counter(id, "order-seq"),
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
  gc();
  const rssLiveMiB = rssMiB();
  const heapLiveMiB = heapMiB();

  // The floor: the same subscriptions on a bus of its own, callbacks that only count.
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
  gc();
  const heapWithFloorMiB = heapMiB();

  const subjects = Array.from({ length: MARKETS }, (_, m) =>
    marketData(DESK, marketOf(m), "candle-1m"),
  );
  const closes = walk(10_000, 99);
  const perCandle = size / MARKETS;
  const candles = Math.round(DELIVERIES_PER_ROUND / perCandle);
  const warm = Math.round(candles / 5);
  await deliver(bus, subjects, closes, warm, perCandle, () => updates);
  await deliver(floorBus, subjects, closes, warm, perCandle, () => floorCount);
  const traderRates: number[] = [];
  const floorRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    traderRates.push(await deliver(bus, subjects, closes, candles, perCandle, () => updates));
    floorRates.push(
      await deliver(floorBus, subjects, closes, candles, perCandle, () => floorCount),
    );
  }
  const live = traders.filter((t) => t.state === "entering").length;
  if (live !== size) throw new Error(`bench actors: only ${live} of ${size} Traders stayed live`);
  gc();
  return {
    traders: size,
    rssBeforeMiB,
    heapBeforeMiB,
    rssMiB: rssLiveMiB,
    heapMiB: heapLiveMiB,
    heapWithFloorMiB,
    rssAfterMiB: rssMiB(),
    traderRates,
    floorRates,
    seconds: elapsedSeconds(began),
  };
}

function runChild(size: number): Promise<ChildResult> {
  const file = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--expose-gc", "--import", "tsx", file, String(size)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    proc.once("error", reject);
    proc.once("exit", (code, signal) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || line === "") {
        reject(new Error(`bench actors: the ${size}-Trader child failed (${code ?? signal})`));
        return;
      }
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

const mib = (x: number) => `${x.toFixed(0)} MiB`;
/** The larger of the two after-GC readings: freed pages V8 has not yet returned still count. */
const resident = (r: ChildResult) => Math.max(r.rssMiB, r.rssAfterMiB);

export async function run(): Promise<boolean> {
  const results: ChildResult[] = [];
  for (const size of SIZES) {
    const r = await runChild(size);
    results.push(r);
    const perTrader = (x: number) => `${((x * 1024) / r.traders).toFixed(1)} KiB`;
    process.stderr.write(
      `actors: ${r.traders} Traders live: rss ${mib(r.rssMiB)} (${mib(r.rssBeforeMiB)} before any ` +
        `Trader; ${mib(r.rssAfterMiB)} after the delivery rounds), heap used ` +
        `${mib(r.heapMiB)} (${perTrader(r.heapMiB - r.heapBeforeMiB)} per Trader; the floor's ` +
        `bare subscriptions ${perTrader(r.heapWithFloorMiB - r.heapMiB)} per simulated Trader); ` +
        `child ran ${r.seconds.toFixed(1)} s\n`,
    );
  }
  const [small, large] = results as [ChildResult, ChildResult];
  let ok = true;
  for (const r of results) {
    report({
      bench: `actors.deliveries.${r.traders}`,
      impl: `${r.traders} live Traders (sma-cross update per candle), LocalBus`,
      value: median(r.traderRates),
      unit: "deliveries/s",
      peer: "same LocalBus subscriptions, callbacks that only count (bus floor)",
      peer_value: median(r.floorRates),
    });
  }
  report({
    bench: "actors.memory",
    impl: `${large.traders} live Traders, rss after GC (larger of two readings)`,
    value: resident(large),
    unit: "MiB",
    peer: `${small.traders} live Traders, rss after GC (larger of two readings)`,
    peer_value: resident(small),
  });
  ok =
    report({
      bench: "actors.memory.budget",
      impl: `${large.traders} live Traders, rss after GC (larger of two readings)`,
      value: resident(large),
      unit: "MiB",
      peer: "the goal: 1 GiB resident (a fixed budget, not a measurement)",
      peer_value: BUDGET_MIB,
      goal: { atMost: 1 },
    }) && ok;
  return ok;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const size = Number(process.argv[2]);
  if (!Number.isSafeInteger(size) || size < MARKETS || size % MARKETS !== 0) {
    process.stderr.write(`usage: bench/actors.ts <traders, a multiple of ${MARKETS}>\n`);
    process.exit(2);
  }
  const result = await child(size);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
