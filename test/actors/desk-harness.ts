/**
 * A Desk alone on a simulated venue of the test's own (no Holder, no Trader): its orders come
 * straight over the bus, under mandates the test signs as a trusted Holder. For the order gateway's
 * tests, where the venue's book, latency and accounts are part of the case.
 */
import { Desk } from "../../src/actors/desk/desk.js";
import { MemoryDeskJournal } from "../../src/actors/desk/journal/entries.js";
import type { RiskLimits } from "../../src/actors/desk/risk.js";
import type { KeyRing } from "../../src/actors/identity/key-ring.js";
import { HolderKeys, type Mandate, type MandateTerms } from "../../src/actors/mandate.js";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { allActorEvents, control, deskOrder } from "../../src/bus/subjects.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";
import type { Venue } from "../../src/venues/venue.js";
import { simSettling } from "../support/sim-settle.js";
import { asOperator, testControl } from "./commands/as-operator.js";
import { TestTrader } from "./signing.js";

export const HOLDER = "sim-main_USDT";

/**
 * A simulated venue with one BTC/USDT market on a seeded GBM path, an account "main" with 100,000
 * USDT, and makers' books of `levelNotional` per level: what the Desk-level tests trade on.
 */
export function gbmVenue(seed: number, levelNotional = "50000"): string {
  return `name: sim
seed: ${seed}
start: "2024-01-01T00:00:00Z"
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
fees: { maker: "0.001", taker: "0.001" }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: gbm, startPrice: "42000", volatility: 0.5, drift: 0, timeframe: 1m, volume: { mean: 5, std: 3 } }
accounts:
  main: { USDT: "100000" }
latency: { fixedMs: 5, jitterMs: 0 }
liquidity:
  levelNotional: "${levelNotional}"
  inventory: { BTC: "10000", USDT: "500000000" }
`;
}

export interface LoneDesk {
  simulation: Simulation;
  /** The running Desk (a new one after `restart`). */
  readonly desk: Desk;
  /** What the Desk journaled, when started with `journal: true`. */
  readonly journal: MemoryDeskJournal | undefined;
  /**
   * Stops the Desk without cancelling anything (as a crash would leave the venue) and starts a new
   * one on the same venue, bus and keys, replaying what the old one journaled.
   */
  restart(options?: { journal?: MemoryDeskJournal }): Promise<void>;
  bus: LocalBus;
  events: ActorEvent[];
  /** A mandate signed by the trusted Holder; `nonce` should be unique per test. */
  sign(terms: Partial<MandateTerms> & Pick<MandateTerms, "trader" | "market">): Mandate;
  /** Sends a request on the Desk's order subject and runs the venue until it is answered. */
  order(request: Record<string, unknown>): Promise<Order>;
  /** The test's stand-in for Trader `id`: the key its mandates must name. */
  trader(id: string): TestTrader;
  /** Runs a Desk command on its control subject until answered. */
  command<T = unknown>(command: string, args?: string[]): Promise<T>;
  /** Runs the venue until `promise` settles. */
  settle<T>(promise: Promise<T>): Promise<T>;
  /** Runs the venue for `ms` of simulated time. */
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function loneDesk(
  venueYaml: string,
  options: {
    watch: string[];
    risk?: Partial<RiskLimits>;
    syntheticMs?: number;
    /** The Desk's state-directory keys (registered Holder keys); default none. */
    keys?: KeyRing;
    /** What the Desk sees of the simulated venue (a test may hold back a stream). */
    venue?: (simulated: Venue) => Venue;
    /** Journal to a MemoryDeskJournal, so `restart` can replay it. */
    journal?: boolean;
    /** The Desk's snapshot interval, in journal entries. */
    snapshotEvery?: number;
  },
): Promise<LoneDesk> {
  const config = parseVenueConfig(venueYaml, { file: "venue.yaml", baseDir: "." });
  const simulation = await createSimulation(config, {
    syntheticMs: options.syntheticMs ?? 6 * 3_600_000,
  });
  const clock = simulation.clock;
  const bus = new LocalBus();
  const events: ActorEvent[] = [];
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => void events.push(e));
  const makeDesk = (journal: MemoryDeskJournal | undefined) =>
    new Desk(
      {
        id: "sim-main",
        venue: (options.venue ?? ((v) => v))(simulation.venue("main")),
        watch: options.watch,
        risk: {
          maxOrderNotional: "1000000",
          maxPositionNotional: "1000000",
          maxDailyLoss: "1000000",
          maxOrdersPerSecond: 1000,
          ...options.risk,
        },
        assetDecimals: Object.fromEntries(
          Object.entries(config.assets).map(([asset, a]) => [asset, a.decimals]),
        ),
        cacheCandles: 10,
        ...(options.keys === undefined ? {} : { keys: options.keys }),
        ...(journal === undefined ? {} : { journal }),
        ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
      },
      {
        bus,
        clock,
        log: createLogger({ level: "silent" }),
        heartbeatMs: 0,
        control: testControl(),
      },
    );
  let journal = options.journal === true ? new MemoryDeskJournal() : undefined;
  let desk = makeDesk(journal);
  const keys = HolderKeys.generate();
  desk.trustHolder(HOLDER, keys.publicKey);
  const { flush, settle, advance } = simSettling(simulation, bus);
  const traders = new Map<string, TestTrader>();
  const traderOf = (id: string) => {
    let trader = traders.get(id);
    if (trader === undefined) {
      trader = new TestTrader(id);
      traders.set(id, trader);
    }
    return trader;
  };
  await settle(desk.start());
  await advance(120_000); // tickers: a market order needs the touch
  return {
    simulation,
    get desk() {
      return desk;
    },
    get journal() {
      return journal;
    },
    restart: async (restartOptions = {}) => {
      await desk.stop();
      journal = restartOptions.journal ?? journal?.reopen();
      desk = makeDesk(journal);
      desk.trustHolder(HOLDER, keys.publicKey);
      await settle(desk.start());
      await flush();
    },
    bus,
    events,
    sign: (terms) =>
      keys.sign(
        {
          traderKey: traderOf(terms.trader).publicKey,
          desk: "sim-main",
          sides: ["buy", "sell"],
          maxNotional: "1000",
          expiresAt: clock.now() + 86_400_000,
          nonce: `n-${terms.trader}-${terms.market}`,
          ...terms,
        },
        HOLDER,
      ),
    order: (request) => {
      // Signed as the Trader it names, as the live Trader signs; a cancel too.
      const trader = traderOf(String(request.trader));
      const { op, mandate, ...fields } = request;
      const signed =
        op === "cancel" ? trader.cancel(String(fields.id)) : trader.place(mandate, fields);
      return settle(bus.request<Order>(deskOrder("sim-main"), signed));
    },
    trader: (id) => traderOf(id),
    command: (command, args = []) =>
      settle(bus.request(control("sim-main"), asOperator("sim-main", { command, args }))),
    settle,
    advance,
    stop: async () => {
      await desk.stop();
      await simulation.stop();
    },
  };
}
