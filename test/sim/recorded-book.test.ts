/**
 * The simulator on a market recorded into PostgreSQL (venue file `data: { source: recorded }`):
 * orders fill against the recorded L2 book as it stood at that instant — its snapshot, then each
 * diff at its time — and the path is the recorded trades. Rows are written through the store's
 * write path into a real PostgreSQL database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { buildSimulator, loadFeeds } from "../../src/sim/build.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { runVirtual } from "../../src/sim/driver.js";
import { migrate } from "../../src/store/postgres/migrate.js";
import { storeOn } from "../../src/store/postgres/store.js";
import { BOOK_DIFFS, BOOK_SNAPSHOTS, TRADES } from "../../src/store/postgres/tables.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { createTestDatabase, type TestDatabase } from "../harness/postgres.js";
import { simSettling } from "../support/sim-settle.js";

const S = 1_000;
const T0 = Date.UTC(2024, 4, 1);
const BTC = "BTC/USDT";
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const store = storeOn(db.sql, (await migrate(db.sql)).layout);
  const row = { venue: "binance", market: BTC };
  await store.write(BOOK_SNAPSHOTS, [
    {
      ...row,
      sequence: 500,
      time: T0 - 10 * S,
      bids: [["100.00", "1"]],
      asks: [
        ["101.00", "0.5"],
        ["102.00", "1"],
      ],
    },
  ]);
  await store.write(BOOK_DIFFS, [
    // At T0+30 s the best ask shrinks to 0.2 and a level appears at 101.50.
    {
      ...row,
      sequence: 503,
      time: T0 + 30 * S,
      bids: [],
      asks: [
        ["101.00", "0.2"],
        ["101.50", "0.4"],
      ],
    },
  ]);
  await store.write(
    TRADES,
    [10, 20, 40, 50].map((s) => ({
      ...row,
      tradeId: String(9000 + s),
      time: T0 + s * S,
      price: "100.50",
      amount: "0.01",
      side: "buy" as const,
    })),
  );
});
afterAll(async () => {
  await db?.drop();
});

function venueFile(from: string, to: string): string {
  return `name: recorded
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
fees: { maker: "0", taker: "0" }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "1000"
    minNotional: "1"
    data: { source: recorded, store: "${db.url}?venue=binance", from: "${from}", to: "${to}" }
accounts:
  alice: { USDT: "10000" }
latency: { fixedMs: 0, jitterMs: 0 }
# The synthetic makers' settings are still required; a recorded book takes their place.
liquidity:
  levelNotional: "1000"
  inventory: { BTC: "1000", USDT: "1000000" }
`;
}

async function recordedSim() {
  const config = parseVenueConfig(
    venueFile(new Date(T0).toISOString(), new Date(T0 + 60 * S).toISOString()),
    { file: "recorded.yaml", baseDir: "." },
  );
  const feeds = await loadFeeds(config);
  const clock = new VirtualClock(T0);
  const sim = buildSimulator(config, feeds, { clock });
  return { sim, until: (ms: number) => runVirtual(sim, clock, { until: ms }) };
}

const fills = (sim: Awaited<ReturnType<typeof recordedSim>>["sim"]) =>
  sim.myTrades("alice").map((f) => [f.price, f.amount]);

describe("sim - a recorded L2 book as the liquidity", () => {
  it("sim - a limit buy crossing the recorded best ask fills at the recorded levels, then at the book the diff left", async () => {
    const { sim, until } = await recordedSim();
    await until(T0 + 15 * S);
    expect(sim.orderBook(BTC, 5)).toMatchObject({
      bids: [["100", "1"]],
      asks: [
        ["101", "0.5"],
        ["102", "1"],
      ],
    });
    const first = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "0.6",
      price: "102",
    });
    expect(first).toMatchObject({ status: "closed", filled: "0.6" });
    expect(fills(sim)).toEqual([
      ["101", "0.5"],
      ["102", "0.1"],
    ]);
    // Taken stays taken until the recording speaks of the level again.
    expect(sim.orderBook(BTC, 5).asks).toEqual([["102", "0.9"]]);

    await until(T0 + 40 * S);
    const second = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "0.5",
      price: "101.5",
    });
    expect(second).toMatchObject({ status: "closed", filled: "0.5" });
    expect(fills(sim).slice(2)).toEqual([
      ["101", "0.2"],
      ["101.5", "0.3"],
    ]);
  });

  it("sim - a limit buy below the recorded best ask rests", async () => {
    const { sim, until } = await recordedSim();
    await until(T0 + 15 * S);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "0.1",
      price: "100.9",
    });
    expect(order).toMatchObject({ status: "open", filled: "0" });
    expect(fills(sim)).toEqual([]);
  });

  it("sim - through the Venue interface: the simulation starts at the first trade and shows the recorded book", async () => {
    const config = parseVenueConfig(
      venueFile(new Date(T0).toISOString(), new Date(T0 + 60 * S).toISOString()),
      { file: "recorded.yaml", baseDir: "." },
    );
    const simulation = await createSimulation(config);
    const bus = new LocalBus();
    const { settle, advance } = simSettling(simulation, bus);
    expect(simulation.clock.now()).toBe(T0 + 10 * S);
    await advance(25 * S);
    const book = await settle(simulation.venue("alice").fetchOrderBook(BTC, 5));
    expect(book.asks).toEqual([
      ["101", "0.2"],
      ["101.5", "0.4"],
      ["102", "1"],
    ]);
    await bus.close();
  });

  it("sim - a recorded range that ends before it starts is refused at the field", () => {
    expect(() =>
      parseVenueConfig(venueFile("2024-05-01T00:01:00Z", "2024-05-01T00:00:00Z"), {
        file: "recorded.yaml",
        baseDir: ".",
      }),
    ).toThrow(/markets\."BTC\/USDT"\.data\.to: must be after from/);
  });
});
