/**
 * Recorded books whose diffs carry their first (and, futures, prev) update ids (migration 4):
 * the reader checks each diff follows the book by Binance's rules, tells a break no gaps row
 * covers as a gap and never applies the breaking diff; contiguous spot and futures diffs rebuild
 * exactly; rows stored before migration 4 keep no ids and read as before.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { type BookEvent, readBook } from "../../../src/store/postgres/read-book.js";
import { MIGRATIONS } from "../../../src/store/postgres/schema.js";
import { type PostgresStore, storeOn } from "../../../src/store/postgres/store.js";
import {
  BOOK_DIFFS,
  BOOK_SNAPSHOTS,
  type BookDiffRow,
  type BookRow,
  type TableSpec,
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
const T0 = Date.UTC(2024, 4, 1, 12);
const venue = "binance";
type Side = [string, string][];

async function collect(events: AsyncIterable<BookEvent>): Promise<BookEvent[]> {
  const out: BookEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const snapshot = (market: string, sequence: number, at: number, bids: Side, asks: Side) =>
  ({ venue, market, sequence, time: T0 + at, bids, asks }) satisfies BookRow;

/** A diff of update ids first..last (prev: futures pu) stored at T0 + at. */
const diff = (
  market: string,
  ids: { first?: number; last: number; prev?: number },
  at: number,
  bids: Side,
  asks: Side = [],
): BookDiffRow => ({
  venue,
  market,
  sequence: ids.last,
  firstSequence: ids.first,
  prevSequence: ids.prev,
  time: T0 + at,
  bids,
  asks,
});

