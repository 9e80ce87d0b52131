/**
 * crypy's side of bench tick-to-order, on the bench's main thread: a real Desk on its own NatsBus
 * connection, over a SimVenue that answers at once, and the Trader on its own thread
 * (trader-side.ts). See index.ts for the chain and what is timed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Desk } from "../../src/actors/desk/desk.js";
import { ActorKeys, keysDir } from "../../src/actors/identity/keys.js";
import { HolderKeys, type Mandate } from "../../src/actors/mandate.js";
import type { RequestHandler } from "../../src/bus/bus.js";
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import { deskOrder, marketData } from "../../src/bus/subjects.js";
import type { Order, OrderType, Side } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";
import { SimVenue } from "../../src/venues/sim/sim-venue.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";
import type { CreateOrderParams, Num } from "../../src/venues/venue.js";
import { nowNs } from "../report.js";
import type { ByteSizes } from "./protocol.js";
import { startTraderThread } from "./trader-thread.js";

export const DESK = "sim-main";
export const MARKET = "BTC/USDT";
export const TRADER = "sim-main_BTC-USDT";
export const HOLDER = "sim-main_USDT";
export const AMOUNT = "0.001";
/** Path points per simulated minute are 4: 2 days of data is ~11,500 ticks, far more than used. */
const SYNTHETIC_MS = 2 * 86_400_000;

const VENUE = `name: sim
seed: 7
start: "2024-01-01T00:00:00Z"
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
    data: { source: gbm, startPrice: "42000", volatility: 0.6, timeframe: 1m }
accounts:
  main: { USDT: "10000000", BTC: "100" }
latency: { fixedMs: 0, jitterMs: 0 }
rateLimit: { requests: 1000000000, windowMs: 1 }
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "100000", USDT: "10000000000" }
`;

/** Where one crypy sample's time went, in hrtime ns. */
export interface Stamps {
  published: bigint;
  received: bigint;
  signed: bigint;
  deskIn: bigint;
  venueIn: bigint;
  venueOut: bigint;
  /** The Desk hands the reply to its connection (after the gateway's bookkeeping and encode). */
  replySent: bigint;
  replied: bigint;
}

/**
 * The SimVenue connection, answering at once: after the order is queued on the virtual clock the
 * timers already due (arrival, matching, reply, order/balance events) are run, without moving time.
 */
class ImmediateVenue extends SimVenue {
  onOrder: ((phase: "in" | "out") => void) | undefined;

  constructor(
    simulation: Simulation,
    private readonly clock: VirtualClock,
  ) {
    super(simulation.sim, simulation.gate, "main");
  }

  override createOrder(
    symbol: string,
    type: OrderType,
    side: Side,
    amount: Num,
    price?: Num,
    params?: CreateOrderParams,
  ): Promise<Order> {
    this.onOrder?.("in");
    const order = super.createOrder(symbol, type, side, amount, price, params);
    this.clock.advanceTo(this.clock.now());
    this.onOrder?.("out");
    return order;
  }
}

export interface Crypy {
  /** Drives ticks one at a time; returns end-to-end µs per tick and where the time went. */
  ticks(n: number): Promise<{ samples: number[]; stamps: Stamps[] }>;
  /** Orders the Trader sent and the Desk filled so far (its sequences 1..orders). */
  readonly orders: number;
  readonly mandate: Mandate;
  readonly holderKeys: HolderKeys;
  readonly traderKeys: ActorKeys;
  /** The Desk's NATS URL and order subject, for the checks' own connection. */
  readonly url: string;
  /** Byte sizes of the last warm-up tick, order request and reply. */
  sizes(): ByteSizes;
  close(): Promise<void>;
}

