/**
 * A replayed book that lost updates says so on the bus: the replay publishes the gap the reader
 * found (`{ market, seq, gap }`) and then the snapshot past it, numbered on as one stream, so a
 * consumer drops its book at the gap and takes the snapshot as the whole truth.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { migrate } from "../../src/store/postgres/migrate.js";
import { storeOn } from "../../src/store/postgres/store.js";
import { BOOK_DIFFS, BOOK_SNAPSHOTS, type BookRow } from "../../src/store/postgres/tables.js";
import { bookMessages } from "../../src/store/replay-sources.js";
import { replayStreams } from "../../src/store/replay-streams.js";
import { createTestDatabase, type TestDatabase } from "../harness/postgres.js";

const S = 1_000;
const T0 = Date.UTC(2024, 5, 1);
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const store = storeOn(db.sql, (await migrate(db.sql)).layout);
  const row = (sequence: number, at: number, ask: string): BookRow => ({
    venue: "kraken",
    market: "ETH/USD",
    sequence,
    time: T0 + at * S,
    bids: [["3000", "1"]],
    asks: [["3001", ask]],
  });
  await store.write(BOOK_SNAPSHOTS, [row(10, 0, "1"), row(20, 5, "5")]);
  await store.write(BOOK_DIFFS, [row(11, 1, "2"), row(15, 3, "3"), row(21, 6, "6")]);
  await store.recordGap({
    venue: "kraken",
    market: "ETH/USD",
    kind: "book",
    fromSequence: 12,
    toSequence: 14,
    reason: "a depth update was skipped",
  });
});
afterAll(async () => {
  await db?.drop();
});

describe("replay - a book with a gap", () => {
  it("replay - the gap goes out, then the snapshot past it, numbered on", async () => {
    const bus = new LocalBus();
    const got: Record<string, unknown>[] = [];
    bus.subscribe<Record<string, unknown>>("crypy.md.replay-kraken.ETH-USD.book", (m) => {
      got.push(m);
    });
    await replayStreams(
      bus,
      [bookMessages(db.sql, { venue: "kraken", market: "ETH/USD", from: T0, to: T0 + 10 * S })],
      { speed: "max" },
    );
    await bus.close();
    expect(
      got.map((m) => [m.seq, Object.keys(m).find((k) => k !== "market" && k !== "seq")]),
    ).toEqual([
      [1, "snapshot"],
      [2, "diff"],
      [3, "gap"],
      [4, "snapshot"],
      [5, "diff"],
    ]);
    expect(got[2]).toEqual({
      market: "ETH/USD",
      seq: 3,
      gap: { after: 11, time: T0 + 1 * S, reason: "a depth update was skipped" },
    });
    expect(got[3]).toMatchObject({ snapshot: { sequence: 20, asks: [["3001", "5"]] } });
    expect(got[4]).toMatchObject({ diff: { first: 21, last: 21 } });
  });
});
