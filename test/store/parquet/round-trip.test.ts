/**
 * The archive read back: store → `crypy data export` → `crypy backtest --data <dir>` gives the
 * same report as the backtest from the store itself; trades in the archive become candles as a
 * trade dump's do; `crypy data import <dir>` stores the same candles; what is not in the archive
 * is named with what is.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backtestCommand } from "../../../src/cli/backtest-command.js";
import { dataImport } from "../../../src/cli/data-commands.js";
import { dataExport } from "../../../src/cli/data-export.js";
import { openStore } from "../../../src/store/candle-store.js";
import { readCandles } from "../../../src/store/postgres/read-candles.js";
import { openPostgresStore } from "../../../src/store/postgres/store.js";
import { TRADES, type TradeRow } from "../../../src/store/postgres/tables.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";

const FIXTURE = fileURLToPath(
  new URL("../../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);
const NOW = Date.UTC(2026, 0, 1);

let db: TestDatabase;
let dir: string;
let archive: string;

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

async function backtest(
  data: string,
  over: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const out = sink();
  const code = await backtestCommand(
    {
      strategy: "sma-cross",
      params: "fast=10,slow=40",
      market: "BTC/USDT",
      data,
      from: "2023-03-01",
      to: "2023-03-03",
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

/** Four hours of ETH/USDT trades on 2023-03-02, a seeded walk. */
function makeTrades(): TradeRow[] {
  let seed = 11;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const rows: TradeRow[] = [];
  let cents = 160_000;
  const start = Date.UTC(2023, 2, 2);
  for (
    let ms = start, i = 0;
    ms < start + 4 * 3_600_000;
    ms += 3_000 + Math.floor(next() * 9_000), i++
  ) {
    cents += Math.round((next() - 0.5) * 200);
    rows.push({
      venue: "binance",
      market: "ETH/USDT",
      tradeId: String(500_000 + i),
      time: ms,
      price: (cents / 100).toFixed(2),
      amount: (0.01 + Math.floor(next() * 1000) / 1000).toFixed(3),
      side: next() < 0.5 ? "buy" : "sell",
    });
  }
  return rows;
}

const trades = makeTrades();

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "crypy-parquet-"));
  archive = join(dir, "archive");
  process.env.CRYPY_DATA_DIR = join(dir, "store");
  await dataImport(FIXTURE, { market: "BTC/USDT", store: db.url }, sink().stream);
  const store = await openPostgresStore(db.url);
  await store.write(TRADES, trades);
  await store.close();
});

afterAll(async () => {
  delete process.env.CRYPY_DATA_DIR;
  await db?.drop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("Parquet read back", () => {
  test("store → export --prune → backtest --data <dir>: the same report as from the store", async () => {
    const fromStore = await backtest(`${db.url}?venue=binance&market=BTC/USDT`);
    const out = sink();
    await dataExport(
      { olderThan: "1d", to: archive, store: db.url, now: NOW, prune: true },
      out.stream,
    );
    expect(out.text()).toContain(
      `exported ${(30_240 + trades.length).toLocaleString("en-US")} rows`,
    );
    expect((await db.sql`SELECT count(*)::int AS n FROM candles`)[0]!.n).toBe(0);

    const fromArchive = await backtest(archive);
    expect(fromArchive.source).toMatch(/archive \(Parquet candles, times in microseconds\)$/);
    expect(fromArchive.candles).toBe(2880);
    expect({ ...fromArchive, source: "" }).toEqual({ ...fromStore, source: "" });
    // One day's file alone.
    const day = join(
      archive,
      "venue=binance/market=BTC-USDT/kind=candles/day=2023-03-01/part-0.parquet",
    );
    const oneDay = await backtest(day, { to: "2023-03-02" });
    expect(oneDay.candles).toBe(1440);
  });

  test("trades in the archive become candles as the same trades in a Binance dump do", async () => {
    const dump = join(dir, "ETHUSDT-trades.csv");
    await writeFile(
      dump,
      trades
        .map(
          (t, i) =>
            `${i + 1},${t.price},${t.amount},0,${t.time},${t.side === "sell" ? "True" : "False"},True`,
        )
        .join("\n"),
    );
    const over = { market: "ETH/USDT", from: "2023-03-02", to: "2023-03-03" };
    const fromArchive = await backtest(archive, over);
    const fromDump = await backtest(dump, over);
    expect(fromArchive.source).toMatch(
      /\(\d[\d,]* trades, Parquet trades, times in microseconds\)$/,
    );
    expect(fromArchive.candles).toBe(240);
    expect({ ...fromArchive, source: "" }).toEqual({ ...fromDump, source: "" });
  });

  test("data import <dir> stores the archive's candles; --store postgres:// puts them back", async () => {
    const out = sink();
    await dataImport(archive, { market: "BTC/USDT" }, out.stream);
    expect(out.text()).toMatch(
      /^imported 30,240 candles of BTC\/USDT 1m \(binance\) from .*archive \(Parquet candles, times in microseconds\): 30,240 new/,
    );
    const local = await openStore().read({ venue: "binance", market: "BTC/USDT", timeframe: "1m" });
    const back = sink();
    await dataImport(archive, { market: "BTC/USDT", store: db.url }, back.stream);
    expect(back.text()).toContain("30,240 new, 0 replaced, 0 already stored");
    const stored = await readCandles(db.sql, {
      venue: "binance",
      market: "BTC/USDT",
      timeframe: "1m",
    });
    for (const column of ["time", "open", "high", "low", "close", "volume"] as const) {
      expect(stored[column]).toEqual(local[column]);
    }
  });

  test("what the archive does not hold is named with what it does", async () => {
    await expect(backtest(archive, { market: "SOL/USDT" })).rejects.toThrow(
      "no candles of SOL/USDT (it holds binance BTC-USDT candles, binance ETH-USDT trades)",
    );
    await expect(backtest(archive, { dataVenue: "kraken" })).rejects.toThrow(
      "no candles of BTC/USDT (kraken) (it holds",
    );
    await expect(backtest(join(dir, "empty.parquet"))).rejects.toThrow(
      /no such file: .*empty\.parquet/,
    );
  });
});
