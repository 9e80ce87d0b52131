/**
 * bench tick-to-order — how long crypy takes from a market-data tick to an accepted order, over NATS.
 *
 * crypy's chain (a private nats-server on a random port; the Desk on this thread, the Trader on a
 * worker thread of its own — trader-side.ts — each with its own NatsBus connection, as separate
 * processes would be: neither's work waits on the other's event loop):
 *   1. the real Desk publishes `crypy.md.sim-main.BTC-USDT.ticker` (t0: the Desk's bus.publish call);
 *   2. a Trader-like subscriber decodes it, updates a 20-tick SMA of `last` and decides a side (buy
 *      when flat, sell when long: a position that never grows, so no limit or budget runs out);
 *   3. it requests `crypy.desk.sim-main.order` (place, market, 0.001 BTC) with a real Ed25519
 *      mandate signed by a Holder key the Desk trusts;
 *   4. the Desk's gateway checks trading state, the mandate (signature, expiry, budget) and the
 *      risk limits, and places the order on a SimVenue, which fills it;
 *   5. the reply (the filled Order) is back at the Trader (t1). One tick at a time: the next is
 *      published once the Trader thread has reported this one.
 *
 * The venue answers at once: its latency is 0 and it runs on a VirtualClock that does not move
 * while an order is in flight — the venue connection fires the zero-delay timers already due
 * (`advanceTo(now)`) as soon as the order is sent, so the matching engine's work is measured and no
 * simulated delay is. Between ticks the clock moves to the next path point of a seeded gbm market.
 *
 * Peer, in the same run, on the same server and the same layout (its "trader" on its own thread),
 * with the connection option crypy's NatsBus uses (noAsyncTraces): raw nats.js with
 * no crypy code and no codec — the "desk" connection publishes a tick of the same byte size, the
 * "trader" connection's subscription callback calls `nc.request` with a payload the size of
 * crypy's order request, the "desk" connection's subscription answers with `msg.respond` with a
 * payload the size of crypy's reply. Same three messages, same sizes, nothing else: the transport
 * floor. After 300 warm-up ticks each, 4 rounds of 500 ticks alternate crypy and peer; p50 and p99
 * are over all 2,000 samples of each. On stderr, for context: where crypy's p50 goes, leg by leg
 * (stamps at the Desk's publish, the Trader's receipt, the Desk's order handler, the venue call and
 * the reply), the mandate check timed alone, and the tails of both distributions.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Desk } from "../../src/actors/desk/desk.js";
import { MandateBook } from "../../src/actors/desk/mandate-book.js";
import { ActorKeys, keysDir } from "../../src/actors/identity/keys.js";
import { HolderKeys, type Mandate } from "../../src/actors/mandate.js";
import { orderBytes, signOrder } from "../../src/actors/order-signature.js";
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
import { startNatsServer } from "../../test/harness/nats-server.js";
import { median, nowNs, quantile, report } from "../report.js";
import type { ByteSizes } from "./protocol.js";
import { startTraderThread } from "./trader-thread.js";

const DESK = "sim-main";
const MARKET = "BTC/USDT";
const TRADER = "sim-main_BTC-USDT";
const HOLDER = "sim-main_USDT";
const AMOUNT = "0.001";
const WARMUP_TICKS = 300;
const ROUNDS = 4;
const TICKS_PER_ROUND = 500;
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
interface Stamps {
  published: bigint;
  received: bigint;
  deskIn: bigint;
  venueIn: bigint;
  venueOut: bigint;
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

interface Crypy {
  /** Drives ticks one at a time; returns end-to-end µs per tick and where the time went. */
  ticks(n: number): Promise<{ samples: number[]; stamps: Stamps[] }>;
  readonly mandate: Mandate;
  readonly publicKey: string;
  readonly traderKeys: ActorKeys;
  /** Byte sizes of the last warm-up tick, order request and reply. */
  sizes(): ByteSizes;
  close(): Promise<void>;
}