describe("read book - the stored diffs' chain", () => {
  const spot = "BTC/USDT";

  beforeAll(async () => {
    await store.write(BOOK_SNAPSHOTS, [
      snapshot(spot, 100, 0, [["99", "1"]], [["101", "1"]]),
      snapshot(spot, 110, 4.5 * S, [["98", "5"]], [["102", "5"]]),
    ]);
    await store.write(BOOK_DIFFS, [
      // Joins snapshot 100 across it (95 <= 101 <= 102), as Binance allows the first diff.
      diff(spot, { first: 95, last: 102 }, 1 * S, [["99.5", "2"]]),
      diff(spot, { first: 103, last: 104 }, 2 * S, [["99", "0"]]),
      diff(spot, { first: 105, last: 105 }, 3 * S, [], [["100.5", "3"]]),
      // Updates 106..107 were never stored and no gaps row says so.
      diff(spot, { first: 108, last: 110 }, 4 * S, [["1", "1"]], [["2", "1"]]),
      diff(spot, { first: 111, last: 112 }, 5 * S, [["98", "0"]]),
    ]);
  });

  test("spot - a missing diff with no gaps row is told as a gap after the last id that chained; the next snapshot takes over", async () => {
    for (const pageSize of [5_000, 1]) {
      const events = await collect(
        readBook(db.sql, { venue, market: spot, from: T0 + 1.5 * S, to: T0 + 60 * S, pageSize }),
      );
      expect(events).toEqual([
        {
          kind: "snapshot",
          sequence: 102,
          time: T0 + 1 * S,
          bids: [
            ["99.5", "2"],
            ["99", "1"],
          ],
          asks: [["101", "1"]],
        },
        { kind: "diff", first: 103, last: 104, time: T0 + 2 * S, bids: [["99", "0"]], asks: [] },
        {
          kind: "diff",
          first: 105,
          last: 105,
          time: T0 + 3 * S,
          bids: [],
          asks: [["100.5", "3"]],
        },
        {
          kind: "gap",
          after: 105,
          time: T0 + 3 * S,
          reason: "stored diffs break with no gap recorded: U 108 is not the last u 105 + 1",
        },
        // Diff 108..110 is never applied: snapshot 110 holds it, without its levels 1 and 2.
        {
          kind: "snapshot",
          sequence: 110,
          time: T0 + 4.5 * S,
          bids: [["98", "5"]],
          asks: [["102", "5"]],
        },
        { kind: "diff", first: 111, last: 112, time: T0 + 5 * S, bids: [["98", "0"]], asks: [] },
      ]);
    }
  });

  test("spot - a break with no snapshot past it ends the read after the gap", async () => {
    const market = "ETH/USDT";
    await store.write(BOOK_SNAPSHOTS, [snapshot(market, 10, 0, [["9", "1"]], [["11", "1"]])]);
    await store.write(BOOK_DIFFS, [
      diff(market, { first: 11, last: 12 }, 1 * S, [["9", "2"]]),
      // Overlaps the diff before it: only the first diff after a snapshot may start below id + 1.
      diff(market, { first: 12, last: 14 }, 2 * S, [["8", "1"]]),
      diff(market, { first: 15, last: 15 }, 3 * S, [["7", "1"]]),
    ]);
    const events = await collect(readBook(db.sql, { venue, market, from: T0, to: T0 + 60 * S }));
    expect(events.map((e) => (e.kind === "diff" ? e.last : e.kind))).toEqual([
      "snapshot",
      12,
      "gap",
    ]);
    expect(events[2]).toMatchObject({ after: 12, reason: /U 12 is not the last u 12 \+ 1/ });
  });

  test("spot - a break a gaps row covers is told with the recorded reason, once", async () => {
    const market = "XRP/USDT";
    await store.write(BOOK_SNAPSHOTS, [
      snapshot(market, 50, 0, [["0.5", "1"]], [["0.6", "1"]]),
      snapshot(market, 60, 3 * S, [["0.5", "9"]], [["0.6", "9"]]),
    ]);
    await store.write(BOOK_DIFFS, [
      diff(market, { first: 51, last: 52 }, 1 * S, [["0.5", "2"]]),
      diff(market, { first: 58, last: 59 }, 2 * S, [["0.5", "3"]]),
      diff(market, { first: 61, last: 61 }, 4 * S, [["0.5", "4"]]),
    ]);
    await store.recordGap({
      venue,
      market,
      kind: "book",
      fromSequence: 53,
      toSequence: 57,
      reason: "depth update U 58 skipped past 52 + 1",
    });
    const events = await collect(readBook(db.sql, { venue, market, from: T0, to: T0 + 60 * S }));
    expect(events.filter((e) => e.kind === "gap")).toEqual([
      { kind: "gap", after: 52, time: T0 + 1 * S, reason: "depth update U 58 skipped past 52 + 1" },
    ]);
    expect(events.map((e) => (e.kind === "diff" ? e.last : e.kind))).toEqual([
      "snapshot",
      52,
      "gap",
      "snapshot",
      61,
    ]);
  });

  test("spot - contiguous diffs rebuild the book exactly, at any `from`", async () => {
    const market = "SOL/USDT";
    await store.write(BOOK_SNAPSHOTS, [
      snapshot(
        market,
        1_000,
        0,
        [
          ["150.10", "4"],
          ["150.00", "2"],
        ],
        [["150.20", "1"]],
      ),
    ]);
    await store.write(BOOK_DIFFS, [
      diff(market, { first: 998, last: 1_001 }, 1 * S, [["150.10", "0"]], [["150.15", "0.5"]]),
      diff(market, { first: 1_002, last: 1_004 }, 2 * S, [["150.05", "7"]]),
      diff(market, { first: 1_005, last: 1_005 }, 3 * S, [], [["150.15", "0"]]),
      diff(market, { first: 1_006, last: 1_009 }, 4 * S, [["150.00", "2.5"]]),
    ]);
    const events = await collect(
      readBook(db.sql, { venue, market, from: T0 + 3.5 * S, to: T0 + 60 * S }),
    );
    // By hand: 150.10 removed, 150.15 ask added then removed, 150.05 added, then 150.00 at 2.5.
    expect(events).toEqual([
      {
        kind: "snapshot",
        sequence: 1_005,
        time: T0 + 3 * S,
        bids: [
          ["150.05", "7"],
          ["150.00", "2"],
        ],
        asks: [["150.20", "1"]],
      },
      {
        kind: "diff",
        first: 1_006,
        last: 1_009,
        time: T0 + 4 * S,
        bids: [["150.00", "2.5"]],
        asks: [],
      },
    ]);
  });

  const perp = "BTC/USDT:USDT";

  test("futures - diffs chained by pu rebuild exactly, though U skips; a snapshot between two events joins by pu", async () => {
    await store.write(BOOK_SNAPSHOTS, [
      snapshot(perp, 1_000, 0, [["60000", "1"]], [["60001", "1"]]),
      snapshot(perp, 1_030, 3.5 * S, [["59990", "3"]], [["60010", "3"]]),
    ]);
    await store.write(BOOK_DIFFS, [
      // Spans snapshot 1000 (990 <= 1000 <= 1005): the first diff after it.
      diff(perp, { first: 990, last: 1_005, prev: 985 }, 1 * S, [["60000", "2"]]),
      diff(perp, { first: 1_010, last: 1_012, prev: 1_005 }, 2 * S, [], [["60001", "0"]]),
      diff(perp, { first: 1_020, last: 1_030, prev: 1_012 }, 3 * S, [["59999", "1"]]),
      // Starts past snapshot 1030 but chains to it (pu = 1030).
      diff(perp, { first: 1_040, last: 1_041, prev: 1_030 }, 4 * S, [], [["60010", "0"]]),
    ]);
    const early = await collect(
      readBook(db.sql, { venue, market: perp, from: T0 + 2.5 * S, to: T0 + 3 * S }),
    );
    expect(early).toEqual([
      {
        kind: "snapshot",
        sequence: 1_012,
        time: T0 + 2 * S,
        bids: [["60000", "2"]],
        asks: [],
      },
      {
        kind: "diff",
        first: 1_013,
        last: 1_030,
        time: T0 + 3 * S,
        bids: [["59999", "1"]],
        asks: [],
      },
    ]);
    const late = await collect(
      readBook(db.sql, { venue, market: perp, from: T0 + 3.5 * S, to: T0 + 60 * S }),
    );
    expect(late).toEqual([
      {
        kind: "snapshot",
        sequence: 1_030,
        time: T0 + 3.5 * S,
        bids: [["59990", "3"]],
        asks: [["60010", "3"]],
      },
      {
        kind: "diff",
        first: 1_031,
        last: 1_041,
        time: T0 + 4 * S,
        bids: [],
        asks: [["60010", "0"]],
      },
    ]);
  });

  test("futures - a pu that is not the last u is told as a gap, and the diff is not applied", async () => {
    await store.write(BOOK_DIFFS, [
      diff(perp, { first: 1_050, last: 1_052, prev: 1_045 }, 5 * S, [["1", "1"]]),
    ]);
    const events = await collect(
      readBook(db.sql, { venue, market: perp, from: T0 + 3.5 * S, to: T0 + 60 * S }),
    );
    expect(events.map((e) => (e.kind === "diff" ? e.last : e.kind))).toEqual([
      "snapshot",
      1_041,
      "gap",
    ]);
    expect(events[2]).toEqual({
      kind: "gap",
      after: 1_041,
      time: T0 + 4 * S,
      reason: "stored diffs break with no gap recorded: pu 1045 is not the last u 1041",
    });
  });
});

