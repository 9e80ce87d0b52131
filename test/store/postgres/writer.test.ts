import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BatchQueue } from "../../../src/store/postgres/batch-queue.js";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { type PostgresStore, storeOn } from "../../../src/store/postgres/store.js";
import {
  BOOK_DIFFS,
  CANDLES,
  type CandleRow,
  TRADES,
  type TradeRow,
} from "../../../src/store/postgres/tables.js";
import type { WriteCounts } from "../../../src/store/postgres/write-batch.js";
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

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 31, 23, 58); // the batch crosses into February: two partitions

function candle(i: number, close: string, version = 0): CandleRow {
  return {
    venue: "binance",
    market: "BTC/USDT",
    timeframe: "1m",
    openTime: T0 + i * MINUTE,
    open: "100.1",
    high: "101.25",
    low: "99.000000001",
    close,
    volume: "123456789.123456789",
    version,
  };
}

describe("postgres batch writer", () => {
  test("a batch written twice writes once, and the counts say so", async () => {
    const rows = [0, 1, 2, 3].map((i) => candle(i, "100.5"));
    expect(await store.write(CANDLES, rows)).toEqual({
      rows: 4,
      inserted: 4,
      replaced: 0,
      duplicates: 0,
    });
    expect(await store.write(CANDLES, rows)).toEqual({
      rows: 4,
      inserted: 0,
      replaced: 0,
      duplicates: 4,
    });
    const stored = await db.sql`
      SELECT open::text, low::text, volume::text FROM candles ORDER BY open_time`;
    expect(stored).toHaveLength(4);
    // numeric: exact, as written.
    expect(stored[0]).toEqual({
      open: "100.1",
      low: "99.000000001",
      volume: "123456789.123456789",
    });
    const parts = await db.sql`
      SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'candles'::regclass`;
    expect(parts[0]!.n).toBe(2);
  });

  test("a candle updated three times keeps the last version; a replayed older one changes nothing", async () => {
    const at = 10;
    expect((await store.write(CANDLES, [candle(at, "100.2", 1)])).inserted).toBe(1);
    expect((await store.write(CANDLES, [candle(at, "100.3", 2)])).replaced).toBe(1);
    expect((await store.write(CANDLES, [candle(at, "100.4", 3)])).replaced).toBe(1);
    expect(await store.write(CANDLES, [candle(at, "100.3", 2)])).toEqual({
      rows: 1,
      inserted: 0,
      replaced: 0,
      duplicates: 1,
    });
    // Three versions in one batch: the highest wins.
    const inOne = [candle(20, "1.5", 5), candle(20, "1.7", 7), candle(20, "1.6", 6)].map((c) => ({
      ...c,
      low: "1",
    }));
    expect(await store.write(CANDLES, inOne)).toEqual({
      rows: 3,
      inserted: 1,
      replaced: 0,
      duplicates: 2,
    });
    const rows = await db.sql`
      SELECT close::text, version::int FROM candles
      WHERE open_time IN (${new Date(T0 + at * MINUTE)}, ${new Date(T0 + 20 * MINUTE)})
      ORDER BY open_time`;
    expect(rows).toEqual([
      { close: "100.4", version: 3 },
      { close: "1.7", version: 7 },
    ]);
  });

  test("a candle re-written at the same version with other values is replaced (a corrected file)", async () => {
    const at = 30;
    await store.write(CANDLES, [candle(at, "100.2")]);
    expect(await store.write(CANDLES, [candle(at, "100.9")])).toEqual({
      rows: 1,
      inserted: 0,
      replaced: 1,
      duplicates: 0,
    });
    // Equal as numbers: nothing to replace.
    expect((await store.write(CANDLES, [candle(at, "100.90")])).duplicates).toBe(1);
    const [row] = await db.sql`
      SELECT close::text FROM candles WHERE open_time = ${new Date(T0 + at * MINUTE)}`;
    expect(row!.close).toBe("100.9");
  });

  test("trades and book diffs: a replay writes nothing; any text survives COPY", async () => {
    const trades: TradeRow[] = [
      { venue: "v", market: "M/N", tradeId: "1", time: T0, price: "0.1", amount: "2", side: "buy" },
      { venue: "v", market: "M/N", tradeId: "a\tb\\c\nd", time: T0 + 1, price: 3, amount: 4 },
    ];
    expect((await store.write(TRADES, trades)).inserted).toBe(2);
    expect((await store.write(TRADES, trades)).duplicates).toBe(2);
    const ids = await db.sql`SELECT trade_id, side FROM trades ORDER BY time`;
    expect(ids).toEqual([
      { trade_id: "1", side: "buy" },
      { trade_id: "a\tb\\c\nd", side: null },
    ]);
    const diff = {
      venue: "v",
      market: "M/N",
      sequence: 42,
      time: T0,
      bids: [["0.10000000", "1.5"]] as const,
      asks: [] as const,
    };
    expect((await store.write(BOOK_DIFFS, [diff, { ...diff }])).inserted).toBe(1);
    expect((await store.write(BOOK_DIFFS, [diff])).duplicates).toBe(1);
    const [row] = await db.sql`SELECT bids FROM book_diffs`;
    expect(row!.bids).toEqual([["0.10000000", "1.5"]]);
  });

  test("a partition dropped behind the writer's back is made again", async () => {
    const may = (i: number) => ({
      ...candle(i, "100.5"),
      openTime: Date.UTC(2024, 4, 1) + i * MINUTE,
    });
    expect((await store.write(CANDLES, [may(0)])).inserted).toBe(1);
    await db.sql`DROP TABLE candles_y2024m05`;
    expect((await store.write(CANDLES, [may(0), may(1)])).inserted).toBe(2);
  });

  test("gaps are recorded once", async () => {
    const gap = {
      venue: "v",
      market: "M/N",
      kind: "book",
      fromSequence: 43,
      toSequence: 50,
      reason: "sequence jumped",
    };
    expect(await store.recordGap(gap)).toBe(true);
    expect(await store.recordGap(gap)).toBe(false);
    expect(await store.recordGap({ ...gap, kind: "trades" })).toBe(true);
  });

  test("queue - bounded, drops counted and reported, everything else written once", async () => {
    const drops: number[] = [];
    const lost: string[] = [];
    const queue = store.queue(TRADES, {
      capacity: 5,
      batchSize: 5,
      onDrop: (n, _policy, rows) => {
        drops.push(n);
        lost.push(...rows.map((r) => r.tradeId));
      },
    });
    const trade = (i: number): TradeRow => ({
      venue: "q",
      market: "M/N",
      tradeId: String(i),
      time: T0 + i,
      price: "1",
      amount: "1",
    });
    expect(queue.push([1, 2, 3].map(trade))).toBe(0);
    expect(queue.push([4, 5, 6, 7].map(trade))).toBe(2);
    await queue.flush();
    queue.push([1, 2].map(trade)); // a replay
    await queue.flush();
    expect(drops).toEqual([2]);
    expect(lost).toEqual(["6", "7"]); // newest: the incoming rows past capacity
    expect(queue.stats).toMatchObject({ queued: 0, inserted: 5, duplicates: 2, dropped: 2 });
    const [n] = await db.sql`SELECT count(*)::int AS n FROM trades WHERE venue = 'q'`;
    expect(n!.n).toBe(5);
  });
});

