import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { type BookEvent, readBook } from "../../../src/store/postgres/read-book.js";
import { readTrades } from "../../../src/store/postgres/read-trades.js";
import { type PostgresStore, storeOn } from "../../../src/store/postgres/store.js";
import {
  BOOK_DIFFS,
  BOOK_SNAPSHOTS,
  type BookRow,
  TRADES,
  type TradeRow,
} from "../../../src/store/postgres/tables.js";
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

const S = 1_000;
const T0 = Date.UTC(2024, 0, 31, 23, 59, 58); // the rows cross into February: two partitions
const venue = "binance";

async function collect(events: AsyncIterable<BookEvent>): Promise<BookEvent[]> {
  const out: BookEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("trades from PostgreSQL", () => {
  const market = "ETH/USDT";
  const trade = (id: string, at: number, price: string, side?: "buy" | "sell"): TradeRow => ({
    venue,
    market,
    tradeId: id,
    time: T0 + at,
    price,
    amount: "0.125",
    side,
  });

  beforeAll(async () => {
    // Written out of order; ids 9 and 10 share a millisecond.
    await store.write(TRADES, [
      trade("11", 3 * S, "2001.5", "sell"),
      trade("10", 2 * S, "2000.25", "buy"),
      trade("9", 2 * S, "2000.00000001"),
      trade("8", 1 * S, "1999", "buy"),
      trade("12", 4 * S, "2002", "buy"),
    ]);
  });

  test("a range comes in (time, trade id) order, ids numerically, decimals exact", async () => {
    const got = await readTrades(db.sql, { venue, market, from: T0 + 2 * S, to: T0 + 4 * S });
    expect(got).toEqual([
      { id: "9", timestamp: T0 + 2 * S, symbol: market, price: "2000.00000001", amount: "0.125" },
      {
        id: "10",
        timestamp: T0 + 2 * S,
        symbol: market,
        side: "buy",
        price: "2000.25",
        amount: "0.125",
      },
      {
        id: "11",
        timestamp: T0 + 3 * S,
        symbol: market,
        side: "sell",
        price: "2001.5",
        amount: "0.125",
      },
    ]);
  });

  test("pages continue after the last trade, none skipped or repeated", async () => {
    const ids: string[] = [];
    let after: { time: number; id: string } | undefined;
    for (;;) {
      const page = await readTrades(db.sql, {
        venue,
        market,
        limit: 2,
        ...(after === undefined ? {} : { after }),
      });
      ids.push(...page.map((t) => t.id));
      const last = page.at(-1);
      if (last === undefined || page.length < 2) break;
      after = { time: last.timestamp, id: last.id };
    }
    expect(ids).toEqual(["8", "9", "10", "11", "12"]);
  });

  test("a bad limit is refused, naming it", async () => {
    await expect(readTrades(db.sql, { venue, market, limit: 0 })).rejects.toThrow(
      /limit must be a whole number above 0, got 0/,
    );
  });
});

describe("books from PostgreSQL", () => {
  const market = "BTC/USDT";
  const row = (sequence: number, at: number, bids: string[][], asks: string[][]): BookRow => ({
    venue,
    market,
    sequence,
    time: T0 + at,
    bids: bids as [string, string][],
    asks: asks as [string, string][],
  });

  beforeAll(async () => {
    await store.write(BOOK_SNAPSHOTS, [
      row(
        100,
        0,
        [
          ["100.0", "1"],
          ["99.5", "2"],
        ],
        [
          ["100.5", "1"],
          ["101", "3"],
        ],
      ),
      row(107, 5 * S, [["99", "7"]], [["102", "1"]]),
    ]);
    await store.write(BOOK_DIFFS, [
      row(
        101,
        1 * S,
        [
          ["100.0", "0"],
          ["99.8", "4"],
        ],
        [["100.5", "0.5"]],
      ),
      row(
        103,
        2 * S,
        [],
        [
          ["100.25", "2"],
          ["101", "0"],
        ],
      ),
      row(104, 3 * S, [["99.5", "0"]], []),
      // updates 105..106 were lost: the gaps table says so; 106 and 107 are covered by snapshot 107
      row(106, 4 * S, [["1", "1"]], []),
      row(107, 5 * S, [["2", "1"]], []),
      row(108, 6 * S, [], [["101.5", "0.75"]]),
    ]);
    await store.recordGap({
      venue,
      market,
      kind: "book",
      fromSequence: 105,
      toSequence: 106,
      reason: "depth update U 107 skipped past 104 + 1",
    });
  });

  test("the book at `from` is the snapshot with the diffs up to it applied, then the diffs", async () => {
    const events = await collect(
      readBook(db.sql, { venue, market, from: T0 + 1.5 * S, to: T0 + 3 * S }),
    );
    // Rebuilt by hand: snapshot 100, then diff 101 (100.0 removed, 99.8 added, 100.5 now 0.5).
    expect(events).toEqual([
      {
        kind: "snapshot",
        sequence: 101,
        time: T0 + 1 * S,
        bids: [
          ["99.8", "4"],
          ["99.5", "2"],
        ],
        asks: [
          ["100.5", "0.5"],
          ["101", "3"],
        ],
      },
      {
        kind: "diff",
        first: 102,
        last: 103,
        time: T0 + 2 * S,
        bids: [],
        asks: [
          ["100.25", "2"],
          ["101", "0"],
        ],
      },
      { kind: "diff", first: 104, last: 104, time: T0 + 3 * S, bids: [["99.5", "0"]], asks: [] },
    ]);
  });

  test("a gaps-table row stops the chain: the gap is told and the next snapshot takes over", async () => {
    for (const pageSize of [5_000, 1]) {
      const events = await collect(
        readBook(db.sql, { venue, market, from: T0 + 2.5 * S, to: T0 + 60 * S, pageSize }),
      );
      expect(events.map((e) => e.kind)).toEqual(["snapshot", "diff", "gap", "snapshot", "diff"]);
      expect(events[0]).toMatchObject({
        sequence: 103,
        bids: [
          ["99.8", "4"],
          ["99.5", "2"],
        ],
        asks: [
          ["100.25", "2"],
          ["100.5", "0.5"],
        ],
      });
      expect(events[2]).toEqual({
        kind: "gap",
        after: 104,
        time: T0 + 3 * S,
        reason: "depth update U 107 skipped past 104 + 1",
      });
      // Diffs 106 and 107 never reach the book: snapshot 107 holds them.
      expect(events[3]).toEqual({
        kind: "snapshot",
        sequence: 107,
        time: T0 + 5 * S,
        bids: [["99", "7"]],
        asks: [["102", "1"]],
      });
      expect(events[4]).toEqual({
        kind: "diff",
        first: 108,
        last: 108,
        time: T0 + 6 * S,
        bids: [],
        asks: [["101.5", "0.75"]],
      });
    }
  });

  test("a gap mended before `from` is not told: the book at `from` is built past it", async () => {
    const events = await collect(
      readBook(db.sql, { venue, market, from: T0 + 7 * S, to: T0 + 8 * S }),
    );
    expect(events).toEqual([
      {
        kind: "snapshot",
        sequence: 108,
        time: T0 + 6 * S,
        bids: [["99", "7"]],
        asks: [
          ["101.5", "0.75"],
          ["102", "1"],
        ],
      },
    ]);
  });

  test("from before any snapshot starts at the first one; a market without rows gives nothing", async () => {
    const events = await collect(
      readBook(db.sql, { venue, market, from: T0 - 60 * S, to: T0 + 1 * S }),
    );
    expect(events.map((e) => [e.kind, e.kind === "diff" ? e.last : 0])).toEqual([
      ["snapshot", 0],
      ["diff", 101],
    ]);
    expect(
      await collect(readBook(db.sql, { venue, market: "SOL/USDT", from: T0, to: T0 })),
    ).toEqual([]);
  });

  test("update ids are ordered as numbers, not as text (99 before 100)", async () => {
    const other = "ETH/BTC";
    const at = (sequence: number, seconds: number, ask: string): BookRow => ({
      venue,
      market: other,
      sequence,
      time: T0 + seconds * S,
      bids: [],
      asks: [["0.05", ask]],
    });
    await store.write(BOOK_SNAPSHOTS, [at(98, 0, "1")]);
    await store.write(BOOK_DIFFS, [at(99, 1, "2"), at(100, 2, "3"), at(101, 3, "4")]);
    const events = await collect(
      readBook(db.sql, { venue, market: other, from: T0, to: T0 + 10 * S, pageSize: 2 }),
    );
    expect(events.map((e) => (e.kind === "diff" ? e.last : e.kind))).toEqual([
      "snapshot",
      99,
      100,
      101,
    ]);
  });

  test("from after to is refused, naming both", async () => {
    await expect(
      collect(readBook(db.sql, { venue, market, from: T0 + 1, to: T0 })),
    ).rejects.toThrow(InvalidInputError);
  });
});
