/**
 * Recorded books rebuild exactly: the Recorder reads a spot or USDⓈ-M book's raw diffs from
 * `crypy venue serve` with lost depth events, stores its snapshots, diffs (with their first and
 * prev ids) and the exchange's gaps in PostgreSQL (its sink), and the history reader, reading them
 * back and checking each diff chains, holds the same book a live consumer of the bus held — with
 * each lost range told as a gap of kind `book`, and no other.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Recorder } from "../../../src/actors/recorder/recorder.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { allActorEvents, marketData } from "../../../src/bus/subjects.js";
import { createLogger } from "../../../src/log/logger.js";
import { readBook } from "../../../src/store/postgres/read-book.js";
import { openPostgresStore, type PostgresStore } from "../../../src/store/postgres/store.js";
import { PostgresRecordSink, SINK_DEFAULTS } from "../../../src/store/record-sink/postgres-sink.js";
import { WallClock } from "../../../src/time/wall-clock.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";
import {
  type Exchange,
  Replica,
  runUntil,
  spotExchange,
  usdmExchange,
} from "./raw-book-support.js";

let db: TestDatabase;
let store: PostgresStore | undefined;
let x: Exchange | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await x?.close();
  await store?.close();
  x = undefined;
  store = undefined;
});
afterAll(async () => {
  await db?.drop();
});

describe("recorder - raw books into PostgreSQL", () => {
  for (const [dialect, open, market] of [
    ["spot", spotExchange, "BTC/USDT"],
    ["USDⓈ-M", usdmExchange, "BTC/USDT:USDT"],
  ] as const) {
    it(`raw book postgres ${dialect} - the stored snapshots, diffs (with their first and prev ids) and gaps rebuild the book the bus gave, gaps told`, async () => {
      x = await open({ skipDepthProbability: 0.2 });
      store = await openPostgresStore(db.url);
      const clock = new WallClock();
      const sink = new PostgresRecordSink(store, {
        ...SINK_DEFAULTS,
        recorder: "recorder",
        flushMs: 200,
        clock,
      });
      const bus = new LocalBus();
      const events: Array<Record<string, unknown>> = [];
      bus.subscribe<Record<string, unknown>>(allActorEvents(), (e) => void events.push(e));
      const replica = new Replica();
      bus.subscribe<Parameters<Replica["take"]>[0]>(marketData("binance", market, "book"), (m) =>
        replica.take(m),
      );
      const recorder = new Recorder(
        {
          id: "recorder",
          sources: [{ name: "binance", venue: x.venue }],
          kinds: ["book"],
          markets: [market],
          sink,
        },
        { bus, clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
      );
      await recorder.start();
      const gaps = () => events.filter((e) => e.event === "feed.gap");
      await runUntil(x, () => gaps().length >= 2 && replica.diffs.length > 8);
      await recorder.stop();
      await bus.close();

      // The exchange's lost ranges are in the gaps table, as kind book.
      const stored = await store.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM gaps WHERE venue = 'binance' AND market = ${market} AND kind = 'book'`;
      expect(stored[0]!.n).toBe(gaps().length);

      // Read back from the first snapshot to the end: the same book the bus's consumer holds.
      const bids = new Map<string, string>();
      const asks = new Map<string, string>();
      let told = 0;
      let last: number | undefined;
      const set = (side: Map<string, string>, levels: readonly (readonly [string, string])[]) => {
        for (const [p, q] of levels) Number(q) === 0 ? side.delete(p) : side.set(p, q);
      };
      for await (const e of readBook(store.sql, {
        venue: "binance",
        market,
        from: 0,
        to: Date.UTC(2100, 0, 1),
      })) {
        if (e.kind === "gap") {
          told++;
          continue;
        }
        if (e.kind === "snapshot") {
          bids.clear();
          asks.clear();
          last = e.sequence;
        } else last = e.last;
        set(bids, e.bids);
        set(asks, e.asks);
      }
      // Every diff was stored with its first id (and, USDⓈ-M, its pu), so the reader checked each
      // chained: the only gaps it told are the recorded ones.
      const ids = await store.sql<{ first: number; prev: number; n: number }[]>`
      SELECT count(first_sequence)::int AS first, count(prev_sequence)::int AS prev, count(*)::int AS n
      FROM book_diffs WHERE venue = 'binance' AND market = ${market}`;
      expect(ids[0]).toMatchObject({ first: ids[0]!.n, prev: dialect === "spot" ? 0 : ids[0]!.n });
      expect(told).toBe(gaps().length);
      expect(last).toBe(replica.id);
      const sorted = (side: Map<string, string>, sign: number) =>
        [...side].sort(([a], [b]) => sign * (Number(a) - Number(b)));
      expect(sorted(bids, -1)).toEqual(replica.side("bids"));
      expect(sorted(asks, 1)).toEqual(replica.side("asks"));
    });
  }

  it("raw book postgres - a restarted Recorder numbers the book on above its last run, snapshots and diffs alike", async () => {
    x = await spotExchange({});
    store = await openPostgresStore(db.url);
    const clock = new WallClock();
    const run = async (market: string) => {
      const sink = new PostgresRecordSink(store!, {
        ...SINK_DEFAULTS,
        recorder: "restarts",
        flushMs: 200,
        clock,
      });
      const bus = new LocalBus();
      const replica = new Replica();
      bus.subscribe<Parameters<Replica["take"]>[0]>(marketData("binance", market, "book"), (m) =>
        replica.take(m),
      );
      const recorder = new Recorder(
        {
          id: "restarts",
          sources: [{ name: "binance", venue: x!.venue }],
          kinds: ["book"],
          markets: [market],
          sink,
        },
        { bus, clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
      );
      await recorder.start();
      await runUntil(x!, () => replica.diffs.length >= 4);
      await recorder.stop();
      await bus.close();
      return replica.seqs;
    };
    const first = await run("ETH/USDT");
    const second = await run("ETH/USDT");
    expect(first[0]).toBe(1);
    expect(second[0]).toBe(first.at(-1)! + 1);
    const stored = await store.sql<{ seq: string }[]>`
      SELECT seq::text FROM book_snapshots WHERE venue = 'binance' AND market = 'ETH/USDT'
      UNION ALL SELECT seq::text FROM book_diffs WHERE venue = 'binance' AND market = 'ETH/USDT'
      ORDER BY 1`;
    const seqs = stored.map((r) => Number(r.seq)).sort((a, b) => a - b);
    expect(seqs).toEqual([...first, ...second]);
    // A clean stop gives back the unused lease: no seq was lost, so no gap says so.
    const gaps = await store.sql`SELECT 1 FROM gaps WHERE market = 'ETH/USDT'`;
    expect(gaps).toHaveLength(0);
  });
});
