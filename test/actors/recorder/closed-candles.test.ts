/**
 * A Recorder's candle-1m is the Desk's shape: `{ market, candle, seq }`, closed candles only,
 * each once, in time order, numbered one by one — whatever versions of the forming candle the
 * venue's watchOHLCV hands on (ccxt pro's do, every update). The store holds each candle's final
 * values under the seq it was published with, and a Trader's feed health sees no false gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Recorder } from "../../../src/actors/recorder/recorder.js";
import { FeedHealth } from "../../../src/actors/trader/feed-health.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { marketData } from "../../../src/bus/subjects.js";
import { ClosedCandles } from "../../../src/domain/closed-candles.js";
import type { OHLCV } from "../../../src/domain/market-data.js";
import { createLogger } from "../../../src/log/logger.js";
import { openPostgresStore } from "../../../src/store/postgres/store.js";
import { PostgresRecordSink, SINK_DEFAULTS } from "../../../src/store/record-sink/postgres-sink.js";
import { VirtualClock } from "../../../src/time/virtual-clock.js";
import { BufferedWatch } from "../../../src/venues/sim/watch.js";
import { NOTHING_SUPPORTED } from "../../../src/venues/venue.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";
import { waitUntil } from "../../support/wait.js";
import { BTC, flush, ScriptedVenue } from "../../venues/paper/scripted-venue.js";

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/**
 * A venue whose watchOHLCV hands on exactly the rows a test pushes, one push per call: the
 * forming candle's versions, as ccxt pro's streams do, unless `forming` is false.
 */
function candleVenue(forming = true) {
  const rows = new BufferedWatch<OHLCV>();
  const venue = Object.assign(new ScriptedVenue(), {
    streamsFormingCandles: forming,
    has: Object.freeze({ ...NOTHING_SUPPORTED, loadMarkets: true, watchOHLCV: true }),
    watchOHLCV: () => rows.next(),
  });
  /** One venue message; the Recorder takes it before the next is pushed. */
  const push = async (...candles: OHLCV[]) => {
    rows.push(candles);
    await flush();
  };
  return { venue, push };
}

