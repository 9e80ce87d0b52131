/**
 * bench journal, part 3 — a Desk's restart over a journal of 1,000,000 entries: the time from
 * `desk.start()` to trading, replay and reconciliation included, less the same start over an
 * empty journal (the markets, candles and balances every start loads).
 *
 * The journal is a Desk's own: 250,000 limit buys of 0.001 BTC/USDT, each an intent, an
 * acknowledgement, a partial fill and the closing fill (four entries), under one mandate, and 100
 * more acknowledged but unknown to the venue, so the reconciliation looks up 100 orders by client
 * id and releases them: 1,000,200 entries. The venue is the in-process simulator on a wall clock.
 * Checks: the Desk's recovery reports every entry, 100 looked up and 100 released, none open.
 * Peer: FileJournal.open of
 * the same file (reading, checking and parsing it), so the ratio is what replay and
 * reconciliation add. Reported, no goal.
 */
import { join } from "node:path";
import { Desk } from "../src/actors/desk/desk.js";
import type { DeskEntry } from "../src/actors/desk/journal/entries.js";
import { FileDeskJournal } from "../src/actors/desk/journal/file.js";
import type { ActorEvent } from "../src/actors/runtime/actor.js";
import { LocalBus } from "../src/bus/local/local-bus.js";
import { allActorEvents } from "../src/bus/subjects.js";
import type { Order } from "../src/domain/order.js";
import { FileJournal } from "../src/journal/journal.js";
import { createLogger } from "../src/log/logger.js";
import { DEFAULT_VENUE_FILE } from "../src/sim/config/load.js";
import { createSimulation } from "../src/venues/sim/simulation.js";
import { unsynced } from "./journal.js";
import { elapsedSeconds, nowNs, report } from "./report.js";

const ORDERS = 250_100;
const OPEN = 100;
const DESK = "bench-main";
const TRADER = "bench-main_BTC-USDT";

function order(k: number, filled: string, cost: string, status: Order["status"]): Order {
  return {
    id: String(k),
    clientOrderId: `${DESK}-BTC-USDT-${k}`,
    timestamp: 1_700_000_000_000 + k,
    symbol: "BTC/USDT",
    type: "limit",
    side: "buy",
    timeInForce: "GTC",
    price: "40000",
    amount: "0.001",
    filled,
    remaining: (0.001 - Number(filled)).toFixed(8),
    ...(filled === "0" ? {} : { average: "40000" }),
    cost,
    status,
    postOnly: false,
    reduceOnly: false,
  };
}

function entries(k: number): DeskEntry[] {
  const intent: DeskEntry = {
    kind: "desk.intent",
    clientOrderId: `${DESK}-BTC-USDT-${k}`,
    trader: TRADER,
    market: "BTC/USDT",
    side: "buy",
    nonce: "bench-1",
    price: "40000",
    amount: "100000",
    budget: "4004000000",
    closing: "0",
    excess: "0",
    mandate: {
      fingerprint: "bench",
      trader: TRADER,
      traderKey: "bench-key",
      market: "BTC/USDT",
      max: "100000000000000000",
    },
    signed: { key: "bench-key", seq: k },
  };
  // The last orders were acknowledged and then, as far as the venue knows, never existed.
  if (k > ORDERS - OPEN) return [intent, { kind: "desk.order", order: order(k, "0", "0", "open") }];
  return [
    intent,
    { kind: "desk.order", order: order(k, "0", "0", "open") },
    { kind: "desk.order", order: order(k, "0.0005", "20", "open") },
    { kind: "desk.order", order: order(k, "0.001", "40", "closed") },
  ];
}

async function startDesk(dir: string, name: string) {
  const simulation = await createSimulation(DEFAULT_VENUE_FILE, {
    clock: { speed: 1, historyMs: 3_600_000 },
  });
  simulation.start();
  const journal = await FileDeskJournal.open(dir, name);
  const bus = new LocalBus();
  const desk = new Desk(
    {
      id: DESK,
      venue: simulation.venue("main"),
      watch: ["BTC/USDT"],
      risk: {
        maxOrderNotional: "1000000",
        maxPositionNotional: "1000000000",
        maxDailyLoss: "1000000000",
        maxOrdersPerSecond: 1000,
      },
      assetDecimals: { BTC: 8, USDT: 8 },
      cacheCandles: 10,
      journal,
    },
    { bus, clock: simulation.clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
  );
  let recovered: ActorEvent | undefined;
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => {
    if (e.event === "desk.recovered") recovered = e;
  });
  const start = nowNs();
  await desk.start();
  const ms = elapsedSeconds(start) * 1000;
  await bus.flush();
  await desk.stop();
  await journal.close();
  await simulation.stop();
  return { ms, recovered };
}

export async function deskReplay(dir: string): Promise<boolean> {
  const build = await FileJournal.open<DeskEntry>(join(dir, "journal"), {
    name: "big-desk",
    files: unsynced,
  });
  for (let k = 1; k <= ORDERS; k += 1000) {
    const batch: DeskEntry[] = [];
    for (let j = k; j < k + 1000 && j <= ORDERS; j++) batch.push(...entries(j));
    await build.appendAll(batch);
  }
  await build.close();
  const empty = await startDesk(dir, "empty-desk");
  const full = await startDesk(dir, "big-desk");
  const start = nowNs();
  const opened = await FileJournal.open<DeskEntry>(join(dir, "journal"), { name: "big-desk" });
  const openMs = elapsedSeconds(start) * 1000;
  const count = opened.recovered.entries.length;
  await opened.close();
  const built = (ORDERS - OPEN) * 4 + OPEN * 2;
  const r = full.recovered;
  if (r?.entries !== built || r.lookedUp !== OPEN || r.lost !== OPEN || r.open !== 0) {
    throw new Error(`the Desk's recovery: ${JSON.stringify(r)} of ${count} entries`);
  }
  return report({
    bench: "journal",
    impl: `Desk restart: replay and reconcile ${built} entries (${ORDERS} orders, ${OPEN} looked up)`,
    value: full.ms - empty.ms,
    unit: "ms",
    peer: "FileJournal.open of the same journal",
    peer_value: openMs,
  });
}