async function startCrypy(url: string): Promise<Crypy> {
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
    measureSizesFor: WARMUP_TICKS,
  });
  let lastSizes: ByteSizes = { tick: 0, request: 0, reply: 0 };

  return {
    mandate,
    publicKey: keys.publicKey,
    traderKeys,
    async ticks(n) {
      const samples: number[] = [];
      const stamps: Stamps[] = [];
      for (let i = 0; i < n; i++) {
        const handled = trader.nextTick();
        tickPublished = false;
        await simulation.run({ shouldStop: () => tickPublished });
        if (!tickPublished) throw new Error("the simulated market ran out of data");
        const report = await handled;
        if (report.sizes !== undefined) lastSizes = report.sizes;
        const s = { ...current, received: report.received, replied: report.replied } as Stamps;
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

interface Peer {
  ticks(n: number): Promise<number[]>;
  close(): Promise<void>;
}

/** The peer's Desk side on this thread (publish, respond), its Trader side on its own thread. */
async function startPeer(url: string, sizes: ByteSizes): Promise<Peer> {
  const desk: NatsConnection = await connect({ servers: url, name: "peer-desk" });
  const tickBytes = new Uint8Array(sizes.tick).fill(0x78);
  const replyBytes = new Uint8Array(sizes.reply).fill(0x78);
  desk.subscribe("bench.peer.order", { callback: (_err, msg) => void msg.respond(replyBytes) });
  await desk.flush();
  const trader = await startTraderThread({
    kind: "peer",
    url,
    tickSubject: "bench.peer.tick",
    orderSubject: "bench.peer.order",
    sizes,
  });
  return {
    async ticks(n) {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const handled = trader.nextTick();
        const published = nowNs();
        desk.publish("bench.peer.tick", tickBytes);
        const { replied } = await handled;
        samples.push(Number(replied - published) / 1_000);
      }
      return samples;
    },
    async close() {
      await trader.close();
      await desk.close();
    },
  };
}

const us = (from: bigint, to: bigint) => Number(to - from) / 1_000;

/**
 * The per-order cost of the proofs, in process: signing an order as the Trader does, and the
 * Desk's check of it — MandateBook.authorize + commit on a decoded copy of the same mandate, with
 * the order's Ed25519 signature verified and its sequence checked every time. µs per order, median
 * of 5 runs of 1,000.
 */
function proofCostsUs(
  mandate: Mandate,
  publicKey: string,
  traderKeys: ActorKeys,
): { sign: number; check: number } {
  const book = new MandateBook(() => 8);
  book.trust(HOLDER, publicKey);
  const wire: unknown = JSON.parse(JSON.stringify(mandate));
  const order = { trader: TRADER, desk: DESK, market: MARKET, side: "buy" as const, notional: 1n };
  const fields = { trader: TRADER, market: MARKET, side: "buy", type: "market", amount: AMOUNT };
  const proofs = Array.from({ length: 6_000 }, (_, i) =>
    signOrder(traderKeys, DESK, fields, mandate.nonce, i + 1),
  );
  const sign: number[] = [];
  const check: number[] = [];
  for (let r = 0; r < 6; r++) {
    let start = nowNs();
    for (let i = 0; i < 1_000; i++) signOrder(traderKeys, DESK, fields, mandate.nonce, i + 1);
    if (r > 0) sign.push(Number(nowNs() - start) / 1_000 / 1_000);
    start = nowNs();
    for (let i = 0; i < 1_000; i++) {
      const proof = proofs[r * 1_000 + i]!;
      const bytes = (nonce: string, seq: number) => orderBytes(DESK, fields, nonce, seq);
      book.commit(book.authorize(order, wire, 0, { ...proof, bytes }));
    }
    if (r > 0) check.push(Number(nowNs() - start) / 1_000 / 1_000);
  }
  return { sign: median(sign), check: median(check) };
}

/** Where crypy's time goes: medians of each leg, on stderr. */
function breakdown(stamps: Stamps[]): string {
  const leg = (name: string, f: (s: Stamps) => number) =>
    `${name} ${median(stamps.map(f)).toFixed(0)} µs`;
  return [
    leg("tick Desk→Trader", (s) => us(s.published, s.received)),
    leg("Trader decides + request to the Desk's handler", (s) => us(s.received, s.deskIn)),
    leg("gateway checks (state, mandate, risk)", (s) => us(s.deskIn, s.venueIn)),
    leg("venue placement", (s) => us(s.venueIn, s.venueOut)),
    leg("reply Desk→Trader", (s) => us(s.venueOut, s.replied)),
  ].join(", ");
}

export async function run(): Promise<boolean> {
  const server = await startNatsServer({ jetstream: false });
  let crypy: Crypy | undefined;
  let peer: Peer | undefined;
  let ok = true;
  try {
    crypy = await startCrypy(server.url);
    await crypy.ticks(WARMUP_TICKS);
    const sizes = crypy.sizes();
    peer = await startPeer(server.url, sizes);
    await peer.ticks(WARMUP_TICKS);
    process.stderr.write(
      `tick-to-order: ${ROUNDS} x ${TICKS_PER_ROUND} ticks each after ${WARMUP_TICKS} warm-up; ` +
        `tick ${sizes.tick} B, order request ${sizes.request} B, reply ${sizes.reply} B\n`,
    );
    const ours: number[] = [];
    const theirs: number[] = [];
    const stamps: Stamps[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = await crypy.ticks(TICKS_PER_ROUND);
      ours.push(...round.samples);
      stamps.push(...round.stamps);
      theirs.push(...(await peer.ticks(TICKS_PER_ROUND)));
    }
    const costs = proofCostsUs(crypy.mandate, crypy.publicKey, crypy.traderKeys);
    process.stderr.write(
      `tick-to-order: crypy p50 legs: ${breakdown(stamps)}; per order: the Trader signs in ` +
        `${costs.sign.toFixed(0)} µs, the Desk's mandate and order-signature check (MandateBook.authorize + ` +
        `commit, an Ed25519 verify of every order) takes ${costs.check.toFixed(0)} µs\n`,
    );
    ok =
      report({
        bench: "tick-to-order.proofs",
        impl: "per order: Trader signs (Ed25519) + Desk verifies the order signature and its sequence",
        value: costs.sign + costs.check,
        unit: "us",
        peer: "the Desk's whole gateway leg, p50 (state, mandate, risk)",
        peer_value: median(stamps.map((st) => us(st.deskIn, st.venueIn))),
      }) && ok;
    ours.sort((a, b) => a - b);
    theirs.sort((a, b) => a - b);
    const spread = (xs: number[]) =>
      [0.9, 0.95, 0.99, 0.999].map((q) => `p${q * 100} ${quantile(xs, q).toFixed(0)}`).join(", ");
    process.stderr.write(`tick-to-order: crypy ${spread(ours)} µs; raw ${spread(theirs)} µs\n`);
    for (const [name, q] of [
      ["p50", 0.5],
      ["p99", 0.99],
    ] as const) {
      ok =
        report({
          bench: `tick-to-order.${name}`,
          impl: "crypy Desk → Trader → Desk gateway + SimVenue → reply (NatsBus)",
          value: quantile(ours, q),
          unit: "us",
          peer: "nats.js raw publish → subscriber → request → respond, same sizes, no codec",
          peer_value: quantile(theirs, q),
          ...(name === "p50" ? { goal: { atMost: 3 } } : {}),
        }) && ok;
    }
  } finally {
    await crypy?.close();
    await peer?.close();
    await server.cleanup();
  }
  return ok;
}
