/**
 * `crypy data export`: PostgreSQL's candles, trades, book snapshots and diffs (and the local
 * store's candles) older than an age, written to Parquet by venue, market, kind and day, read back
 * with DuckDB; exporting again replaces each day's file with no duplicates; --prune deletes only
 * what the files hold, and a row arriving later in an exported day joins that day's file.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dataExport } from "../../../src/cli/data-export.js";
import { openStore } from "../../../src/store/candle-store.js";
import { openDuck } from "../../../src/store/parquet/duckdb.js";
import { postgresSource } from "../../../src/store/parquet/sources.js";
import { openPostgresStore } from "../../../src/store/postgres/store.js";
import {
  BOOK_DIFFS,
  BOOK_SNAPSHOTS,
  CANDLES,
  type CandleRow,
  TRADES,
  type TradeRow,
} from "../../../src/store/postgres/tables.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";

const FIXTURE = fileURLToPath(
  new URL("../../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);
const DAY = 86_400_000;
const D1 = Date.UTC(2026, 10, 28);
/** Three days of data, D1 to D1 + 2 days; "now" makes the first two older than 1d. */
const NOW = D1 + 3 * DAY + 3_600_000;

let db: TestDatabase;
let dir: string;

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

const trade = (ms: number, i: number): TradeRow => ({
  venue: "binance",
  market: "BTC/USDT",
  tradeId: String(1000 + i),
  time: ms,
  price: `${91000 + i}.12345678`,
  amount: "0.00012",
  side: i % 2 === 0 ? "buy" : "sell",
});

