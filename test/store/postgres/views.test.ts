import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrate } from "../../../src/store/postgres/migrate.js";
import {
  readCandles,
  refreshCandleViews,
  storedTimeframes,
} from "../../../src/store/postgres/read-candles.js";
import { type PostgresStore, storeOn } from "../../../src/store/postgres/store.js";
import { CANDLES, type CandleRow } from "../../../src/store/postgres/tables.js";
import { resample } from "../../../src/store/resample.js";
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
const START = Date.UTC(2024, 0, 31, 21, 3); // not on a bucket edge; crosses into February

/** Deterministic 1m candles in cents, with missing minutes. */
function cents(
  count: number,
  seed: number,
): { t: number; o: number; h: number; l: number; c: number; v: number }[] {
  let s = seed;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s;
  };
  const out = [];
  let price = 4_200_000;
  for (let i = 0; i < count; i++) {
    if (next() % 7 === 0) continue; // a minute without trades
    const o = price;
    const c = o + (next() % 2001) - 1000;
    out.push({
      t: START + i * MINUTE,
      o,
      c,
      h: Math.max(o, c) + (next() % 300),
      l: Math.min(o, c) - (next() % 300),
      v: next() % 1_000_000,
    });
    price = c;
  }
  return out;
}

const text = (x: number) => `${Math.floor(x / 100)}.${String(x % 100).padStart(2, "0")}`;

function rowsOf(market: string, candles: ReturnType<typeof cents>, timeframe = "1m"): CandleRow[] {
  return candles.map((k) => ({
    venue: "binance",
    market,
    timeframe,
    openTime: k.t,
    open: text(k.o),
    high: text(k.h),
    low: text(k.l),
    close: text(k.c),
    volume: text(k.v),
  }));
}

/** The test's own aggregation, in integer cents, rendered as PostgreSQL renders numeric(…, 2). */
function aggregate(candles: ReturnType<typeof cents>, widthMs: number) {
  const buckets = new Map<number, ReturnType<typeof cents>>();
  for (const k of candles) {
    const b = Math.floor(k.t / widthMs) * widthMs;
    buckets.set(b, [...(buckets.get(b) ?? []), k]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, ks]) => ({
      open_time: new Date(t).toISOString(),
      open: text(ks[0]!.o),
      high: text(Math.max(...ks.map((k) => k.h))),
      low: text(Math.min(...ks.map((k) => k.l))),
      close: text(ks.at(-1)!.c),
      volume: text(ks.reduce((sum, k) => sum + k.v, 0)),
      candles: ks.length,
    }));
}

async function view(name: "candles_5m" | "candles_1h", market: string) {
  const rows = await db.sql`
    SELECT open_time, open::text, high::text, low::text, close::text, volume::text, candles::int
    FROM ${db.sql(name)} WHERE venue = 'binance' AND market = ${market} ORDER BY open_time`;
  return rows.map((r) => ({ ...r, open_time: (r.open_time as Date).toISOString() }));
}

describe("postgres candle views", () => {
  const btc = cents(200, 1);
  const eth = cents(90, 2);

  test("views - 5m and 1h candles equal the test's own aggregation of the 1m candles", async () => {
    await store.write(CANDLES, rowsOf("BTC/USDT", btc));
    await store.write(CANDLES, rowsOf("ETH/USDT", eth));
    // Stored 5m candles are not inputs of the views: only 1m ones are.
    await store.write(CANDLES, rowsOf("BTC/USDT", cents(3, 9), "5m"));
    await refreshCandleViews(db.sql, store.layout);
    expect(await view("candles_5m", "BTC/USDT")).toEqual(aggregate(btc, 5 * MINUTE));
    expect(await view("candles_1h", "BTC/USDT")).toEqual(aggregate(btc, 60 * MINUTE));
    expect(await view("candles_5m", "ETH/USDT")).toEqual(aggregate(eth, 5 * MINUTE));
    expect(await view("candles_1h", "ETH/USDT")).toEqual(aggregate(eth, 60 * MINUTE));
  });

  test("views - a refresh takes in later 1m candles", async () => {
    const more = cents(260, 1).filter((k) => k.t >= START + 200 * MINUTE);
    await store.write(CANDLES, rowsOf("BTC/USDT", more));
    expect(await view("candles_1h", "BTC/USDT")).toEqual(aggregate(btc, 60 * MINUTE));
    await refreshCandleViews(db.sql, store.layout);
    expect(await view("candles_1h", "BTC/USDT")).toEqual(aggregate([...btc, ...more], 60 * MINUTE));
  });

  test("read - candles as a CandleSeries; the views agree with the store's own resample", async () => {
    const oneMinute = await readCandles(db.sql, {
      venue: "binance",
      market: "ETH/USDT",
      timeframe: "1m",
    });
    expect(oneMinute.length).toBe(eth.length);
    expect(oneMinute.at(0)).toEqual({
      timestamp: eth[0]!.t,
      open: Number(text(eth[0]!.o)),
      high: Number(text(eth[0]!.h)),
      low: Number(text(eth[0]!.l)),
      close: Number(text(eth[0]!.c)),
      volume: Number(text(eth[0]!.v)),
    });
    for (const [timeframe, ms] of [
      ["5m", 5 * MINUTE],
      ["1h", 60 * MINUTE],
    ] as const) {
      const fromView = await readCandles(db.sql, {
        venue: "binance",
        market: "ETH/USDT",
        timeframe,
        source: "view",
      });
      const expected = resample(oneMinute, ms);
      expect(fromView.toCandles().map(({ volume, ...rest }) => rest)).toEqual(
        expected.toCandles().map(({ volume, ...rest }) => rest),
      );
      // Summed in numeric (exact) versus in doubles: equal to within the doubles' rounding.
      for (let i = 0; i < fromView.length; i++) {
        expect(fromView.volume[i]).toBeCloseTo(expected.volume[i]!, 6);
      }
    }
  });

  test("read - the timeframes stored for a market, finest first", async () => {
    await store.write(CANDLES, rowsOf("BTC/USDT", cents(2, 5), "1h"));
    expect(await storedTimeframes(db.sql, "binance", "BTC/USDT")).toEqual(["1m", "5m", "1h"]);
    expect(await storedTimeframes(db.sql, "binance", "ETH/USDT")).toEqual(["1m"]);
    expect(await storedTimeframes(db.sql, "binance", "XRP/USDT")).toEqual([]);
  });

  test("read - a range is [from, to)", async () => {
    const from = eth[3]!.t;
    const to = eth[10]!.t;
    const part = await readCandles(db.sql, {
      venue: "binance",
      market: "ETH/USDT",
      timeframe: "1m",
      from,
      to,
    });
    expect(Array.from(part.time)).toEqual(eth.slice(3, 10).map((k) => k.t));
  });
});
