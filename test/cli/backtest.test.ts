/**
 * `crypy backtest` and `crypy data` as a user runs them: the real bin/crypy (built by `npm test`)
 * on the real BTC/USDT candles, with the data store in a temporary folder.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/crypy", import.meta.url));
/** A directory is read as a Parquet dataset: this one holds none. */
const EMPTY_DIR = mkdtempSync(join(tmpdir(), "crypy-cli-empty-"));
afterAll(() => rmSync(EMPTY_DIR, { recursive: true, force: true }));
const FIXTURE = fileURLToPath(
  new URL("../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);
const run = promisify(execFile);

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-cli-"));
  env = { ...process.env, CRYPY_DATA_DIR: join(dir, "store"), CRYPY_LOG_LEVEL: "warn" };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function crypy(args: string[]) {
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

const TWO_DAYS = [
  "--market",
  "BTC/USDT",
  "--data",
  FIXTURE,
  "--from",
  "2023-03-01",
  "--to",
  "2023-03-03",
];

describe("cli - backtest", () => {
  it("cli - --json prints one document with metrics, trades and the equity curve", async () => {
    const r = await crypy([
      "backtest",
      "--strategy",
      "sma-cross",
      "--params",
      "fast=10,slow=40",
      ...TWO_DAYS,
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      strategy: "sma-cross",
      params: { fast: 10, slow: 40 },
      market: "BTC/USDT",
      candles: 2880,
      source: `${FIXTURE} (OHLCV CSV, times in ISO 8601)`,
    });
    expect(doc.equity).toHaveLength(2880);
    expect(doc.trades.length).toBe(doc.metrics.trades);
    expect(doc.metrics.trades).toBeGreaterThan(0);
    for (const key of [
      "totalReturn",
      "cagr",
      "volatility",
      "sharpe",
      "sortino",
      "calmar",
      "maxDrawdown",
      "winRate",
      "profitFactor",
      "expectancy",
      "exposure",
      "fees",
      "buyAndHoldReturn",
    ]) {
      expect(doc.metrics, key).toHaveProperty(key);
    }
  });

  it("cli - without --json it prints a summary table, and --report writes a standalone HTML file", async () => {
    const report = join(dir, "out.html");
    const r = await crypy(["backtest", "--strategy", "ema-cross", ...TWO_DAYS, "--report", report]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`data: ${FIXTURE}`);
    expect(r.stdout).toMatch(/ema-cross/);
    expect(r.stdout).toContain(`report written to ${report}`);
    const html = await readFile(report, "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/https?:\/\/|<script|src=/);
  });

  it("cli - --sweep ranks parameter sets through the simulator with workers", async () => {
    const r = await crypy([
      "backtest",
      "--strategy",
      "sma-cross",
      ...TWO_DAYS,
      "--sweep",
      "--candidates",
      "6",
      "--workers",
      "2",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sweep).toHaveLength(6);
    const scores = doc.sweep.map((e: { score: number }) => e.score);
    expect([...scores].sort((a: number, b: number) => b - a)).toEqual(scores);
    expect(doc.params).toEqual(doc.sweep[0].params);
  });

  it("cli - --walk-forward fits in-sample and reports out-of-sample folds", async () => {
    const r = await crypy([
      "backtest",
      "--strategy",
      "sma-cross",
      ...TWO_DAYS,
      "--walk-forward",
      "2",
      "--candidates",
      "4",
      "--workers",
      "2",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.walkForward.folds).toHaveLength(2);
    const [first, second] = doc.walkForward.folds;
    expect(first.outOfSample.from).toBeGreaterThan(first.inSample.from);
    expect(second.inSample.from).toBeGreaterThanOrEqual(first.outOfSample.from);
    expect(doc.walkForward.outOfSample).toHaveProperty("sharpe");
  });

  const PERP_VENUE = fileURLToPath(new URL("../../venues/sim-perp.yaml", import.meta.url));
  const RISE = [
    "--strategy",
    "sma-long-short",
    "--params",
    "fast=10,slow=30,sides=short",
    "--market",
    "BTC/USDT:USDT",
    "--venue",
    PERP_VENUE,
    "--data",
    FIXTURE,
    "--from",
    "2023-03-13T06:00Z",
    "--to",
    "2023-03-13T18:00Z",
  ];

  it("cli - a short strategy on a perpetual: --json carries funding, liquidations and leverage; the summary prints them", async () => {
    const flags = ["--leverage", "100", "--margin-mode", "isolated", "--fraction", "0.5"];
    const r = await crypy(["backtest", ...RISE, ...flags, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.market).toBe("BTC/USDT:USDT");
    expect(doc.contract).toMatchObject({ settle: "USDT", leverage: 100, marginMode: "isolated" });
    expect(doc.contract.liquidations).toBeGreaterThanOrEqual(1);
    const liquidated = doc.trades.filter(
      (t: { exitReason: string }) => t.exitReason === "liquidation",
    );
    expect(liquidated).toHaveLength(doc.contract.liquidations);
    expect(doc.trades.every((t: { side: string }) => t.side === "short")).toBe(true);
    for (const key of ["fundingPaid", "fundingReceived"]) {
      expect(doc.contract[key], key).toMatch(/^\d+(\.\d+)?$/);
    }

    const text = await crypy(["backtest", ...RISE, ...flags]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("perpetual BTC/USDT:USDT: leverage 100x isolated, max used ");
    expect(text.stdout).toContain(`funding paid      ${doc.contract.fundingPaid} USDT`);
    expect(text.stdout).toContain(`funding received  ${doc.contract.fundingReceived} USDT`);
    expect(text.stdout).toContain(`liquidations      ${doc.contract.liquidations}`);
  });

  it("cli - a perpetual without data of its own is backtested on its index market's data", async () => {
    const r = await crypy([
      "backtest",
      "--strategy",
      "sma-long-short",
      "--market",
      "BTC/USDT:USDT",
      "--venue",
      PERP_VENUE,
      "--to",
      "2024-01-02",
      "--leverage",
      "5",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.source).toBe(`${PERP_VENUE} (gbm)`);
    expect(doc.candles).toBe(1440);
    expect(doc.contract.leverage).toBe(5);
    expect(doc.contract.marginMode).toBe("cross");
  });

  it("cli - --help tells the perpetual's options and the strategy that shorts", async () => {
    const r = await crypy(["backtest", "--help"]);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain("--leverage <n> a perpetual's leverage");
    expect(help).toContain("--margin-mode <mode> a perpetual's margin mode: cross or isolated");
    expect(help).toContain("sma-long-short, which shorts, on a perpetual");
    expect(help).toContain("BTC/USDT:USDT with --venue venues/sim-perp.yaml");
  });

  it("cli - a margin mode that is neither cross nor isolated is refused by the option parser", async () => {
    const r = await crypy(["backtest", ...RISE, "--margin-mode", "portfolio"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /'--margin-mode <mode>' argument 'portfolio' is invalid\. must be cross or isolated/,
    );
  });

  it("cli - a short strategy on spot says its shorts are ignored", async () => {
    const r = await crypy(["backtest", "--strategy", "sma-long-short", ...TWO_DAYS, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^note: sma-long-short shorts, and BTC\/USDT is spot: its short entries are ignored/,
    );
    expect(JSON.parse(r.stdout).contract).toBeUndefined();
  });

  const refusals: Array<[string, string[], RegExp]> = [
    [
      "a leverage above the perpetual's bracket",
      [...RISE, "--leverage", "126"],
      /^crypy: invalid_input: leverage 126 on BTC\/USDT:USDT: .*maximum 125$/m,
    ],
    [
      "a leverage on spot",
      ["--strategy", "sma-cross", ...TWO_DAYS, "--leverage", "2"],
      /leverage and margin mode apply to contract markets; BTC\/USDT is spot/,
    ],
    [
      "a missing data file",
      ["--strategy", "sma-cross", "--market", "BTC/USDT", "--data", "/nonexistent/x.csv"],
      /^crypy: invalid_input: no such file: \/nonexistent\/x\.csv$/m,
    ],
    [
      "a directory without Parquet files as the data",
      ["--strategy", "sma-cross", "--market", "BTC/USDT", "--data", EMPTY_DIR],
      new RegExp(
        `^crypy: invalid_input: ${EMPTY_DIR} is a directory holding no Parquet files \\(give a data file, or a directory of Parquet files as crypy data export writes\\)$`,
        "m",
      ),
    ],
    [
      "a report in a folder that does not exist",
      ["--strategy", "sma-cross", ...TWO_DAYS, "--report", "/nonexistent/r.html"],
      /^crypy: invalid_input: --report \/nonexistent\/r\.html: cannot write the report: its folder \/nonexistent does not exist$/m,
    ],
    [
      "a directory as the report",
      ["--strategy", "sma-cross", ...TWO_DAYS, "--report", tmpdir()],
      new RegExp(
        `^crypy: invalid_input: --report ${tmpdir()}: cannot write the report: it is a directory$`,
        "m",
      ),
    ],
    [
      "an unknown strategy",
      ["--strategy", "sma-crosss", ...TWO_DAYS],
      /unknown strategy.*sma-cross/,
    ],
    [
      "an unknown parameter",
      ["--strategy", "sma-cross", "--params", "fats=3", ...TWO_DAYS],
      /sma-cross has no parameter 'fats'/,
    ],
    [
      "an out-of-range value",
      ["--strategy", "sma-cross", "--params", "fast=100000", ...TWO_DAYS],
      /parameter 'fast' must be/,
    ],
    [
      "an empty range",
      [
        "--strategy",
        "sma-cross",
        "--market",
        "BTC/USDT",
        "--data",
        FIXTURE,
        "--from",
        "2024-01-01",
      ],
      /no BTC\/USDT candles between 2024-01-01/,
    ],
    [
      "a bad date",
      ["--strategy", "sma-cross", ...TWO_DAYS, "--from", "yesterday"],
      /--from must be a date/,
    ],
    [
      "a market the venue file lacks",
      ["--strategy", "sma-cross", "--market", "DOGE/USDT"],
      /no data for DOGE\/USDT/,
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`cli - ${what} gives a one-line error and a non-zero exit`, async () => {
      const r = await crypy(["backtest", ...args]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  }

  it("cli - a CSV with the wrong columns is refused, naming the file and line", async () => {
    const bad = join(dir, "bad.csv");
    await writeFile(bad, "when,price\n2023-03-01 00:00:00+00:00,1\n");
    const r = await crypy([
      "backtest",
      "--strategy",
      "sma-cross",
      "--market",
      "BTC/USDT",
      "--data",
      bad,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.csv/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("cli - data", () => {
  it("cli - data import stores the file, data ls lists it, and a backtest reads it from the store", async () => {
    const first = await crypy(["data", "import", FIXTURE, "--market", "BTC/USDT"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/imported 30,240 candles of BTC\/USDT 1m/);
    const again = await crypy(["data", "import", FIXTURE, "--market", "BTC/USDT"]);
    expect(again.stdout).toMatch(/0 new/);
    const ls = await crypy(["data", "ls", "--json"]);
    const [series] = JSON.parse(ls.stdout);
    expect(series).toMatchObject({
      venue: "binance",
      market: "BTC/USDT",
      timeframe: "1m",
      rows: 30240,
    });
    const r = await crypy([
      "backtest",
      "--strategy",
      "sma-cross",
      "--market",
      "BTC/USDT",
      "--timeframe",
      "1h",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.source).toBe("store binance BTC/USDT 1m");
    expect(doc.candles).toBe(504); // 21 days of hours
  });
});