describe("read book - migration 4 on a database at version 3", () => {
  let old: TestDatabase;
  beforeAll(async () => {
    old = await createTestDatabase();
  });
  afterAll(async () => {
    await old?.drop();
  });

  test("rows stored before it keep no first or prev id and read as before; rows after it are checked", async () => {
    const before = await migrate(old.sql, MIGRATIONS.slice(0, 3));
    expect(before.applied).toEqual([1, 2, 3]);
    const v3 = storeOn(old.sql, before.layout);
    // The diff columns as they were before migration 4.
    const v3Diffs: TableSpec<BookDiffRow> = {
      ...BOOK_DIFFS,
      columns: BOOK_DIFFS.columns.filter((c) => !c.endsWith("_sequence")),
      fields: (r) => BOOK_DIFFS.fields(r).slice(0, -2),
    };
    const market = "BTC/USDT";
    await v3.write(BOOK_SNAPSHOTS, [snapshot(market, 100, 0, [["99", "1"]], [["101", "1"]])]);
    // Ids 101 and 103 only: their first ids are unknown, so the reader assumes they chain.
    await v3.write(v3Diffs, [
      diff(market, { last: 101 }, 1 * S, [["99", "2"]]),
      diff(market, { last: 103 }, 2 * S, [], [["101", "0"]]),
    ]);

    expect(await migrate(old.sql)).toEqual({ layout: before.layout, applied: [4] });
    expect(
      await old.sql`SELECT sequence::int, first_sequence, prev_sequence FROM book_diffs
        ORDER BY sequence`,
    ).toEqual([
      { sequence: 101, first_sequence: null, prev_sequence: null },
      { sequence: 103, first_sequence: null, prev_sequence: null },
    ]);

    const events = await collect(readBook(old.sql, { venue, market, from: T0, to: T0 + 60 * S }));
    expect(events).toEqual([
      { kind: "snapshot", sequence: 100, time: T0, bids: [["99", "1"]], asks: [["101", "1"]] },
      { kind: "diff", first: 101, last: 101, time: T0 + 1 * S, bids: [["99", "2"]], asks: [] },
      { kind: "diff", first: 102, last: 103, time: T0 + 2 * S, bids: [], asks: [["101", "0"]] },
    ]);

    // Written after the migration, with ids: 104 chains to 103; 107 skips 106.
    await storeOn(old.sql, before.layout).write(BOOK_DIFFS, [
      diff(market, { first: 104, last: 105 }, 3 * S, [["98", "1"]]),
      diff(market, { first: 107, last: 107 }, 4 * S, [["97", "1"]]),
    ]);
    const after = await collect(readBook(old.sql, { venue, market, from: T0, to: T0 + 60 * S }));
    expect(after.map((e) => (e.kind === "diff" ? e.last : e.kind))).toEqual([
      "snapshot",
      101,
      103,
      105,
      "gap",
    ]);
    expect(after[4]).toMatchObject({ after: 105, reason: /U 107 is not the last u 105 \+ 1/ });
  });
});
