/**
 * The live path on one machine: `crypy venue serve`'s server (in process) on a simulation that
 * runs on a wall clock, and a crypy system whose Desk reaches it through CcxtVenue → ccxt →
 * HTTP/WebSocket, exactly as it would reach Binance. Actors run on the wall clock too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import { CrypySystem } from "../../src/actors/system.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { allActorEvents } from "../../src/bus/subjects.js";
import { createLogger } from "../../src/log/logger.js";
import { resolveParams } from "../../src/strategy/params.js";
import { getStrategy } from "../../src/strategy/registry.js";
import { WallClock } from "../../src/time/wall-clock.js";
import { startVenueServer, type VenueServer } from "../../src/venue-server/server.js";
import { CcxtVenue } from "../../src/venues/ccxt/ccxt-venue.js";
import { venueRules } from "../../src/venues/ccxt/venue-rules.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";
import type { Venue } from "../../src/venues/venue.js";
import { LENIENT } from "../actors/support.js";
import { writeVenueFile } from "../support/venue-file.js";

// Made up for the simulated account: not secrets.
export const KEY = "live-key-not-a-secret";
export const SECRET = "live-secret-not-a-secret";
export const SYMBOL = "BTC/USDT";

export interface LiveVenue {
  simulation: Simulation;
  server: VenueServer;
  /** ccxt's binance URLs pointed at the server, REST and WebSocket. */
  urls: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * The shipped venue with an account holding `usdt` and a made-up key, `blocks` replacing its
 * top-level blocks (latency, faults, …), served on a wall clock at `speed` simulated seconds per
 * second, with a day of history.
 */
export async function liveVenue(
  blocks: Record<string, unknown> = {},
  options: { speed?: number; usdt?: string } = {},
): Promise<LiveVenue> {
  const dir = await mkdtemp(join(tmpdir(), "crypy-live-"));
  const file = await writeVenueFile(dir, {
    accounts: { main: { USDT: options.usdt ?? "10000", apiKeys: [{ key: KEY, secret: SECRET }] } },
    latency: { fixedMs: 0, jitterMs: 0 },
    ...blocks,
  });
  const simulation = await createSimulation(file, {
    clock: { speed: options.speed ?? 60, historyMs: 86_400_000 },
  });
  simulation.start();
  const server = await startVenueServer(simulation, { port: 0 });
  const api = `${server.url}/api/v3`;
  const ws = server.url.replace(/^http/, "ws");
  return {
    simulation,
    server,
    urls: {
      api: {
        public: api,
        private: api,
        sapi: `${server.url}/sapi/v1`,
        ws: { spot: `${ws}/ws`, "ws-api": { spot: `${ws}/ws-api/v3` } },
      },
    },
    close: async () => {
      await server.close();
      await simulation.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** CcxtVenue (live mode) on the venue's account, with its key from "the environment". */
export function openCcxt(live: LiveVenue): Promise<CcxtVenue> {
  return CcxtVenue.open({
    exchange: "binance",
    mode: "live",
    credentials: {
      env: true,
      variables: { CRYPY_BINANCE_API_KEY: KEY, CRYPY_BINANCE_SECRET: SECRET },
    },
    urls: live.urls,
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  });
}

export interface LiveSystem {
  system: CrypySystem;
  events: ActorEvent[];
  bus: LocalBus;
  stop(): Promise<void>;
}

/**
 * One Desk on `venue` (BTC/USDT), a USDT Holder approving anything, and a Trader with a fast
 * moving-average cross, warmed on 60 candles: it proposes, is approved and trades within seconds
 * of the server's fast clock. The venue's rules come from its markets, as `crypy binance` derives
 * them.
 */
export async function liveSystem(venue: Venue): Promise<LiveSystem> {
  const clock = new WallClock();
  const markets = await venue.loadMarkets();
  const rules = venueRules({
    exchange: "binance",
    account: "main",
    markets: [markets[SYMBOL]!],
    balances: await venue.fetchBalance(),
    lastPrices: { [SYMBOL]: (await venue.fetchTicker(SYMBOL)).last ?? "1" },
    startMs: clock.now(),
  });
  const bus = new LocalBus();
  const events: ActorEvent[] = [];
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => void events.push(e));
  const strategy = getStrategy("sma-cross");
  const system = new CrypySystem({
    bus,
    clock,
    log: createLogger({ level: "silent" }),
    venue,
    venueConfig: rules,
    exchange: "binance",
    account: "main",
    watch: [SYMBOL],
    risk: {
      maxOrderNotional: "5000",
      maxPositionNotional: "5000",
      maxDailyLoss: "5000",
      maxOrdersPerSecond: 10,
      maxSlippage: "0.01",
    },
    assets: ["USDT"],
    heartbeatMs: 0,
    holderPlan: () => ({
      criteria: LENIENT,
      fraction: 0.2,
      maxTraders: 1,
      mandateTtlMs: 3_600_000,
      approval: "auto",
      pairs: [SYMBOL],
      traderPlan: async () => ({
        candidates: [{ strategy, params: resolveParams(strategy, { fast: 2, slow: 5 }) }],
        warmupCandles: 60,
        inSampleFraction: 0.7,
        objective: "sharpe",
        stopLossPct: 0,
        takeProfitPct: 0,
        maxWaitCandles: 600,
      }),
    }),
  });
  await system.start();
  return {
    system,
    events,
    bus,
    stop: async () => {
      await system.stop();
      await bus.close();
    },
  };
}

export const named = (events: readonly ActorEvent[], name: string) =>
  events.filter((e) => e.event === name);
