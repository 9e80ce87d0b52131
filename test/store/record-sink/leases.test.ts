/**
 * The Recorder's seq leases on a real PostgreSQL: after a crash every seq is stored or in a gap,
 * numbering goes on above the lease, a clean stop leaves no gap, and a stream at its lease's end
 * waits for the renewal.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { type PostgresStore, storeOn } from "../../../src/store/postgres/store.js";
import type { StreamId } from "../../../src/store/record-sink/sink.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";
import { waitUntil } from "../../support/wait.js";
import { gapsOf, seqsIn, sinkOn, trade } from "./support.js";

let db: TestDatabase;
let store: PostgresStore;
beforeAll(async () => {
  db = await createTestDatabase();
  store = storeOn(db.sql, (await migrate(db.sql)).layout);
});
afterAll(async () => {
  await db?.drop();
});

describe("record sink - seq leases", () => {
  test("leases: a crash leaves the unstored rest of the lease as a gap and numbering goes on above it; a clean stop leaves none", async () => {
    const first = sinkOn(store, { batchSize: 5, leaseBlock: 100 });
    await first.started;
    const trades: StreamId = { source: "v4", market: "BTC/USDT", kind: "trades" };
    const opened = await first.sink.open(trades);
    expect(opened.firstSeq).toBe(1);
    for (let seq = 1; seq <= 60; seq++) {
      const wait = opened.reserve?.(seq);
      if (wait !== undefined) await wait;
      first.sink.take(trades, [trade(seq)], seq);
    }
    // Past half its block the lease is renewed ahead, off the publishing path: seq 101 waits
    // only for that renewal.
    await opened.reserve?.(101);
    const [lease] = await db.sql`SELECT leased_to::int FROM recorder_streams WHERE venue = 'v4'`;
    expect(lease).toEqual({ leased_to: 200 });
    // Batches went out; then the process dies (no stop).
    expect(await first.sink.flush()).toBe(true);
    const storedBefore = await seqsIn(db.sql, "trades", "v4");
    expect(storedBefore).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));

    const second = sinkOn(store, { batchSize: 5, leaseBlock: 100 });
    await second.started;
    const again = await second.sink.open(trades);
    expect(again.firstSeq).toBe(201);
    expect(await gapsOf(db.sql, "v4")).toEqual([
      // 60, the highest stored, may have been a message cut between batches: in the gap too.
      { kind: "trades", from: 60, to: 200, reason: "recorder restarted" },
    ]);
    expect(second.events).toContainEqual(
      expect.objectContaining({ event: "recorder.restart_gap", fromSeq: 60, toSeq: 200 }),
    );
    second.sink.take(trades, [trade(201)], 201);
    await second.sink.stop();

    const third = sinkOn(store, { batchSize: 5, leaseBlock: 100 });
    await third.started;
    expect((await third.sink.open(trades)).firstSeq).toBe(202);
    expect((await gapsOf(db.sql, "v4")).length).toBe(1);
    await third.sink.stop();
  });

  test("leases: a gap in another numbering (an exchange's book sequence) never covers the Recorder's seqs", async () => {
    const first = sinkOn(store, { leaseBlock: 100 });
    await first.started;
    const book: StreamId = { source: "v8", market: "BTC/USDT", kind: "book" };
    await first.sink.open(book);
    await store.recordGap({
      venue: "v8",
      market: "BTC/USDT",
      kind: "book",
      fromSequence: 5_000_000,
      toSequence: 5_000_100,
      reason: "exchange sequence gap",
    });
    // Crash without a stop: the whole first lease is unaccounted for.
    const second = sinkOn(store, { leaseBlock: 100 });
    await second.started;
    expect((await second.sink.open(book)).firstSeq).toBe(101);
    expect(await gapsOf(db.sql, "v8")).toContainEqual({
      kind: "book",
      from: 1,
      to: 100,
      reason: "recorder restarted",
    });
    await second.sink.stop();
  });

  test("leases: a message of several trades cut between two batches by a crash is inside the restart's gap", async () => {
    const first = sinkOn(store, { batchSize: 2, leaseBlock: 100 });
    await first.started;
    const trades: StreamId = { source: "v9", market: "BTC/USDT", kind: "trades" };
    await first.sink.open(trades);
    first.sink.take(trades, [trade(1), trade(2), trade(3)], 1);
    const inserted = () =>
      (first.sink.status().queues as { trades: { inserted: number } }).trades.inserted;
    await waitUntil(() => inserted() === 2, "the first batch of two rows");
    // The process dies with the third trade of seq 1 still queued.
    expect(await seqsIn(db.sql, "trades", "v9")).toEqual([1, 1]);
    const second = sinkOn(store, { leaseBlock: 100 });
    await second.started;
    expect((await second.sink.open(trades)).firstSeq).toBe(101);
    expect(await gapsOf(db.sql, "v9")).toEqual([
      { kind: "trades", from: 1, to: 100, reason: "recorder restarted" },
    ]);
    await second.sink.stop();
  });

  test("a stream at the end of its lease waits for the renewal", async () => {
    const { sink, started } = sinkOn(store, { leaseBlock: 10 });
    await started;
    const opened = await sink.open({ source: "v5", market: "BTC/USDT", kind: "trades" });
    for (let seq = 1; seq <= 10; seq++) {
      const wait = opened.reserve!(seq);
      if (seq <= 5) expect(wait).toBeUndefined();
      if (wait !== undefined) await wait;
    }
    const beyond = opened.reserve!(21);
    expect(beyond).toBeInstanceOf(Promise);
    await beyond;
    const [lease] = await db.sql`SELECT leased_to::int FROM recorder_streams WHERE venue = 'v5'`;
    expect(lease!.leased_to).toBeGreaterThanOrEqual(21);
    await sink.stop();
  });
});
