/**
 * The process a crash test kills: a Desk with its journal (a file in the state directory, or a
 * JetStream stream), on CcxtVenue
 * against `crypy venue serve`, driven by a seeded order flow as a Trader would send it (signed
 * requests under one Holder mandate). Run as `node --import tsx test/crash/driver.ts`, configured
 * by the environment:
 *
 *   CRASH_STATE   the state directory (journal, keys, counters, the flow's progress)
 *   CRASH_SERVER  the server's base URL;  CRASH_KEY / CRASH_SECRET  the account's made-up key
 *   CRASH_SEED    the flow's seed;  CRASH_OPS  how many operations the flow has
 *   CRASH_SNAPSHOT_EVERY  the Desk's snapshot interval in journal entries (default its own)
 *   CRASH_JOURNAL  file (default) or jetstream;  CRASH_NATS  the NATS URL the jetstream one needs
 *   CRYPY_CRASH_AT / CRYPY_CRASH_MARK  where to die (src/actors/runtime/crash-point.ts)
 *
 * The flow goes on from the operation after the last one it recorded as done, so a restart after
 * a kill carries on; the operation the kill interrupted is the Desk's to recover, not retried.
 * It ends by printing `{"done":true,...}` once every operation ran.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Desk } from "../../src/actors/desk/desk.js";
import type { DeskJournal } from "../../src/actors/desk/journal/entries.js";
import { FileDeskJournal } from "../../src/actors/desk/journal/file.js";
import { KeyRing } from "../../src/actors/identity/key-ring.js";
import { HolderKeys } from "../../src/actors/mandate.js";
import { signCancel, signOrder } from "../../src/actors/order-signature.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { deskOrder } from "../../src/bus/subjects.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import { Random } from "../../src/sim/random.js";
import { WallClock } from "../../src/time/wall-clock.js";
import { CcxtVenue } from "../../src/venues/ccxt/ccxt-venue.js";

const DESK = "crash-main";
const HOLDER = "crash-main_USDT";
const TRADER = "crash-main_BTC-USDT";
const MARKET = "BTC/USDT";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
};

const state = env("CRASH_STATE");
const server = env("CRASH_SERVER");
const ops = Number(env("CRASH_OPS"));
const random = new Random(env("CRASH_SEED"));

const progressFile = join(state, "progress");
const done = existsSync(progressFile) ? Number(readFileSync(progressFile, "utf8")) : 0;
function recordDone(i: number): void {
  const fd = openSync(progressFile, "w");
  writeSync(fd, String(i));
  fsyncSync(fd);
  closeSync(fd);
}

const ws = server.replace(/^http/, "ws");
const venue = await CcxtVenue.open({
  exchange: "binance",
  credentials: {
    env: true,
    variables: {
      CRYPY_BINANCE_API_KEY: env("CRASH_KEY"),
      CRYPY_BINANCE_SECRET: env("CRASH_SECRET"),
    },
  },
  urls: {
    api: {
      public: `${server}/api/v3`,
      private: `${server}/api/v3`,
      sapi: `${server}/sapi/v1`,
      ws: { spot: `${ws}/ws`, "ws-api": { spot: `${ws}/ws-api/v3` } },
    },
  },
  options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
});
const ring = KeyRing.at(state);
const journal = await openJournal();

/** The journal CRASH_JOURNAL names, and how to let it go at the end. */
async function openJournal(): Promise<DeskJournal & { close(): Promise<void> }> {
  const kind = process.env.CRASH_JOURNAL ?? "file";
  if (kind === "file") return FileDeskJournal.open(state, DESK);
  if (kind !== "jetstream") throw new Error(`CRASH_JOURNAL ${kind}: expected file or jetstream`);
  const { connect } = await import("@nats-io/transport-node");
  const { JetStreamDeskJournal } = await import("../../src/actors/desk/journal/jetstream.js");
  // Reconnects quickly and forever: the test restarts the server under a running Desk.
  const nc = await connect({
    servers: env("CRASH_NATS"),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
  });
  const js = await JetStreamDeskJournal.open(nc, DESK, { retryForMs: 20_000 });
  return {
    recovered: js.recovered,
    append: (entry) => js.append(entry),
    snapshot: (entries) => js.snapshot(entries),
    close: async () => {
      await js.close();
      await nc.close();
    },
  };
}
const bus = new LocalBus();
const clock = new WallClock();
const desk = new Desk(
  {
    id: DESK,
    venue,
    watch: [MARKET],
    risk: {
      maxOrderNotional: "100000",
      maxPositionNotional: "1000000",
      maxDailyLoss: "1000000",
      maxOrdersPerSecond: 1000,
    },
    assetDecimals: { BTC: 8, USDT: 8 },
    cacheCandles: 10,
    keys: ring,
    journal,
    // Small in some cases, so kills land around snapshots of the books and their recovery.
    ...(process.env.CRASH_SNAPSHOT_EVERY
      ? { snapshotEvery: Number(process.env.CRASH_SNAPSHOT_EVERY) }
      : {}),
  },
  { bus, clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
);
const holder = HolderKeys.of(ring.keys(HOLDER));
desk.trustHolder(HOLDER, holder.publicKey);
await desk.start();

// One mandate, the same bytes in every run (Ed25519 signs deterministically): its budget is the
// journal's to restore, never opened twice.
const traderKeys = ring.keys(TRADER);
const mandate = holder.sign(
  {
    trader: TRADER,
    traderKey: traderKeys.publicKey,
    desk: DESK,
    market: MARKET,
    sides: ["buy", "sell"],
    maxNotional: "1000000",
    expiresAt: 4_102_444_800_000, // 2100-01-01
    nonce: "crash-1",
  },
  HOLDER,
);
const seq = ring.counter(TRADER, "order-seq");

async function place(fields: Record<string, unknown>): Promise<Order | undefined> {
  const request = { trader: TRADER, market: MARKET, ...fields } as Parameters<typeof signOrder>[2];
  const proof = signOrder(traderKeys, DESK, request, "crash-1", seq.next());
  try {
    return await bus.request<Order>(deskOrder(DESK), {
      op: "place",
      ...request,
      mandate,
      ...proof,
    });
  } catch {
    return undefined; // refused (halted, no funds, …): the flow goes on
  }
}

async function cancelOne(): Promise<void> {
  const open = await venue.fetchOpenOrders(MARKET);
  const mine = open.filter((o) => o.clientOrderId.startsWith(DESK));
  const target = mine[random.int(0, Math.max(0, mine.length - 1))];
  if (target === undefined) return;
  const proof = signCancel(traderKeys, DESK, TRADER, target.clientOrderId, seq.next());
  await bus
    .request(deskOrder(DESK), { op: "cancel", trader: TRADER, id: target.clientOrderId, ...proof })
    .catch(() => undefined);
}

const touch = async () => {
  const book = await venue.fetchOrderBook(MARKET, 5);
  return { bid: Number(book.bids[0]![0]), ask: Number(book.asks[0]![0]) };
};
const price = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

for (let i = done; i < ops; i++) {
  const roll = random.next();
  const { bid, ask } = await touch();
  if (i === Math.floor(ops / 2)) {
    // The kill switch, mid-flow: cancels everything, then trading resumes.
    await desk.halt("crash test");
    desk.resume();
  } else if (i === 0 || i === 3 || (roll >= 0.3 && roll < 0.5)) {
    // Bigger than the best level: a part fills now, the rest rests (always at ops 0 and 3, so
    // every flow has partial fills).
    await place({ side: "buy", type: "limit", amount: "0.05", price: price(ask) });
  } else if (roll < 0.3) {
    await place({ side: "buy", type: "limit", amount: "0.002", price: price(bid * 0.98) });
  } else if (roll < 0.7) {
    await place({ side: "buy", type: "market", amount: "0.003" });
  } else if (roll < 0.85) {
    await place({ side: "sell", type: "market", amount: "0.002" });
  } else {
    await cancelOne();
  }
  recordDone(i + 1);
}

// Nothing left resting: an order that filled at the server after this process ended would be a
// fill no journal could have seen, and the check would blame the journal for it.
await desk.halt("end of the flow");
// Let the last states arrive and be journaled before the summary.
await new Promise((resolve) => setTimeout(resolve, 500));
process.stdout.write(`${JSON.stringify({ done: true, ops })}\n`);
await desk.stop();
await journal.close();
await venue.close();
process.exit(0);