async function recording(id: string, forming = true) {
  const { venue, push } = candleVenue(forming);
  const store = await openPostgresStore(db.url);
  const clock = new VirtualClock(T0);
  const sink = new PostgresRecordSink(store, { ...SINK_DEFAULTS, recorder: id, clock });
  const bus = new LocalBus();
  const got: Array<{ market: string; candle: OHLCV; seq: number }> = [];
  bus.subscribe<(typeof got)[number]>(marketData(id, BTC, "candle-1m"), (m) => void got.push(m));
  const recorder = new Recorder(
    { id: "recorder", sources: [{ name: id, venue }], markets: [BTC], kinds: ["candles"], sink },
    { bus, clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
  );
  await recorder.start();
  const stop = async () => {
    await recorder.stop();
    await bus.close();
    await store.close();
  };
  return { push, got, bus, stop };
}

describe("recorder - closed candles on candle-1m", () => {
  it("closed candles - a candle updated three times, then the next opening: one message, seq 1, the final values, stored so", async () => {
    const r = await recording("cv1");
    try {
      await r.push([T0, 100, 101, 99, 100.5, 1]);
      await r.push([T0, 100, 103, 99, 102, 2]);
      await r.push([T0, 100, 103, 98, 101, 3]);
      // Nothing is closed while only the forming candle's versions came.
      expect(r.got).toEqual([]);
      await r.push([T0 + MINUTE, 101, 101, 101, 101, 0.1]);
      await waitUntil(() => r.got.length > 0, "the closed candle");
      await flush();
      expect(r.got).toEqual([{ market: BTC, candle: [T0, 100, 103, 98, 101, 3], seq: 1 }]);
    } finally {
      await r.stop();
    }
    // The store holds the candle's final values under the seq it was published with; the forming
    // candle was never published, so it is not stored either, and no seq is unaccounted for.
    expect(
      await db.sql`SELECT open_time, open::text, high::text, low::text, close::text,
        volume::text, version::int, seq::int FROM candles WHERE venue = 'cv1'`,
    ).toEqual([
      {
        open_time: new Date(T0),
        open: "100",
        high: "103",
        low: "98",
        close: "101",
        volume: "3",
        version: 1,
        seq: 1,
      },
    ]);
    expect(await db.sql`SELECT leased_to::int FROM recorder_streams WHERE venue = 'cv1'`).toEqual([
      { leased_to: 1 },
    ]);
    expect(await db.sql`SELECT * FROM gaps WHERE venue = 'cv1'`).toEqual([]);
  });

  it("closed candles - from a venue whose candles come closed (the simulator), each is published at once", async () => {
    const r = await recording("cv3", false);
    try {
      await r.push([T0, 100, 101, 99, 100.5, 1]);
      await waitUntil(() => r.got.length === 1, "the first candle at once");
      await r.push([T0, 100, 101, 99, 100.5, 1], [T0 + MINUTE, 101, 102, 100, 101, 2]);
      await waitUntil(() => r.got.length === 2, "the second candle at once");
      await flush();
    } finally {
      await r.stop();
    }
    expect(r.got).toEqual([
      { market: BTC, candle: [T0, 100, 101, 99, 100.5, 1], seq: 1 },
      { market: BTC, candle: [T0 + MINUTE, 101, 102, 100, 101, 2], seq: 2 },
    ]);
  });

  it("closed candles - a Trader's feed health on a Recorder's subject sees no gap across candles streamed in versions and in batches", async () => {
    const r = await recording("cv2");
    const health = new FeedHealth(T0);
    const gaps: number[] = [];
    r.bus.subscribe<{ seq: number }>(marketData("cv2", BTC, "candle-1m"), (m) => {
      if (health.candle(m.seq)) gaps.push(m.seq);
    });
    const at = (i: number, close: number): OHLCV => [T0 + i * MINUTE, 100, 110, 90, close, i];
    try {
      for (let i = 0; i < 4; i++) for (const close of [101, 102, 103]) await r.push(at(i, close));
      // One message closing two candles and opening a third (a reconnect's backfill looks so),
      // with a repeat of a candle already published, which is left out.
      await r.push(at(2, 999), at(4, 104), at(5, 105), at(6, 100));
      await waitUntil(() => r.got.length >= 6, "six closed candles");
      await flush();
    } finally {
      await r.stop();
    }
    expect(r.got.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.got.map((m) => m.candle)).toEqual([
      at(0, 103),
      at(1, 103),
      at(2, 103),
      at(3, 103),
      at(4, 104),
      at(5, 105),
    ]);
    expect(gaps).toEqual([]);
    expect(health.gapped).toBe(false);
    expect(
      await db.sql`SELECT seq::int, close::text FROM candles WHERE venue = 'cv2' ORDER BY open_time`,
    ).toEqual(
      [103, 103, 103, 103, 104, 105].map((close, i) => ({ seq: i + 1, close: String(close) })),
    );
  });
});

describe("closed candles - ClosedCandles", () => {
  it("closed candles - a candle closes when a later one opens; its last version is given, once, oldest first", () => {
    const c = new ClosedCandles();
    const at = (i: number, close: number): OHLCV => [i * MINUTE, 1, 9, 1, close, 1];
    expect(c.take([at(0, 1)])).toEqual([]);
    expect(c.take([at(0, 2), at(0, 3)])).toEqual([]);
    // Out of order within a message: sorted by open time, versions of one time kept in order.
    expect(c.take([at(2, 5), at(1, 4)])).toEqual([at(0, 3), at(1, 4)]);
    // A repeat or a late correction of a given candle is left out.
    expect(c.take([at(1, 40), at(0, 30)])).toEqual([]);
    expect(c.take([at(2, 6)])).toEqual([]);
    expect(c.take([at(3, 7)])).toEqual([at(2, 6)]);
    expect(c.take([])).toEqual([]);
  });
});
