/**
 * The CLI's doors into PostgreSQL, in-process: `crypy data import FILE --store postgres://…` and
 * `crypy backtest --data postgres://…`, against the same real candles from a file.
 */
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backtestCommand } from "../../../src/cli/backtest-command.js";
import { dataImport } from "../../../src/cli/data-commands.js";
import { loadFile } from "../../../src/store/import-file.js";
import { readCandles } from "../../../src/store/postgres/read-candles.js";
import { resolveKey } from "../../../src/store/series-key.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";

const FIXTURE = fileURLToPath(
  new URL("../../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

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

describe("postgres from the cli", () => {
  test("data import --store postgres:// then reading back equals the file", async () => {
    const out = sink();
    await dataImport(FIXTURE, { market: "BTC/USDT", store: db.url }, out.stream);
    expect(out.text()).toMatch(
      /^imported 30,240 candles of BTC\/USDT 1m \(binance\) from .* into PostgreSQL: 30,240 new, 0 replaced, 0 already stored; 2023-03-01 00:00 → 2023-03-21 23:59\n$/,
    );
    const again = sink();
    await dataImport(FIXTURE, { market: "BTC/USDT", store: db.url }, again.stream);
    expect(again.text()).toContain("0 new, 0 replaced, 30,240 already stored");

    const key = resolveKey({ venue: "binance", market: "BTC/USDT", timeframe: "1m" });
    const file = (await loadFile(FIXTURE, key)).series;
    const stored = await readCandles(db.sql, {
      venue: "binance",
      market: "BTC/USDT",
      timeframe: "1m",
    });
    expect(stored.length).toBe(file.length);
    for (const column of ["time", "open", "high", "low", "close", "volume"] as const) {
      expect(stored[column]).toEqual(file[column]);
    }
  });

  test("data import --store refuses what is not a postgres:// URL", async () => {
    await expect(
      dataImport(FIXTURE, { market: "BTC/USDT", store: "/tmp/x" }, sink().stream),
    ).rejects.toThrow(/--store takes a postgres:\/\/ URL/);
  });

  test("a backtest from PostgreSQL gives the same report as from the same file", async () => {
    const run = async (data: string) => {
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
        },
        { out: out.stream, err: sink().stream, interactive: false },
      );
      expect(code).toBe(0);
      return JSON.parse(out.text()) as Record<string, unknown>;
    };
    const fromFile = await run(FIXTURE);
    const fromPostgres = await run(`${db.url}?venue=binance&market=BTC/USDT`);
    expect(fromPostgres.source).toBe("postgres binance BTC/USDT 1m");
    expect(fromPostgres.candles).toBe(2880);
    expect({ ...fromPostgres, source: "" }).toEqual({ ...fromFile, source: "" });
  });

  test("a backtest names what is missing when PostgreSQL holds no candles of the market", async () => {
    await expect(
      backtestCommand(
        {
          strategy: "sma-cross",
          market: "ETH/USDT",
          data: db.url,
          timeframe: "1m",
          capital: "10000",
          fraction: 1,
          candidates: 50,
          objective: "sharpe",
          seed: 42,
          json: true,
        },
        { out: sink().stream, err: sink().stream, interactive: false },
      ),
    ).rejects.toThrow(/no candles of ETH\/USDT \(binance\) in PostgreSQL/);
  });
});
