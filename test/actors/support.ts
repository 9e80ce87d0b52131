/**
 * A whole crypy system on the real BTC/USDT candles of March 2023: one Desk, one USDT Holder, one
 * BTC/USDT Trader, on a LocalBus or a NatsBus, driven on a virtual clock.
 */
import { fileURLToPath } from "node:url";
import type { DeskJournal } from "../../src/actors/desk/journal/entries.js";
import type { KeyRing } from "../../src/actors/identity/key-ring.js";
import type { MandateTerms } from "../../src/actors/mandate.js";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import type { ActorStore } from "../../src/actors/runtime/actor-store.js";
import { CrypySystem, type HolderPlan, type TraderPlan } from "../../src/actors/system.js";
import type { TraderOutcome } from "../../src/actors/trader/trader.js";
import type { Bus } from "../../src/bus/bus.js";
import { allActorEvents, deskOrder } from "../../src/bus/subjects.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { resolveParams } from "../../src/strategy/params.js";
import { getStrategy } from "../../src/strategy/registry.js";
import type { Strategy } from "../../src/strategy/strategy.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";
import type { Venue } from "../../src/venues/venue.js";
import { testControl } from "./commands/as-operator.js";
import { TestTrader } from "./signing.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export const VENUE_YAML = `name: sim
seed: 11
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: candles, file: binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz }
accounts:
  main: { USDT: "10000" }