async function rowsOf(sql: string): Promise<Record<string, unknown>[]> {
  const duck = await openDuck();
  try {
    return (await duck.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<
      string,
      unknown
    >[];
  } finally {
    duck.close();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "crypy-export-"));
  const store = await openPostgresStore(db.url);
  try {
    const candles: CandleRow[] = [];
    const trades: TradeRow[] = [];
    for (let d = 0; d < 3; d++) {
      for (let m = 0; m < 60; m++) {
        const t = D1 + d * DAY + m * 60_000;
        candles.push({
          venue: "binance",
          market: "BTC/USDT",
          timeframe: "1m",
          openTime: t,
          open: "100.5",
          high: "101",
          low: "99.25",
          close: `100.${m}`,
          volume: "3.000000001",
        });
      }
      for (let i = 0; i < 10; i++) trades.push(trade(D1 + d * DAY + i * 1000, d * 10 + i));
    }
    await store.write(CANDLES, candles);
    await store.write(TRADES, trades);
    // crypy writes milliseconds; a table may hold microseconds, which the archive keeps.
    await store.sql`UPDATE trades SET time = time + interval '500 microseconds' WHERE trade_id = '1000'`;
    const book = (d: number, s: number) => ({
      venue: "kraken",
      market: "ETH/USD",
      sequence: s,
      time: D1 + d * DAY + s,
      bids: [["3000.1", "2"]] as const,
      asks: [["3000.2", "1.5"]] as const,
    });
    await store.write(BOOK_SNAPSHOTS, [book(0, 1), book(2, 1)]);
    // Diffs with their first and previous update ids (futures-style), and one stored without.
    await store.write(BOOK_DIFFS, [
      { ...book(0, 2), firstSequence: 2, prevSequence: 1 },
      { ...book(0, 3), firstSequence: 3, prevSequence: 2 },
      book(1, 4),
    ]);
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await db?.drop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("data export to Parquet", () => {
  test("PostgreSQL's old days by venue, market, kind and day; again: the same files; --prune: only what the files hold", async () => {
    const archive = join(dir, "pg");
    const out = sink();
    await dataExport({ olderThan: "1d", to: archive, store: db.url, now: NOW }, out.stream);
    expect(out.text().split("\n")).toEqual([
      "venue=binance/market=BTC-USDT/kind=candles/day=2026-11-28/part-0.parquet: 60 rows",
      "venue=binance/market=BTC-USDT/kind=candles/day=2026-11-29/part-0.parquet: 60 rows",
      "venue=binance/market=BTC-USDT/kind=trades/day=2026-11-28/part-0.parquet: 10 rows",
      "venue=binance/market=BTC-USDT/kind=trades/day=2026-11-29/part-0.parquet: 10 rows",
      "venue=kraken/market=ETH-USD/kind=book_snapshots/day=2026-11-28/part-0.parquet: 1 rows",
      "venue=kraken/market=ETH-USD/kind=book_diffs/day=2026-11-28/part-0.parquet: 2 rows",
      "venue=kraken/market=ETH-USD/kind=book_diffs/day=2026-11-29/part-0.parquet: 1 rows",
      `exported 144 rows older than 2026-11-30 00:00 UTC from PostgreSQL into 7 Parquet files under ${archive}`,
      "",
    ]);
    const all = `read_parquet('${archive}/**/*.parquet', hive_partitioning = true, union_by_name = true)`;
    const trades = await rowsOf(
      `SELECT trade_id, epoch_ms(time)::DOUBLE AS ms, price::VARCHAR AS price, amount::VARCHAR AS amount, side, venue, market, day::VARCHAR AS day
       FROM ${all} WHERE kind = 'trades' ORDER BY time`,
    );
    expect(trades.length).toBe(20);
    expect(trades[0]).toEqual({
      trade_id: "1000",
      ms: D1,
      price: "91000.123456780000000000",
      amount: "0.000120000000000000",
      side: "buy",
      venue: "binance",
      market: "BTC-USDT",
      day: "2026-11-28",
    });
    // Microseconds survive: the first trade at D1 + 0.5 ms.
    const [us] = await rowsOf(`SELECT epoch_us(min(time)) AS us FROM ${all} WHERE kind = 'trades'`);
    expect(us!.us).toBe(BigInt(D1) * 1000n + 500n);
    const [book] = await rowsOf(
      `SELECT bids, asks, sequence FROM ${all} WHERE kind = 'book_snapshots'`,
    );
    expect(JSON.parse(String(book!.bids))).toEqual([["3000.1", "2"]]);
    // A diff keeps the ids its chain is checked with.
    const diffs = await rowsOf(
      `SELECT sequence, first_sequence, prev_sequence FROM ${all} WHERE kind = 'book_diffs' ORDER BY sequence`,
    );
    expect(diffs).toEqual([
      { sequence: 2n, first_sequence: 2n, prev_sequence: 1n },
      { sequence: 3n, first_sequence: 3n, prev_sequence: 2n },
      { sequence: 4n, first_sequence: null, prev_sequence: null },
    ]);

    const again = sink();
    await dataExport({ olderThan: "1d", to: archive, store: db.url, now: NOW }, again.stream);
    expect(again.text()).toBe(out.text());
    const [counted] = await rowsOf(`SELECT count(*) AS n FROM ${all}`);
    expect(counted!.n).toBe(144n);

    const pruned = sink();
    await dataExport(
      { olderThan: "1d", to: archive, store: db.url, now: NOW, prune: true },
      pruned.stream,
    );
    expect(pruned.text()).toContain(
      "kind=trades/day=2026-11-28/part-0.parquet: 10 rows, 10 pruned\n",
    );
    expect(pruned.text()).toContain("into 7 Parquet files under");
    expect(pruned.text()).toContain(", 144 pruned from the store\n");
    const left = await db.sql`
      SELECT (SELECT count(*) FROM candles)::int AS candles, (SELECT count(*) FROM trades)::int AS trades,
        (SELECT count(*) FROM book_snapshots)::int AS snapshots, (SELECT count(*) FROM book_diffs)::int AS diffs`;
    expect(left[0]).toEqual({ candles: 60, trades: 10, snapshots: 1, diffs: 0 });
    expect((await rowsOf(`SELECT count(*) AS n FROM ${all}`))[0]!.n).toBe(144n);

    // A trade arriving late for an exported (and pruned) day joins that day's file.
    const store = await openPostgresStore(db.url);
    await store.write(TRADES, [trade(D1 + 30_000, 99)]);
    await store.close();
    const late = sink();
    await dataExport(
      { olderThan: "1d", to: archive, store: db.url, now: NOW, prune: true },
      late.stream,
    );
    expect(late.text()).toBe(
      "venue=binance/market=BTC-USDT/kind=trades/day=2026-11-28/part-0.parquet: 1 rows (the file holds 11), 1 pruned\n" +
        `exported 1 rows older than 2026-11-30 00:00 UTC from PostgreSQL into 1 Parquet file under ${archive}, 1 pruned from the store\n`,
    );
    const day1 = `${archive}/venue=binance/market=BTC-USDT/kind=trades/day=2026-11-28/part-0.parquet`;
    // In time order: the day's ten trades in its first 10 s, then the late one at 30 s.
    const ids = await rowsOf(`SELECT trade_id FROM read_parquet('${day1}')`);
    expect(ids.map((r) => r.trade_id)).toEqual([
      "1000",
      "1001",
      "1002",
      "1003",
      "1004",
      "1005",
      "1006",
      "1007",
      "1008",
      "1009",
      "1099",
    ]);
    expect(existsSync(`${day1}.tmp`)).toBe(false);
  });

  test("a day's file that cannot be read is named, and nothing is pruned", async () => {
    const archive = join(dir, "broken");
    const day = join(archive, "venue=binance/market=BTC-USDT/kind=trades/day=2026-11-30");
    await mkdir(day, { recursive: true });
    await writeFile(join(day, "part-0.parquet"), "not parquet");
    await expect(
      dataExport(
        {
          olderThan: "1d",
          to: archive,
          store: db.url,
          now: NOW + DAY,
          kinds: ["trades"],
          prune: true,
        },
        sink().stream,
      ),
    ).rejects.toThrow(
      `${day}/part-0.parquet: the day's file is already there but cannot be read as this archive's trades`,
    );
    const [left] = await db.sql`SELECT count(*)::int AS n FROM trades`;
    expect(left!.n).toBe(10);
  });

  test("a prune whose count differs from the rows exported (rows arrived meanwhile) deletes nothing", async () => {
    const source = postgresSource(db.sql);
    const group = { venue: "binance", market: "BTC/USDT", day: "2026-11-30", rows: 10 };
    await expect(source.prune!("trades", group, 9)).rejects.toThrow(
      "trades of BTC/USDT (binance) on 2026-11-30: 10 rows to prune but 9 exported (rows arrived meanwhile): nothing pruned; export again",
    );
    const [left] = await db.sql`SELECT count(*)::int AS n FROM trades`;
    expect(left!.n).toBe(10);
  });

  test("the local store's candles; --prune is refused there; bad ages and kinds are named", async () => {
    const dataDir = join(dir, "local");
    await openStore(dataDir).importFile(FIXTURE, { venue: "binance", market: "BTC/USDT" });
    const archive = join(dir, "local-archive");
    const out = sink();
    await dataExport(
      { olderThan: "1d", to: archive, dataDir, now: Date.UTC(2023, 2, 4, 12) },
      out.stream,
    );
    expect(out.text()).toContain(
      "venue=binance/market=BTC-USDT/kind=candles/day=2023-03-02/part-0.parquet: 1,440 rows\n",
    );
    expect(out.text()).toContain(
      "exported 2,880 rows older than 2023-03-03 00:00 UTC from the local store",
    );
    const [first] = await rowsOf(
      `SELECT timeframe, epoch_ms(open_time)::DOUBLE AS t, open::DOUBLE AS open FROM read_parquet('${archive}/**/*.parquet') ORDER BY open_time LIMIT 1`,
    );
    const stored = await openStore(dataDir).read({
      venue: "binance",
      market: "BTC/USDT",
      timeframe: "1m",
    });
    expect(first).toEqual({ timeframe: "1m", t: stored.time[0], open: stored.open[0] });
    await expect(
      dataExport({ olderThan: "1d", to: archive, dataDir, prune: true }, sink().stream),
    ).rejects.toThrow("--prune works on PostgreSQL");
    await expect(dataExport({ olderThan: "30 days", to: archive }, sink().stream)).rejects.toThrow(
      '--older-than takes an age like 30d, 12h or 2w, got "30 days"',
    );
    await expect(
      dataExport({ olderThan: "1d", to: archive, dataDir, kinds: ["trades"] }, sink().stream),
    ).rejects.toThrow(/the local store .* holds no trades \(it holds candles\)/);
  });
});
