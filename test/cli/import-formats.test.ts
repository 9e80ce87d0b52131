/**
 * Issue 15 through the real bin/crypy: files of other venues (Kraken OHLCVT, Bitstamp minute data,
 * Binance aggTrades, headed candle CSVs) imported with `crypy data import` and backtested with
 * `crypy backtest --data`, the same verdict both ways (one loader), the time unit shown; times of
 * no unit refused by both with the same message; and `--data-venue` choosing a stored series.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aggTradesCsv,
  bars,
  bitstampCsv,
  epochCsv,
  headedCsv,
  krakenCsv,
} from "../store/formats.js";

const BIN = fileURLToPath(new URL("../../bin/crypy", import.meta.url));
const run = promisify(execFile);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-formats-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function crypy(args: string[], store: string) {
  const env = { ...process.env, CRYPY_DATA_DIR: join(dir, store), CRYPY_LOG_LEVEL: "warn" };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env,
      timeout: 60_000,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const BACKTEST = ["backtest", "--strategy", "sma-cross", "--params", "fast=5,slow=20", "--json"];

describe("cli - files of other venues", () => {
  const cases: [string, () => string, string, number][] = [
    ["Kraken OHLCVT", () => krakenCsv(bars(300)), "Kraken OHLCVT, times in seconds", 300],
    [
      "Bitstamp minute data",
      () => bitstampCsv(bars(300)),
      "headed candle CSV, times in seconds, newest first",
      300,
    ],
    [
      "a headed ISO candle CSV",
      () => headedCsv(bars(300)),
      "headed candle CSV, times in ISO 8601",
      300,
    ],
    [
      "a nanosecond candle CSV",
      () => epochCsv(bars(300), 1_000_000),
      "OHLCV CSV, times in nanoseconds",
      300,
    ],
    [
      "Binance aggTrades without a header",
      () => aggTradesCsv(300),
      "1,200 trades, Binance aggTrades, times in milliseconds",
      300,
    ],
    [
      "Binance aggTrades with a header, µs",
      () => aggTradesCsv(300, { header: true, spot: true, perMs: 1000 }),
      "1,200 trades, Binance aggTrades, times in microseconds",
      300,
    ],
  ];
  it.each(cases)(
    "cli formats - %s: imported and backtested alike, the unit shown",
    async (name, text, format, candles) => {
      const path = await file(`${name.replaceAll(/\W/g, "_")}.csv`, text());
      const store = `store-${name.replaceAll(/\W/g, "_")}`;
      const imported = await crypy(
        ["data", "import", path, "--market", "BTC/USDT", "--venue", "kraken"],
        store,
      );
      expect(imported.stderr).toBe("");
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain(
        `imported ${candles} candles of BTC/USDT 1m (kraken) from ${path} (${format})`,
      );
      expect(imported.stdout).toContain("stored 2024-01-01 00:00 → 2024-01-01 04:59");

      const fromFile = await crypy([...BACKTEST, "--market", "BTC/USDT", "--data", path], store);
      expect(fromFile.code).toBe(0);
      const doc = JSON.parse(fromFile.stdout);
      expect(doc.source).toBe(`${path} (${format})`);
      expect(doc.candles).toBe(candles);

      const fromStore = await crypy(
        [...BACKTEST, "--market", "BTC/USDT", "--data-venue", "kraken"],
        store,
      );
      expect(fromStore.code).toBe(0);
      const stored = JSON.parse(fromStore.stdout);
      expect(stored.source).toBe("store kraken BTC/USDT 1m");
      expect(stored.candles).toBe(candles);
      expect(stored.metrics).toEqual(doc.metrics);
    },
  );

  it("cli formats - times of no unit: refused by import and backtest with the same message", async () => {
    const path = await file(
      "1970.csv",
      "open_time,open,high,low,close,volume\n60,1,2,0.5,1.5,3\n120,1,2,0.5,1.5,3\n",
    );
    const imported = await crypy(["data", "import", path, "--market", "BTC/USDT"], "store-1970");
    const backtest = await crypy(
      [...BACKTEST, "--market", "BTC/USDT", "--data", path],
      "store-1970",
    );
    expect(imported.code).not.toBe(0);
    expect(backtest.code).toBe(imported.code);
    expect(imported.stderr).toContain(
      "'60' is no epoch time in 2009–2100 in any unit (s 1970-01-01T00:01:00Z",
    );
    expect(backtest.stderr).toBe(imported.stderr);
  });

  it("cli formats - a row off the grid: the same refusal, naming the row, no timeframe advised", async () => {
    const rows = bars(60);
    rows[30]!.time = rows[29]!.time + 30_000;
    const path = await file("offgrid.csv", krakenCsv(rows));
    const imported = await crypy(["data", "import", path, "--market", "BTC/USDT"], "store-grid");
    const backtest = await crypy(
      [...BACKTEST, "--market", "BTC/USDT", "--data", path],
      "store-grid",
    );
    expect(imported.code).not.toBe(0);
    expect(imported.stderr).toContain(`${path}:31: the candle opening at 2024-01-01 00:29:30`);
    expect(imported.stderr).toContain("the data is irregular there");
    expect(imported.stderr).not.toContain("pass the timeframe");
    expect(backtest.stderr).toBe(imported.stderr);
  });
});

describe("cli - --data-venue", () => {
  it("cli venue - a series stored under another venue is chosen, never synthetic prices instead", async () => {
    const path = await file("kraken.csv", krakenCsv(bars(300)));
    const store = "store-venue";
    expect(
      (await crypy(["data", "import", path, "--market", "BTC/USDT", "--venue", "kraken"], store))
        .code,
    ).toBe(0);

    const plain = await crypy([...BACKTEST, "--market", "BTC/USDT"], store);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain(
      "no stored BTC/USDT series of venue binance (stored: kraken BTC/USDT 1m); pass --data-venue kraken",
    );

    const missing = await crypy(
      [...BACKTEST, "--market", "BTC/USDT", "--data-venue", "bitstamp"],
      store,
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      "no stored BTC/USDT series of venue bitstamp (stored: kraken BTC/USDT 1m); pass --data-venue kraken",
    );

    const chosen = await crypy(
      [...BACKTEST, "--market", "BTC/USDT", "--data-venue", "kraken"],
      store,
    );
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.stdout)).toMatchObject({
      source: "store kraken BTC/USDT 1m",
      candles: 300,
    });

    const both = await crypy(
      [...BACKTEST, "--market", "BTC/USDT", "--data", path, "--data-venue", "kraken"],
      store,
    );
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain(
      "--data reads a file and --data-venue a stored series: pass one of them",
    );

    const help = await crypy(["backtest", "--help"], store);
    expect(help.stdout).toContain("--data-venue <name>");
  });

  it("cli venue - an empty store still backtests on the venue file's own data", async () => {
    const r = await crypy(
      [...BACKTEST, "--market", "BTC/USDT", "--from", "2024-01-01", "--to", "2024-01-02"],
      "store-empty",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).source).toMatch(/venues\/sim\.yaml/);
  });
});
