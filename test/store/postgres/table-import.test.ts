/**
 * `crypy data import postgres://… --table … --columns …` against real tables made in this file's
 * own database, shaped like the issue's: `binance_spot_trade_btcusdt (receive_ts, price, quantity,
 * is_buyer_maker)` with prices as text, trades with epoch-µs times, a level-10 depth snapshot
 * table, and a candle table. A backtest on the imported trades gives the same report as on the
 * same trades read from a Binance trade dump.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backtestCommand } from "../../../src/cli/backtest-command.js";
import { dataImport } from "../../../src/cli/data-commands.js";
import { openStore } from "../../../src/store/candle-store.js";
import { readCandles } from "../../../src/store/postgres/read-candles.js";
import { importTable } from "../../../src/store/postgres/table-import/import-table.js";
import { parseMapping } from "../../../src/store/postgres/table-import/mapping.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";

let db: TestDatabase;
let dir: string;
/** Where the imported data goes: a second database, crypy's own tables. */
let store: TestDatabase;

interface Trade {
  ms: number;
  price: string;
  qty: string;
  buyerMaker: boolean;
}

/** Six hours of trades from 2024-03-01, a seeded random walk, several per minute. */
function makeTrades(): Trade[] {
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const trades: Trade[] = [];
  let cents = 6_200_000;
  const start = Date.UTC(2024, 2, 1);
  for (let ms = start; ms < start + 6 * 3_600_000; ms += Math.floor(5_000 + next() * 20_000)) {
    cents += Math.round((next() - 0.5) * 4000);
    trades.push({
      ms,
      price: (cents / 100).toFixed(2),
      qty: (0.001 + Math.floor(next() * 5000) / 10_000).toFixed(4),
      buyerMaker: next() < 0.5,
    });
  }
  return trades;
}

const trades = makeTrades();

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

beforeAll(async () => {
  db = await createTestDatabase();
  store = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "crypy-table-import-"));
  process.env.CRYPY_DATA_DIR = join(dir, "store");
  const { sql } = db;
  await sql`CREATE TABLE binance_spot_trade_btcusdt (
    receive_ts timestamptz NOT NULL, price text NOT NULL, quantity text NOT NULL,
    is_buyer_maker boolean NOT NULL)`;
  // Inserted newest first: the import orders by time itself.
  await sql`INSERT INTO binance_spot_trade_btcusdt ${sql(
    [...trades].reverse().map((t) => ({
      receive_ts: new Date(t.ms),
      price: t.price,
      quantity: t.qty,
      is_buyer_maker: t.buyerMaker,
    })),
  )}`;
  await sql`CREATE TABLE trades_us (ts bigint, px numeric, qty double precision, side text)`;
  await sql`INSERT INTO trades_us ${sql(
    trades.map((t) => ({
      ts: String(t.ms * 1000),
      px: t.price,
      qty: Number(t.qty),
      side: t.buyerMaker ? "SELL" : "BUY",
    })),
  )}`;
  const levels = (side: string, what: string) =>
    Array.from({ length: 10 }, (_, i) => `${side}_${what}_${i} text`).join(", ");
  await sql.unsafe(`CREATE TABLE binance_depth10_btcusdt (ts timestamptz, ${levels("bid", "price")},
    ${levels("bid", "qty")}, ${levels("ask", "price")}, ${levels("ask", "qty")})`);
  for (let s = 0; s < 3; s++) {
    const row: Record<string, unknown> = { ts: new Date(Date.UTC(2024, 2, 1, 0, 0, s)) };
    for (let i = 0; i < 10; i++) {
      row[`bid_price_${i}`] = (62000 - s - i * 0.5).toFixed(2);
      row[`bid_qty_${i}`] = `${i + 1}.5`;
      row[`ask_price_${i}`] = (62001 - s + i * 0.5).toFixed(2);
      row[`ask_qty_${i}`] = `0.${i + 1}`;
    }
    // The third snapshot is one level shallower on the ask side.
    if (s === 2) {
      row.ask_price_9 = null;
      row.ask_qty_9 = null;
    }
    await sql`INSERT INTO binance_depth10_btcusdt ${sql(row)}`;
  }
});

