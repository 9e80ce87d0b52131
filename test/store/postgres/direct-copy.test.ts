/**
 * Facts (trades, book rows) are COPYed straight into their table when their keys are new, and
 * through staging when a key is already stored; a COPY the server refuses fails the write with
 * the server's reason and leaves the connection usable (postgres.js, patched: see patches/).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectPostgres } from "../../../src/store/postgres/connect.js";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { type PostgresStore, storeOn } from "../../../src/store/postgres/store.js";
import { TRADES, type TradeRow } from "../../../src/store/postgres/tables.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";

let db: TestDatabase;
let store: PostgresStore;
beforeAll(async () => {
  db = await createTestDatabase();
  store = storeOn(db.sql, (await migrate(db.sql)).layout);
});
afterAll(async () => {
  await db?.drop();
});

const T0 = Date.UTC(2024, 2, 1);
const trade = (market: string, i: number): TradeRow => ({
  venue: "v",
  market,
  tradeId: String(i),
  time: T0 + i * 1_000,
  price: `${100 + i}.5`,
  amount: "0.25",
  side: i % 2 === 0 ? "buy" : "sell",
  seq: i,
});
const range = (market: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => trade(market, from + k));

const stored = async (market: string) =>
  (
    await db.sql<{ trade_id: string }[]>`
      SELECT trade_id FROM trades WHERE venue = 'v' AND market = ${market} ORDER BY time`
  ).map((r) => Number(r.trade_id));

describe("postgres batch writer - direct COPY of facts", () => {
  test("new keys go in whole; a batch meeting stored keys writes only the new ones, and later batches go on", async () => {
    expect(await store.write(TRADES, range("A/B", 1, 10))).toEqual({
      rows: 10,
      inserted: 10,
      replaced: 0,
      duplicates: 0,
    });
    // A reconnect's overlap: 5..14, of which 5..10 are stored.
    expect(await store.write(TRADES, range("A/B", 5, 14))).toEqual({
      rows: 10,
      inserted: 4,
      replaced: 0,
      duplicates: 6,
    });
    // The stream's next batches (staged for a while after the conflict, then direct again).
    for (let from = 15; from <= 115; from += 10) {
      expect((await store.write(TRADES, range("A/B", from, from + 9))).inserted).toBe(10);
    }
    // Repeats within one batch are one row, on either path.
    const repeated = [...range("A/B", 125, 127), trade("A/B", 125)];
    expect(await store.write(TRADES, repeated)).toMatchObject({ inserted: 3, duplicates: 1 });
    expect(await stored("A/B")).toEqual(range("A/B", 1, 127).map((t) => Number(t.tradeId)));
    // Another stream was never slowed by A/B's conflict and never met one.
    expect((await store.write(TRADES, range("C/D", 1, 50))).inserted).toBe(50);
    expect(await stored("C/D")).toHaveLength(50);
  });

  test("COPYs side by side with other queries on a small pool: each on a connection of its own", async () => {
    // Two connections for four COPYs and a stream of small queries: the pool pipelines queries
    // onto busy connections, and one landing amid a COPY's data would break the protocol.
    const sql = connectPostgres(db.url, { max: 2 });
    const small = storeOn(sql, "native");
    try {
      const markets = ["P/A", "P/B", "P/C", "P/D"];
      const writes = markets.map((m) => small.write(TRADES, range(m, 1, 5_000)));
      const pings = Array.from({ length: 50 }, (_, i) => sql`SELECT ${i}::int AS i`);
      const counts = await Promise.all(writes);
      expect(counts.map((c) => c.inserted)).toEqual([5_000, 5_000, 5_000, 5_000]);
      expect((await Promise.all(pings)).map((r) => r[0]!.i)).toEqual(
        Array.from({ length: 50 }, (_, i) => i),
      );
      for (const m of markets) expect(await stored(m)).toHaveLength(5_000);
    } finally {
      await sql.end();
    }
  });

  test("a trade partition dropped behind the writer's back is made again on the direct path", async () => {
    const june = (i: number): TradeRow => ({ ...trade("E/F", i), time: Date.UTC(2024, 5, 1) + i });
    expect((await store.write(TRADES, [june(0)])).inserted).toBe(1);
    await db.sql`DROP TABLE trades_y2024m06`;
    expect((await store.write(TRADES, [june(1), june(2)])).inserted).toBe(2);
    expect(await stored("E/F")).toEqual([1, 2]);
  });

  test("a COPY the server refuses fails the write with its reason; nothing is half-written and the connection goes on", async () => {
    const bad = [trade("G/H", 1), { ...trade("G/H", 2), price: "not-a-price" }];
    await expect(store.write(TRADES, bad)).rejects.toThrow(/numeric.*not-a-price/);
    expect(await stored("G/H")).toEqual([]);
    // The same after a conflict, on the staging path.
    expect((await store.write(TRADES, [trade("G/H", 1)])).inserted).toBe(1);
    await expect(store.write(TRADES, [trade("G/H", 1), ...bad.slice(1)])).rejects.toThrow(
      /not-a-price/,
    );
    expect((await store.write(TRADES, range("G/H", 1, 3))).inserted).toBe(2);
    expect(await stored("G/H")).toEqual([1, 2, 3]);
    const aborted = await db.sql`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'idle in transaction (aborted)'`;
    expect(aborted).toEqual([{ n: 0 }]);
  });
});
