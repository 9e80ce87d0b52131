import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dataImport, dataList } from "../../src/cli/data-commands.js";
import { InvalidInputError } from "../../src/domain/errors.js";
import { loadCandles } from "../../src/sim/data/index.js";
import {
  candlesCsv,
  cleanup,
  FIXTURE,
  MIN,
  series,
  sink,
  tempDir,
  writeText,
} from "../store/support.js";

const FIXTURE_SUMMARY =
  `imported 30,240 candles of BTC/USDT 1m (binance) from ${FIXTURE} (OHLCV CSV, times in ISO 8601): ` +
  "30,240 new, 0 replaced; " +
  "stored 2023-03-01 00:00 → 2023-03-21 23:59, 0 gaps\n";

async function run(command: (out: NodeJS.WritableStream) => Promise<void>): Promise<string> {
  const { out, text } = sink();
  await command(out);
  return text();
}

async function failure(command: (out: NodeJS.WritableStream) => Promise<void>): Promise<string> {
  const error = await run(command).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  const message = (error as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

describe("data commands", () => {
  let dir = "";

  beforeEach(async () => {
    dir = await tempDir("crypy-data-");
    vi.stubEnv("CRYPY_DATA_DIR", join(dir, "data"));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup(dir);
  });

  it("data import - one summary line; a re-import adds nothing", async () => {
    expect(await run((out) => dataImport(FIXTURE, { market: "BTC/USDT" }, out))).toBe(
      FIXTURE_SUMMARY,
    );
    expect(await run((out) => dataImport(FIXTURE, { market: "BTC/USDT" }, out))).toBe(
      FIXTURE_SUMMARY.replace("30,240 new, 0 replaced", "0 new, 30,240 replaced"),
    );
  });

  it("data import - gaps, conflicts, venue and timeframe in the summary", async () => {
    const start = Date.UTC(2024, 0, 1);
    const gappy = series(start, 10, 5 * MIN, new Set([3, 6, 7]));
    const path = await writeText(dir, "eth.csv", candlesCsv(gappy.toCandles()));
    const options = { market: "ETH/USDT", timeframe: "5m", venue: "kraken" };
    expect(await run((out) => dataImport(path, options, out))).toBe(
      `imported 7 candles of ETH/USDT 5m (kraken) from ${path} (OHLCV CSV, times in ISO 8601): ` +
        "7 new, 0 replaced; " +
        "stored 2024-01-01 00:00 → 2024-01-01 00:45, 2 gaps (3 candles missing)\n",
    );
    const changed = gappy.toCandles().map((c, i) => (i < 2 ? { ...c, volume: 99 } : c));
    const fix = await writeText(dir, "fix.csv", candlesCsv([...changed.slice(0, 4)]));
    expect(await run((out) => dataImport(fix, options, out))).toBe(
      `imported 4 candles of ETH/USDT 5m (kraken) from ${fix} (OHLCV CSV, times in ISO 8601): ` +
        "0 new, 2 replaced, 2 conflicting " +
        "(overwritten with the file's values); stored 2024-01-01 00:00 → 2024-01-01 00:45, " +
        "2 gaps (3 candles missing)\n",
    );
    const single = series(start, 3, 5 * MIN, new Set([1]));
    const one = await writeText(dir, "one.csv", candlesCsv(single.toCandles()));
    expect(
      await run((out) => dataImport(one, { ...options, market: "SOL/USDT", kind: "candles" }, out)),
    ).toContain("1 gap (1 candle missing)");
  });

  it("data import - a trade dump says how many trades made the candles", async () => {
    const t = Date.UTC(2024, 0, 1);
    const text = [
      `1,100,0.5,50,${t + 1_000},True,True`,
      `2,101,0.5,50.5,${t + 2_000},False,True`,
      `3,102,1,102,${t + 61_000},False,True`,
    ].join("\n");
    const path = await writeText(dir, "BTCUSDT-trades.csv", text);
    expect(await run((out) => dataImport(path, { market: "BTC/USDT" }, out))).toBe(
      `imported 2 candles of BTC/USDT 1m (binance) from ${path} ` +
        "(3 trades, Binance trades, times in milliseconds): 2 new, 0 replaced; " +
        "stored 2024-01-01 00:00 → 2024-01-01 00:01, 0 gaps\n",
    );
  });

  it("data list - an aligned table, by venue, market and timeframe", async () => {
    expect(await run((out) => dataList({}, out))).toBe(
      `no market data stored in ${join(dir, "data")} (add some with: crypy data import FILE --market BASE/QUOTE)\n`,
    );
    await run((out) => dataImport(FIXTURE, { market: "BTC/USDT" }, out));
    const start = Date.UTC(2024, 0, 1);
    const path = await writeText(
      dir,
      "eth.csv",
      candlesCsv(series(start, 5, MIN, new Set([2])).toCandles()),
    );
    await run((out) => dataImport(path, { market: "ETH/USDT", venue: "binanceus" }, out));
    expect(await run((out) => dataList({}, out))).toBe(
      [
        "venue      market    timeframe  from              to                candles  gaps",
        "binance    BTC/USDT  1m         2023-03-01 00:00  2023-03-21 23:59   30,240     0",
        "binanceus  ETH/USDT  1m         2024-01-01 00:00  2024-01-01 00:04        4     1",
        "",
      ].join("\n"),
    );
  });

  it("data list --json - the stored series with their gaps, times in epoch ms", async () => {
    expect(JSON.parse(await run((out) => dataList({ json: true }, out)))).toEqual([]);
    await run((out) => dataImport(FIXTURE, { market: "BTC/USDT" }, out));
    const fixture = await loadCandles(FIXTURE);
    expect(JSON.parse(await run((out) => dataList({ json: true }, out)))).toEqual([
      {
        venue: "binance",
        market: "BTC/USDT",
        timeframe: "1m",
        first: fixture.startMs,
        last: fixture.time.at(-1),
        rows: 30_240,
        gaps: [],
      },
    ]);
  });

  it("data commands - a data directory can be given instead of the environment's", async () => {
    const other = join(dir, "elsewhere");
    await run((out) => dataImport(FIXTURE, { market: "BTC/USDT", dataDir: other }, out));
    expect(await run((out) => dataList({ dataDir: other }, out))).toContain("30,240");
    expect(await run((out) => dataList({}, out))).toContain("no market data stored");
  });

  it("data commands - errors are one-line InvalidInputErrors naming what was wrong", async () => {
    const missing = join(dir, "missing.csv");
    expect(await failure((out) => dataImport(missing, { market: "BTC/USDT" }, out))).toBe(
      `no such file: ${missing}`,
    );
    expect(await failure((out) => dataImport(FIXTURE, { market: "BTCUSDT" }, out))).toBe(
      'invalid market symbol "BTCUSDT": expected "BASE/QUOTE", "BASE/QUOTE:SETTLE" or "BASE/QUOTE:SETTLE-YYMMDD"',
    );
    expect(
      await failure((out) => dataImport(FIXTURE, { market: "BTC/USDT", timeframe: "1 min" }, out)),
    ).toBe('timeframe "1 min" is not valid: use e.g. 1m, 5m, 15m, 1h, 4h, 1d');
    expect(
      await failure((out) => dataImport(FIXTURE, { market: "BTC/USDT", venue: "Binance US" }, out)),
    ).toBe(`invalid venue "Binance US": use lowercase letters, digits, '-' and '_' (e.g. binance)`);
    expect(
      await failure((out) => dataImport(FIXTURE, { market: "BTC/USDT", kind: "klines" }, out)),
    ).toBe('invalid kind "klines": expected candles or trades');
    const bad = await writeText(dir, "bad.csv", "time,price\n1,2\n");
    expect(await failure((out) => dataImport(bad, { market: "BTC/USDT" }, out))).toBe(
      `${bad}: neither a candle file nor a trade dump: as candles, line 1: expected 6 columns ` +
        "(open_time,open,high,low,close,volume), 7 (Kraken OHLCVT) or 12 (Binance kline), or a " +
        "header naming time, open, high, low, close and volume; got 2; as trades, line 1: " +
        "expected 7 columns (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match) or 6 " +
        "(without is_best_match), or Binance aggTrades' 8 (agg_trade_id,price,quantity," +
        "first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match) or 7; got 2",
    );
    // nothing was stored by the failed imports
    expect(await run((out) => dataList({ json: true }, out))).toBe("[]\n");
  });
});
