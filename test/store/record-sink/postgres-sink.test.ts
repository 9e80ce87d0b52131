/**
 * The Recorder's PostgreSQL sink on a real PostgreSQL: each kind into its table with its seq, a
 * candle's later version replacing the earlier, a blocked database as bounded memory and counted,
 * gap-recorded drops, and books by exchange sequence (leases: leases.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FundingRate } from "../../../src/domain/derivatives.js";
import type { OHLCV } from "../../../src/domain/market-data.js";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { type PostgresStore, storeOn } from "../../../src/store/postgres/store.js";
import type { StreamId } from "../../../src/store/record-sink/sink.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";
import { waitUntil } from "../../support/wait.js";
import { gapsOf, seqsIn, sinkOn, T0, trade } from "./support.js";

let db: TestDatabase;
let store: PostgresStore;
beforeAll(async () => {
  db = await createTestDatabase();
  store = storeOn(db.sql, (await migrate(db.sql)).layout);
});
afterAll(async () => {
  await db?.drop();
});

describe("record sink - postgres", () => {
  test("trades, candles, marks and funding go to their tables with their seqs; a replayed trade is stored once", async () => {
    const { sink, started } = sinkOn(store);
    await started;
    const trades: StreamId = { source: "v1", market: "BTC/USDT", kind: "trades" };
    expect((await sink.open(trades)).firstSeq).toBe(1);
    sink.take(trades, [trade(1), trade(2)], 1);
    sink.take(trades, [trade(3)], 2);
    sink.take(trades, [trade(3)], 3); // the venue said it again
    const perp: StreamId = { source: "v1", market: "BTC/USDT:USDT", kind: "mark" };
    const funding: StreamId = { ...perp, kind: "funding" };
    await sink.open(funding);
    const rate: FundingRate = {
      symbol: "BTC/USDT:USDT",
      timestamp: T0 + 5_000,
      markPrice: "42000.12",
      indexPrice: "41999.5",
      interestRate: "0.0001",
      fundingRate: "0.000125",
      fundingTimestamp: T0 + 8 * 3_600_000,
    };
    sink.take(perp, rate, 1);
    sink.take(funding, rate, 1);
    await sink.stop();
    const stored = await db.sql`
      SELECT trade_id, price::text, side, seq::int FROM trades WHERE venue = 'v1' ORDER BY trade_id`;
    expect(stored).toEqual([
      { trade_id: "1", price: "101.5", side: "sell", seq: 1 },
      { trade_id: "2", price: "102.5", side: "buy", seq: 1 },
      { trade_id: "3", price: "103.5", side: "sell", seq: 2 },
    ]);
    expect(await db.sql`SELECT mark_price::text, index_price::text, seq::int FROM marks`).toEqual([
      { mark_price: "42000.12", index_price: "41999.5", seq: 1 },
    ]);
    expect(
      await db.sql`SELECT funding_rate::text, funding_time, seq::int FROM funding_rates`,
    ).toEqual([{ funding_rate: "0.000125", funding_time: new Date(T0 + 8 * 3_600_000), seq: 1 }]);
    expect(sink.status()).toMatchObject({ store: "postgres", storeErrors: 0, dropped: [] });
  });

  test("a candle taken again with a later seq (recorded again) ends as its last version, in one batch or across batches", async () => {
    const { sink, started } = sinkOn(store);
    await started;
    const candles: StreamId = { source: "v2", market: "ETH/USDT", kind: "candles" };
    await sink.open(candles);
    const version = (close: number): OHLCV => [T0, 100, 110, 90, close, 7];
    // Across batches: each version written before the next arrives.
    for (const [seq, close] of [
      [1, 101],
      [2, 102],
      [3, 103],
    ] as const) {
      sink.take(candles, version(close), seq);
      expect(await sink.flush()).toBe(true);
    }
    // In one batch: the next minute's three versions together.
    sink.take(candles, [T0 + 60_000, 1, 1, 1, 201, 1], 4);
    sink.take(candles, [T0 + 60_000, 1, 1, 1, 202, 1], 5);
    sink.take(candles, [T0 + 60_000, 1, 1, 1, 203, 1], 6);
    await sink.stop();
    expect(
      await db.sql`SELECT close::text, version::int, seq::int FROM candles
        WHERE venue = 'v2' ORDER BY open_time`,
    ).toEqual([
      { close: "103", version: 3, seq: 3 },
      { close: "203", version: 6, seq: 6 },
    ]);
  });

  test("a database that blocks: queued rows stay within capacity, drops are counted, told and recorded as gaps; every seq is stored or in a gap", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let writes = 0;
    const blocked: PostgresStore = {
      ...store,
      write: async (spec, rows) => {
        writes++;
        await gate;
        return store.write(spec, rows);
      },
    };
    const { sink, events, started } = sinkOn(blocked, { capacity: 50, batchSize: 10 });
    await started;
    const trades: StreamId = { source: "v3", market: "BTC/USDT", kind: "trades" };
    await sink.open(trades);
    let mostQueued = 0;
    for (let seq = 1; seq <= 400; seq++) {
      sink.take(trades, [trade(seq)], seq);
      const queued = (sink.status().queues as { trades: { queued: number } }).trades.queued;
      mostQueued = Math.max(mostQueued, queued);
    }
    // The first batch waits on the database, and no other write starts meanwhile.
    await waitUntil(() => writes === 1, "the first batch's write");
    sink.take(trades, [trade(401)], 401);
    expect(writes).toBe(1);
    expect(mostQueued).toBeLessThanOrEqual(50);
    const status = sink.status() as { dropped: Array<{ kind: string; dropped: number }> };
    expect(status.dropped).toEqual([
      { source: "v3", market: "BTC/USDT", kind: "trades", dropped: 351 },
    ]);
    expect(events.filter((e) => e.event === "recorder.dropped")).toEqual([
      expect.objectContaining({ dropped: 1, policy: "newest", reason: "queue full" }),
    ]);
    release();
    await sink.stop();
    expect(events.filter((e) => e.event === "recorder.dropped").at(-1)).toMatchObject({
      total: 351,
    });
    const stored = await seqsIn(db.sql, "trades", "v3");
    expect(stored).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const gaps = await gapsOf(db.sql, "v3");
    expect(new Set(gaps.map((g) => `${g.kind} ${g.reason}`))).toEqual(
      new Set(["trades queue full"]),
    );
    const gapped = gaps.flatMap((g) =>
      Array.from({ length: g.to - g.from + 1 }, (_, i) => g.from + i),
    );
    expect([...stored, ...gapped]).toEqual(Array.from({ length: 401 }, (_, i) => i + 1));
  });

  test("books: a whole book as a snapshot; a sequenced feed's snapshot and diffs into their tables, by exchange sequence, diffs with their first and prev ids", async () => {
    const { sink, started } = sinkOn(store);
    await started;
    const book: StreamId = { source: "v6", market: "BTC/USDT", kind: "book" };
    await sink.open(book);
    const levels = { bids: [["100.5", "2"]], asks: [["100.6", "1.25"]] } as const;
    sink.take(book, { symbol: "BTC/USDT", timestamp: T0, ...levels }, 1); // no nonce: the seq
    sink.take(book, { symbol: "BTC/USDT", timestamp: T0 + 1_000, nonce: 777, ...levels }, 2);
    const snapshots: StreamId = { ...book, source: "v7", kind: "book.snapshot" };
    const diffs: StreamId = { ...book, source: "v7", kind: "book.diff" };
    sink.take(snapshots, { sequence: 1_000, timestamp: T0, ...levels }, 1);
    const diff = { sequence: 1_001, first: 999, timestamp: T0 + 100, bids: [["100.5", "0"]] };
    sink.take(diffs, { ...diff, asks: [] }, 1);
    sink.take(diffs, { ...diff, asks: [] }, 2);
    // A futures diff: its first and prev (pu) ids.
    const perp: StreamId = { ...diffs, market: "BTC/USDT:USDT" };
    sink.take(
      perp,
      { sequence: 2_010, first: 2_004, prev: 2_001, timestamp: T0, bids: [], asks: [] },
      1,
    );
    expect(await sink.flush()).toBe(true);
    expect(
      await db.sql`SELECT venue, sequence::int, bids, asks, seq::int FROM book_snapshots
        ORDER BY venue, sequence`,
    ).toEqual([
      { venue: "v6", sequence: 1, bids: [["100.5", "2"]], asks: [["100.6", "1.25"]], seq: 1 },
      { venue: "v6", sequence: 777, bids: [["100.5", "2"]], asks: [["100.6", "1.25"]], seq: 2 },
      { venue: "v7", sequence: 1_000, bids: [["100.5", "2"]], asks: [["100.6", "1.25"]], seq: 1 },
    ]);
    // The repeated diff (the same exchange sequence) is stored once.
    expect(
      await db.sql`SELECT sequence::int, first_sequence::int, prev_sequence::int, bids, asks,
        seq::int FROM book_diffs ORDER BY sequence`,
    ).toEqual([
      {
        sequence: 1_001,
        first_sequence: 999,
        prev_sequence: null,
        bids: [["100.5", "0"]],
        asks: [],
        seq: 1,
      },
      { sequence: 2_010, first_sequence: 2_004, prev_sequence: 2_001, bids: [], asks: [], seq: 1 },
    ]);
    await sink.stop();
  });
});
