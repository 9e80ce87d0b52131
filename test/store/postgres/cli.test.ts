/**
 * The CLI's doors into PostgreSQL, in-process: `crypy data import FILE --store postgres://…` and
 * `crypy backtest --data postgres://…`, against the same real candles from a file.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
      /^imported 30,240 candles of BTC\/USDT 1m \(binance\) from .* into PostgreSQL: 30,240 new, 0 replaced, 0 already stored; 2023-03-01 00:00 → 2023-03-21 23:59; stored series: 0 gaps\n$/,
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

  test("data import --store records the stored series' gaps; a later import that fills one removes it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "crypy-pg-gaps-"));
    try {
      const csv = (minutes: number[]) =>
        [
          "open_time,open,high,low,close,volume",
          ...minutes.map(
            (m) => `2024-05-01 00:${String(m).padStart(2, "0")}:00+00:00,10,11,9,10.5,${m + 1}`,
          ),
        ].join("\n");
      const holed = join(dir, "holed.csv");
      const filler = join(dir, "filler.csv");
      await writeFile(holed, csv([0, 1, 4, 5, 9]));
      await writeFile(filler, csv([2, 3]));
      const request = { market: "ETH/BTC", venue: "test", store: db.url };
      const first = sink();
      await dataImport(holed, request, first.stream);
      expect(first.text()).toContain("; stored series: 2 gaps\n");
      const gaps = () => db.sql`
        SELECT kind, from_time, to_time, reason FROM gaps WHERE venue = 'test' ORDER BY from_time`;
      const at = (m: number) => new Date(Date.UTC(2024, 4, 1, 0, m));
      expect(await gaps()).toEqual([
        { kind: "candles/1m", from_time: at(2), to_time: at(4), reason: "no candles stored" },
        { kind: "candles/1m", from_time: at(6), to_time: at(9), reason: "no candles stored" },
      ]);
      const second = sink();
      await dataImport(filler, request, second.stream);
      expect(second.text()).toContain("2 new, 0 replaced, 0 already stored");
      expect(second.text()).toContain("; stored series: 1 gap\n");
      expect((await gaps()).map((g) => g.from_time)).toEqual([at(6)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
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