latency: { fixedMs: 5, jitterMs: 0 }
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "10000", USDT: "500000000" }
`;

export interface TestSystem {
  simulation: Simulation;
  /** This system's connection to the simulated venue (a crash closes it). */
  venue: Venue;
  bus: Bus;
  system: CrypySystem;
  events: ActorEvent[];
  outcomes: TraderOutcome[];
  /** Runs until `done` or `maxMs` of simulated time. */
  run(done: () => boolean, maxMs?: number): Promise<void>;
  /** Runs the system until `promise` settles; returns its value or throws its error. */
  settle<T>(promise: Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export interface SystemOverrides {
  holder?: Partial<HolderPlan>;
  trader?: Partial<TraderPlan>;
  strategy?: Strategy;
  params?: Record<string, number>;
  heartbeatMs?: number;
  /** Where the actors' identities come from (default: fresh, in memory). */
  keys?: KeyRing;
  /** The venue to run on (default: a new simulation of VENUE_YAML): a restart runs on the same. */
  simulation?: Simulation;
  deskJournal?: DeskJournal;
  actorStore?: ActorStore;
  /** The venue file's text (default VENUE_YAML), e.g. with a capability switched off. */
  venueYaml?: string;
  risk?: Partial<{
    maxOrderNotional: string;
    maxPositionNotional: string;
    maxDailyLoss: string;
    maxOrdersPerSecond: number;
  }>;
  /** Markets the Desk watches (default BTC/USDT). */
  watch?: string[];
}

export const LENIENT = {
  minSharpe: -1e9,
  maxDrawdown: 1,
  minTrades: 0,
  minReturnOverBuyAndHold: -1e9,
};

export async function startSystem(bus: Bus, overrides: SystemOverrides = {}): Promise<TestSystem> {
  const config = parseVenueConfig(overrides.venueYaml ?? VENUE_YAML, {
    file: "venue.yaml",
    baseDir: FIXTURES,
  });
  const simulation = overrides.simulation ?? (await createSimulation(config));
  const venue = simulation.venue("main");
  const strategy = overrides.strategy ?? getStrategy("sma-cross");
  const params = resolveParams(strategy, overrides.params ?? { fast: 5, slow: 20 });
  const outcomes: TraderOutcome[] = [];
  const events: ActorEvent[] = [];
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => void events.push(e));
  const log = createLogger({ level: "silent" });
  const system = new CrypySystem({
    bus,
    clock: simulation.clock,
    log,
    venue,
    venueConfig: config,
    account: "main",
    watch: overrides.watch ?? ["BTC/USDT"],
    risk: {
      maxOrderNotional: "100000",
      maxPositionNotional: "100000",
      maxDailyLoss: "100000",
      maxOrdersPerSecond: 10,
      ...overrides.risk,
    },
    assets: ["USDT"],
    heartbeatMs: overrides.heartbeatMs ?? 0,
    control: testControl(),
    ...(overrides.keys === undefined ? {} : { keys: overrides.keys }),
    ...(overrides.deskJournal === undefined ? {} : { deskJournal: overrides.deskJournal }),
    ...(overrides.actorStore === undefined ? {} : { actorStore: overrides.actorStore }),
    holderPlan: () => ({
      criteria: LENIENT,
      fraction: 0.5,
      maxTraders: 1,
      mandateTtlMs: 86_400_000,
      pairs: ["BTC/USDT"],
      respawnAfterMs: 60_000,
      traderPlan: async () => ({
        candidates: [{ strategy, params }],
        warmupCandles: 300,
        inSampleFraction: 0.7,
        objective: "sharpe",
        stopLossPct: 0,
        takeProfitPct: 0,
        maxWaitCandles: 120,
        ...overrides.trader,
      }),
      onOutcome: async (o) => {
        outcomes.push(o);
        return [];
      },
      ...overrides.holder,
    }),
  });
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await bus.flush();
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  // Starting needs the venue's answers, which need the clock to move.
  let started = false;
  let failure: unknown;
  const starting = system.start().then(
    () => {
      started = true;
    },
    (err: unknown) => {
      failure = err;
      started = true;
    },
  );
  await simulation.runSettled(settle, { shouldStop: () => started });
  await starting;
  if (failure !== undefined) throw failure;
  return {
    simulation,
    venue,
    bus,
    system,
    events,
    outcomes,
    run: async (done, maxMs = 3 * 86_400_000) => {
      await simulation.runSettled(settle, {
        until: simulation.clock.now() + maxMs,
        shouldStop: done,
      });
      // What the actors queued for the end of the turn (events, reports, balances) goes out
      // before the test looks: `done` may turn true in the very handler that queued it.
      await settle();
    },
    settle: async <T>(promise: Promise<T>) => {
      let done = false;
      const outcome = promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      void outcome.then(() => {
        done = true;
      });
      await simulation.runSettled(settle, {
        until: simulation.clock.now() + 3_600_000,
        shouldStop: () => done,
      });
      const result = await outcome;
      if (!result.ok) throw result.error;
      return result.value;
    },
    stop: async () => {
      await system.stop();
      await simulation.stop();
    },
  };
}

export const names = (events: ActorEvent[]) => events.map((e) => e.event);

/**
 * A quiet system (no Traders) after two minutes of market data, so the Desk has a price; `sign`
 * makes the Holder's mandates for sim-main_BTC-USDT and `order` places one through the Desk.
 */
export async function quietDesk(bus: Bus, overrides: SystemOverrides = {}) {
  const t = await startSystem(bus, {
    ...overrides,
    holder: { maxTraders: 0, ...overrides.holder },
  });
  await t.run(() => false, 120_000);
  const holder = t.system.holders[0]!;
  const trader = new TestTrader("sim-main_BTC-USDT");
  const terms = (change: Partial<MandateTerms> = {}): MandateTerms => ({
    trader: trader.id,
    traderKey: trader.publicKey,
    desk: "sim-main",
    market: "BTC/USDT",
    sides: ["buy", "sell"],
    maxNotional: "1000",
    expiresAt: t.simulation.clock.now() + 3_600_000,
    nonce: `n-${Math.random()}`,
    ...change,
  });
  const sign = (change: Partial<MandateTerms> = {}) => holder.keys.sign(terms(change), holder.id);
  /** A place request signed by the test's Trader; `change` is signed too. */
  const order = (mandate: unknown, change: Record<string, unknown> = {}) =>
    t.settle(
      bus.request<Order>(
        deskOrder("sim-main"),
        trader.place(mandate, {
          market: "BTC/USDT",
          side: "buy",
          type: "market",
          amount: "0.01",
          ...change,
        }),
      ),
    );
  return { t, sign, order, trader };
}

/** Resolves with the error `p` rejects with, or undefined if it resolves. */
export const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