afterAll(async () => {
  delete process.env.CRYPY_DATA_DIR;
  await db?.drop();
  await store?.drop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const TRADE_COLUMNS = "time=receive_ts,price=price,amount=quantity,side=is_buyer_maker";

async function backtest(
  data: string | undefined,
  over: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const out = sink();
  const code = await backtestCommand(
    {
      strategy: "sma-cross",
      params: "fast=10,slow=40",
      market: "BTC/USDT",
      ...(data === undefined ? {} : { data }),
      timeframe: "1m",
      capital: "10000",
      fraction: 1,
      candidates: 50,
      objective: "sharpe",
      seed: 42,
      json: true,
      ...over,
    },
    { out: out.stream, err: sink().stream, interactive: false },
  );
  expect(code).toBe(0);
  return JSON.parse(out.text()) as Record<string, unknown>;
}

/** The same trades as a Binance spot trade dump: id, price, qty, quote_qty, time, is_buyer_maker, is_best_match. */
async function tradeDump(): Promise<string> {
  const file = join(dir, "BTCUSDT-trades.csv");
  const lines = trades.map(
    (t, i) => `${i + 1},${t.price},${t.qty},0,${t.ms},${t.buyerMaker ? "True" : "False"},True`,
  );
  await writeFile(file, `${lines.join("\n")}\n`);
  return file;
}

describe("data import from an existing PostgreSQL table", () => {
  test("trades with text prices into the local store: 1m candles a backtest runs on, as from a trade dump", async () => {
    const out = sink();
    await dataImport(
      db.url,
      { market: "BTC/USDT", table: "binance_spot_trade_btcusdt", columns: TRADE_COLUMNS },
      out.stream,
    );
    expect(out.text()).toMatch(
      new RegExp(
        `^read ${trades.length.toLocaleString("en-US")} trades of BTC/USDT \\(binance\\) from table binance_spot_trade_btcusdt \\(times as timestamptz, 2024-03-01 00:00:00 → 2024-03-01 05:5\\d:\\d\\d\\); 360 1m candles built from them into the local store: 360 new, 0 already stored\\n$`,
      ),
    );
    const again = sink();
    await dataImport(
      db.url,
      { market: "BTC/USDT", table: "binance_spot_trade_btcusdt", columns: TRADE_COLUMNS },
      again.stream,
    );
    expect(again.text()).toContain(
      "360 1m candles built from them into the local store: 0 new, 360 already stored",
    );

    const fromStore = await backtest(undefined);
    const fromDump = await backtest(await tradeDump());
    expect(fromStore.source).toBe("store binance BTC/USDT 1m");
    expect(fromStore.candles).toBe(360);
    expect({ ...fromStore, source: "" }).toEqual({ ...fromDump, source: "" });
  });

  test("epoch-µs trades with a text side into PostgreSQL: exact trades, candles, nothing twice, a backtest from postgres://", async () => {
    const request = {
      market: "BTC/USDT",
      table: "trades_us",
      columns: "time=ts,price=px,amount=qty,side=side",
      store: store.url,
    };
    const out = sink();
    await dataImport(db.url, request, out.stream);
    const n = trades.length.toLocaleString("en-US");
    expect(out.text()).toContain(`(times as epoch µs, 2024-03-01 00:00:00`);
    expect(out.text()).toContain(
      `into PostgreSQL: ${n} new, 0 already stored; 360 1m candles built from them into PostgreSQL: 360 new, 0 already stored`,
    );
    const again = sink();
    await dataImport(db.url, request, again.stream);
    expect(again.text()).toContain(
      `into PostgreSQL: 0 new, ${n} already stored; 360 1m candles built from them into PostgreSQL: 0 new, 360 already stored`,
    );

    const stored = await store.sql<{ trade_id: string; price: string; side: string; time: Date }[]>`
      SELECT trade_id, price::text, side, time FROM trades ORDER BY time, trade_id`;
    expect(stored.length).toBe(trades.length);
    expect(stored[0]).toEqual({
      trade_id: `${trades[0]!.ms}-0`,
      price: trades[0]!.price,
      side: trades[0]!.buyerMaker ? "sell" : "buy",
      time: new Date(trades[0]!.ms),
    });
    expect(stored.map((t) => t.price)).toEqual(trades.map((t) => t.price));

    const fromPostgres = await backtest(`${store.url}?venue=binance&market=BTC/USDT`);
    const fromDump = await backtest(await tradeDump());
    expect(fromPostgres.source).toBe("postgres binance BTC/USDT 1m");
    expect({ ...fromPostgres, source: "" }).toEqual({ ...fromDump, source: "" });
  });

  test("streamed in small batches, is_buyer_maker into sides, the same candles as one batch", async () => {
    const mapping = parseMapping({ columns: TRADE_COLUMNS });
    const result = await importTable({
      url: db.url,
      table: "binance_spot_trade_btcusdt",
      mapping,
      venue: "binance-b",
      market: "BTC/USDT",
      store: store.url,
      batchRows: 97,
    });
    expect(result.rows).toBe(trades.length);
    expect(result.written?.inserted).toBe(trades.length);
    const sides = await store.sql<{ side: string }[]>`
      SELECT side FROM trades WHERE venue = 'binance-b' ORDER BY time, trade_id`;
    expect(sides.map((r) => r.side)).toEqual(trades.map((t) => (t.buyerMaker ? "sell" : "buy")));
    const key = { venue: "binance-b", market: "BTC/USDT", timeframe: "1m" };
    const batched = await readCandles(store.sql, key);
    const whole = await openStore().read({ ...key, venue: "binance" });
    expect(batched.length).toBe(360);
    for (const column of ["time", "open", "high", "low", "close", "volume"] as const) {
      expect(batched[column]).toEqual(whole[column]);
    }
  });

  test("trades without an id column: ranked within their millisecond, microseconds kept out of the id", async () => {
    await db.sql`CREATE TABLE us_trades (t timestamptz, p text, q text)`;
    await db.sql`INSERT INTO us_trades VALUES ('2024-03-02T00:00:00.000900Z', '10', '1'),
      ('2024-03-02T00:00:00.000100Z', '11', '1'), ('2024-03-02T00:00:00.001000Z', '12', '1')`;
    await importTable({
      url: db.url,
      table: "us_trades",
      mapping: parseMapping({ columns: "time=t,price=p,amount=q" }),
      venue: "us-test",
      market: "BTC/USDT",
      store: store.url,
    });
    const rows = await store.sql<{ trade_id: string; price: string }[]>`
      SELECT trade_id, price::text FROM trades WHERE venue = 'us-test' ORDER BY trade_id`;
    const ms = Date.UTC(2024, 2, 2);
    expect(rows).toEqual([
      { trade_id: `${ms}-0`, price: "11" },
      { trade_id: `${ms}-1`, price: "10" },
      { trade_id: `${ms + 1}-0`, price: "12" },
    ]);
  });

  test("a level-10 depth snapshot table with {i} columns into book_snapshots; a missing level is a shallower book", async () => {
    const out = sink();
    await dataImport(
      db.url,
      {
        market: "BTC/USDT",
        table: "binance_depth10_btcusdt",
        columns:
          "time=ts,bid_price=bid_price_{i},bid_qty=bid_qty_{i},ask_price=ask_price_{i},ask_qty=ask_qty_{i}",
        bookLevels: "10",
        store: store.url,
      },
      out.stream,
    );
    expect(out.text()).toBe(
      "read 3 book snapshots of BTC/USDT (binance) from table binance_depth10_btcusdt (times as timestamptz, 2024-03-01 00:00:00 → 2024-03-01 00:00:02); into PostgreSQL: 3 new, 0 already stored\n",
    );
    const rows = await store.sql<{ bids: [string, string][]; asks: [string, string][] }[]>`
      SELECT bids, asks FROM book_snapshots ORDER BY time`;
    expect(rows.length).toBe(3);
    expect(rows[0]!.bids.length).toBe(10);
    expect(rows[0]!.bids[0]).toEqual(["62000.00", "1.5"]);
    expect(rows[0]!.bids[9]).toEqual(["61995.50", "10.5"]);
    expect(rows[0]!.asks[9]).toEqual(["62005.50", "0.10"]);
    expect(rows[2]!.asks.length).toBe(9);
  });

  test("a depth table with array columns feeds a backtest through candles of the mid price (--mid-candles)", async () => {
    const { sql } = db;
    await sql`CREATE TABLE depth_btc (ts bigint, bids_px numeric[], bids_qty numeric[], asks_px numeric[], asks_qty numeric[])`;
    const start = Date.UTC(2024, 2, 5);
    const rows = [];
    for (let k = 0; k < 300 * 3; k++) {
      // Every 20 s; the mid walks in a slow wave. Levels are listed worst first on the bid side:
      // the best bid is found, not assumed to come first.
      const mid = 60_000 + Math.round(Math.sin(k / 40) * 800 + k);
      rows.push({
        ts: String(start + k * 20_000),
        bids_px: `{${mid - 2},${mid - 1}}`,
        bids_qty: "{1,2}",
        asks_px: `{${mid + 1},${mid + 2}}`,
        asks_qty: "{1,2}",
      });
    }
    await sql`INSERT INTO depth_btc ${sql(rows)}`;
    const request = {
      market: "BTC/USDT",
      venue: "depth",
      table: "depth_btc",
      columns: "time=ts,bid_price=bids_px,bid_qty=bids_qty,ask_price=asks_px,ask_qty=asks_qty",
    };
    await expect(dataImport(db.url, request, sink().stream)).rejects.toThrow(
      "book snapshots go into PostgreSQL (--store postgres://…); the local store holds candles: pass --mid-candles",
    );
    const out = sink();
    await dataImport(db.url, { ...request, midCandles: true }, out.stream);
    expect(out.text()).toBe(
      "read 900 book snapshots of BTC/USDT (depth) from table depth_btc (times as epoch ms, 2024-03-05 00:00:00 → 2024-03-05 04:59:40); 300 1m candles of the mid price (volume 0) built from them into the local store: 300 new, 0 already stored\n",
    );
    const candles = await openStore().read({ venue: "depth", market: "BTC/USDT", timeframe: "1m" });
    const midAt = (k: number) => 60_000 + Math.round(Math.sin(k / 40) * 800 + k);
    expect([candles.open[0], candles.close[0], candles.volume[0]]).toEqual([midAt(0), midAt(2), 0]);
    const report = await backtest(undefined, { dataVenue: "depth" });
    expect(report.source).toBe("store depth BTC/USDT 1m");
    expect(report.candles).toBe(300);
  });

  test("what is wrong is named: the table, the column, a bad value, a bad mapping", async () => {
    const go = (over: Record<string, string>) =>
      dataImport(
        db.url,
        {
          market: "BTC/USDT",
          table: "binance_spot_trade_btcusdt",
          columns: TRADE_COLUMNS,
          ...over,
        },
        sink().stream,
      );
    await expect(go({ table: "binance_spot_trade_ethusdt" })).rejects.toThrow(
      "no table binance_spot_trade_ethusdt in the database",
    );
    await expect(go({ table: 'x"; DROP TABLE binance_spot_trade_btcusdt; --' })).rejects.toThrow(
      /no table x"; DROP TABLE/,
    );
    await expect(go({ columns: "time=receive_ts,price=px,amount=quantity" })).rejects.toThrow(
      "table binance_spot_trade_btcusdt has no column px (its columns: receive_ts, price, quantity, is_buyer_maker)",
    );
    await expect(go({ columns: "time=receive_ts,price=price" })).rejects.toThrow(
      "--columns: trades need amount",
    );
    await expect(
      go({ columns: "time=receive_ts,price=price,amount=quantity,size=quantity" }),
    ).rejects.toThrow("--columns: size is no field of trades");
    // The injection attempt above was only ever a name: the table is whole.
    expect((await db.sql`SELECT count(*)::int AS n FROM binance_spot_trade_btcusdt`)[0]!.n).toBe(
      trades.length,
    );
    await db.sql`CREATE TABLE bad_trades (t timestamptz, p text, q text)`;
    await db.sql`INSERT INTO bad_trades VALUES ('2024-03-01T00:00:00Z', '1.5', '2'),
      ('2024-03-01T00:00:01Z', '1,6', '2')`;
    await expect(go({ table: "bad_trades", columns: "time=t,price=p,amount=q" })).rejects.toThrow(
      "table bad_trades, row 2 (in time order): column p: expected a decimal > 0, got '1,6'",
    );
    await db.sql`CREATE TABLE depth_arrays (t bigint, bp numeric[], bq numeric[], ap numeric[], aq numeric[])`;
    await db.sql`INSERT INTO depth_arrays VALUES (1709251200000, '{10,9}', '{1,2}', '{11,12}', '{1,NULL}')`;
    await expect(
      dataImport(
        db.url,
        {
          market: "BTC/USDT",
          table: "depth_arrays",
          columns: "time=t,bid_price=bp,bid_qty=bq,ask_price=ap,ask_qty=aq",
          store: store.url,
        },
        sink().stream,
      ),
    ).rejects.toThrow(
      "table depth_arrays, row 1 (in time order): column aq: expected a decimal >= 0, got NULL",
    );
  });

  test("a candle table with epoch-second open times and an oddly quoted name, into the local store", async () => {
    const { sql } = db;
    await sql.unsafe(
      `CREATE TABLE "Kraken ""OHLC""" ("Open Time" bigint, o text, h text, l text, c text, v text)`,
    );
    const rows = Array.from({ length: 5 }, (_, i) => ({
      "Open Time": String(Date.UTC(2024, 4, 1, i) / 1000),
      o: "100",
      h: "110.5",
      l: "99",
      c: String(101 + i),
      v: "3.25",
    }));
    await sql`INSERT INTO ${sql('Kraken "OHLC"')} ${sql(rows)}`;
    const out = sink();
    await dataImport(
      db.url,
      {
        market: "ETH/USD",
        venue: "kraken",
        table: 'Kraken "OHLC"',
        columns: "time=Open Time,open=o,high=h,low=l,close=c,volume=v",
      },
      out.stream,
    );
    expect(out.text()).toBe(
      'read 5 candles of ETH/USD (kraken) from table Kraken "OHLC" (times as epoch s, 2024-05-01 00:00:00 → 2024-05-01 04:00:00); 5 1h candles into the local store: 5 new, 0 already stored\n',
    );
    const series = await openStore().read({ venue: "kraken", market: "ETH/USD", timeframe: "1h" });
    expect([...series.close]).toEqual([101, 102, 103, 104, 105]);
    expect(series.time[0]).toBe(Date.UTC(2024, 4, 1));
    // readCandles on PostgreSQL is untouched by a local import.
    expect(
      (await readCandles(store.sql, { venue: "kraken", market: "ETH/USD", timeframe: "1h" }))
        .length,
    ).toBe(0);
  });
});