describe("batch queue", () => {
  const ok = (rows: number[]): Promise<WriteCounts> =>
    Promise.resolve({ rows: rows.length, inserted: rows.length, replaced: 0, duplicates: 0 });

  test("queue - drop oldest keeps the newest rows within capacity", async () => {
    const written: number[] = [];
    const lost: number[][] = [];
    const queue = new BatchQueue<number>(
      (rows) => {
        written.push(...rows);
        return ok(rows);
      },
      { capacity: 3, batchSize: 3, drop: "oldest", onDrop: (_n, _p, rows) => lost.push([...rows]) },
    );
    // 5 rows into 3 places: 1 and 2 go, and the drop names them.
    expect(queue.push([1, 2, 3, 4, 5])).toBe(2);
    await queue.flush();
    expect(written).toEqual([3, 4, 5]);
    expect(lost).toEqual([[1, 2]]);
    expect(queue.stats.dropped).toBe(2);
  });

  test("queue - a failed write keeps its rows and is retried by the next flush", async () => {
    let fail = true;
    const written: number[] = [];
    const queue = new BatchQueue<number>(
      (rows) => {
        if (fail) return Promise.reject(new Error("connection lost"));
        written.push(...rows);
        return ok(rows);
      },
      { capacity: 10, batchSize: 2 },
    );
    queue.push([1, 2, 3]);
    await expect(queue.flush()).rejects.toThrow("connection lost");
    expect(queue.stats.queued).toBe(3);
    fail = false;
    await queue.flush();
    expect(written).toEqual([1, 2, 3]);
    expect(queue.stats).toMatchObject({ queued: 0, inserted: 3, batches: 2 });
  });

  test("queue - capacity and batch size are checked", () => {
    expect(() => new BatchQueue(ok, { capacity: 0, batchSize: 1 })).toThrow(/capacity/);
    expect(() => new BatchQueue(ok, { capacity: 2, batchSize: 3 })).toThrow(/batchSize/);
  });
});