export async function startCrypy(url: string, measureSizesFor: number): Promise<Crypy> {
  const log = createLogger({ level: "silent" });
  const config = parseVenueConfig(VENUE, {
    file: "bench/tick-to-order (venue)",
    baseDir: ".",
  });
  const simulation = await createSimulation(config, { syntheticMs: SYNTHETIC_MS });
  const clock = simulation.clock;
  if (!(clock instanceof VirtualClock)) throw new Error("tick-to-order needs a virtual clock");
  const venue = new ImmediateVenue(simulation, clock);
  const deskBus = await NatsBus.connect(url, { name: "desk", logger: log });

  const tickSubject = marketData(DESK, MARKET, "ticker");
  let current: Partial<Stamps> = {};
  let tickPublished = false;
  // t0: the moment the Desk hands the ticker to its bus (its encode is inside the measurement).
  const publish = deskBus.publish.bind(deskBus);
  deskBus.publish = (subject: string, data: unknown) => {
    if (subject === tickSubject) {
      current = { published: nowNs() };
      tickPublished = true;
    }
    publish(subject, data);
  };
  // The reply leaves: NatsBus answers on the request's inbox through its connection.
  const nc = deskBus.connection;
  const ncPublish = nc.publish.bind(nc);
  nc.publish = (subject, payload, options) => {
    if (subject.startsWith("_INBOX.")) current.replySent = nowNs();
    ncPublish(subject, payload, options);
  };
  // The Desk's order handler is entered (request decoded): the gateway's checks start here.
  const serve = deskBus.serve.bind(deskBus);
  deskBus.serve = <Req, Res>(subject: string, handler: RequestHandler<Req, Res>) =>
    serve<Req, Res>(
      subject,
      subject === deskOrder(DESK)
        ? (data, info) => {
            current.deskIn = nowNs();
            return handler(data, info);
          }
        : handler,
    );
  venue.onOrder = (phase) => {
    if (phase === "in") current.venueIn = nowNs();
    else current.venueOut = nowNs();
  };

  const desk = new Desk(
    {
      id: DESK,
      venue,
      watch: [MARKET],
      risk: {
        maxOrderNotional: "1000000",
        maxPositionNotional: "1000000000",
        maxDailyLoss: "1000000000",
        maxOrdersPerSecond: 1_000_000,
      },
      assetDecimals: { BTC: 8, USDT: 8 },
      cacheCandles: 100,
    },
    { bus: deskBus, clock, log, heartbeatMs: 0 },
  );
  const keys = HolderKeys.generate();
  desk.trustHolder(HOLDER, keys.publicKey);
  let started = false;
  const starting = desk.start().finally(() => {
    started = true;
  });
  await simulation.run({ shouldStop: () => started });
  await starting;
  await deskBus.flush();

  // The Trader's key, on disk as a state directory keeps it; its thread loads the same file.
  const traderKeysDir = keysDir(mkdtempSync(join(tmpdir(), "crypy-bench-keys-")));
  const traderKeys = ActorKeys.load(traderKeysDir, TRADER);
  const mandate: Mandate = keys.sign(
    {
      trader: TRADER,
      traderKey: traderKeys.publicKey,
      desk: DESK,
      market: MARKET,
      sides: ["buy", "sell"],
      maxNotional: "1000000000",
      expiresAt: clock.now() + 365 * 86_400_000,
      nonce: "bench-tick-to-order",
    },
    HOLDER,
  );
  const trader = await startTraderThread({
    kind: "crypy",
    url,
    tickSubject,
    orderSubject: deskOrder(DESK),
    desk: DESK,
    trader: TRADER,
    market: MARKET,
    amount: AMOUNT,
    mandate,
    keysDir: traderKeysDir,
    measureSizesFor,
  });
  let lastSizes: ByteSizes = { tick: 0, request: 0, reply: 0 };
  let orders = 0;

  return {
    mandate,
    holderKeys: keys,
    traderKeys,
    url,
    get orders() {
      return orders;
    },
    async ticks(n) {
      const samples: number[] = [];
      const stamps: Stamps[] = [];
      for (let i = 0; i < n; i++) {
        const handled = trader.nextTick();
        tickPublished = false;
        await simulation.run({ shouldStop: () => tickPublished });
        if (!tickPublished) throw new Error("the simulated market ran out of data");
        const report = await handled;
        orders++;
        if (report.sizes !== undefined) lastSizes = report.sizes;
        const s = {
          ...current,
          received: report.received,
          signed: report.signed,
          replied: report.replied,
        } as Stamps;
        samples.push(Number(s.replied - s.published) / 1_000);
        stamps.push(s);
      }
      return { samples, stamps };
    },
    sizes: () => lastSizes,
    async close() {
      await trader.close();
      await desk.stop();
      await venue.close();
      await simulation.stop();
      await deskBus.close();
    },
  };
}
