import { readdir, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TransientError } from "../../src/domain/errors.js";
import type { OHLCV } from "../../src/domain/market-data.js";
import {
  type CandleSeries,
  loadCandles,
  parseTradesCsv,
  tradesToCandles,
} from "../../src/sim/data/index.js";
import { aggregateCandles, parseTimeframe } from "../../src/sim/ohlcv.js";
import { type CandleStore, defaultDataDir, openStore } from "../../src/store/index.js";
import {
  candle,
  candlesCsv,
  cleanup,
  columnsOf,
  FIXTURE,
  HOUR,
  hashDir,
  KEY,
  klineCsv,
  MIN,
  series,
  tempDir,
  writeText,
} from "./support.js";

const T0 = Date.UTC(2023, 2, 1);
const DAY = 86_400_000;
const ohlcv = (s: CandleSeries): OHLCV[] =>
  s.toCandles().map((c) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume]);

describe("candle store", () => {
  let dir = "";
  let store: CandleStore;
  let fixture: CandleSeries;

  beforeEach(async () => {
    dir = await tempDir();
    store = openStore(join(dir, "store"));
    fixture = await loadCandles(FIXTURE);
  });
  afterEach(async () => {
    await cleanup(dir);
  });

  it("store - the fixture reads back exactly, every column", async () => {
    const result = await store.importFile(FIXTURE, KEY);
    expect(result).toMatchObject({
      venue: "binance",
      market: "BTC/USDT",
      timeframe: "1m",
      kind: "candles",
      candles: 30_240,
      added: 30_240,
      replaced: 0,
      conflicting: 0,
    });
    expect(result.stored).toEqual({
      venue: "binance",
      market: "BTC/USDT",
      timeframe: "1m",
      first: T0,
      last: Date.UTC(2023, 2, 21, 23, 59),
      rows: 30_240,
      gaps: [],
    });
    const back = await store.read(KEY);
    expect(back.intervalMs).toBe(MIN);
    expect(columnsOf(back)).toEqual(columnsOf(fixture));
  });

  it("store - a range read includes the candles opening at from and at to", async () => {
    await store.importFile(FIXTURE, KEY);
    const exact = await store.read(KEY, { from: T0 + 10 * MIN, to: T0 + 20 * MIN });
    expect(exact.length).toBe(11);
    expect(exact.startMs).toBe(T0 + 10 * MIN);
    expect(exact.time.at(-1)).toBe(T0 + 20 * MIN);
    expect(columnsOf(exact)).toEqual(columnsOf(fixture.slice(10, 21)));

    const inner = await store.read(KEY, { from: T0 + 10 * MIN + 1, to: T0 + 20 * MIN - 1 });
    expect([inner.startMs, inner.time.at(-1)]).toEqual([T0 + 11 * MIN, T0 + 19 * MIN]);

    const last = fixture.time.at(-1)!;
    expect((await store.read(KEY, { from: last })).length).toBe(1);
    expect((await store.read(KEY, { to: T0 })).length).toBe(1);
    expect((await store.read(KEY, { from: T0 - DAY, to: T0 + DAY })).length).toBe(1441);
    expect((await store.read(KEY, {})).length).toBe(30_240);
  });

  it.each(["5m", "15m", "1h", "4h", "1d"])(
    "store - resampling 1m to %s on read equals aggregateCandles",
    async (timeframe) => {
      await store.importFile(FIXTURE, KEY);
      const ms = parseTimeframe(timeframe);
      const resampled = await store.read(KEY, {}, timeframe);
      expect(resampled.intervalMs).toBe(ms);
      expect(ohlcv(resampled)).toEqual(aggregateCandles(fixture, 0, fixture.length, ms));
    },
  );

  it("store - a resampled range selects candles by their own open time, each built whole", async () => {
    await store.importFile(FIXTURE, KEY);
    const hourly = await store.read(
      KEY,
      { from: T0 + 30 * MIN, to: T0 + 2 * HOUR + 10 * MIN },
      "1h",
    );
    const raw = fixture.slice(60, 180);
    expect(ohlcv(hourly)).toEqual(aggregateCandles(raw, 0, raw.length, HOUR));
    expect([...hourly.time]).toEqual([T0 + HOUR, T0 + 2 * HOUR]);
    // the stored timeframe, named, is no resampling at all
    expect(columnsOf(await store.read(KEY, { to: T0 + 4 * MIN }, "1m"))).toEqual(
      columnsOf(fixture.slice(0, 5)),
    );
  });

  it("store - weekly candles open on Mondays", async () => {
    const daily = { ...KEY, timeframe: "1d" };
    store.importCandles(series(Date.UTC(2024, 0, 1), 21, DAY), daily); // Mon 1 to Sun 21 Jan
    const weekly = await store.read(daily, {}, "1w");
    expect([...weekly.time]).toEqual([0, 7, 14].map((d) => Date.UTC(2024, 0, 1 + d)));
    expect(weekly.volume[0]).toBe(
      [0, 1, 2, 3, 4, 5, 6].reduce((v, i) => v + candle(0, i).volume, 0),
    );
  });

  it("store - re-importing the same file changes no byte", async () => {
    await store.importFile(FIXTURE, KEY);
    const before = await hashDir(store.dir);
    const again = await store.importFile(FIXTURE, KEY);
    expect(again).toMatchObject({ added: 0, replaced: 30_240, conflicting: 0 });
    expect(await hashDir(store.dir)).toBe(before);
    expect(before.startsWith("2:")).toBe(true); // index.json and one chunk, no lock or temp left
  });

  it("store - an overlapping import merges by open time", async () => {
    const first = await writeText(
      dir,
      "a.csv",
      candlesCsv(fixture.slice(0, 12 * 1440).toCandles()),
    );
    const second = await writeText(
      dir,
      "b.csv.gz",
      candlesCsv(fixture.slice(9 * 1440).toCandles()),
    );
    expect(await store.importFile(second, KEY)).toMatchObject({ added: 12 * 1440, replaced: 0 });
    const merged = await store.importFile(first, KEY);
    expect(merged).toMatchObject({ added: 9 * 1440, replaced: 3 * 1440, conflicting: 0 });
    expect(merged.stored.rows).toBe(30_240);
    expect(columnsOf(await store.read(KEY))).toEqual(columnsOf(fixture));
  });

  it("store - a conflicting candle takes the imported values, and is counted", async () => {
    await store.importFile(FIXTURE, KEY);
    const changed = fixture
      .slice(100, 110)
      .toCandles()
      .map((c) => ({ ...c, close: c.low, volume: c.volume + 1 }));
    const fresh = [candle(T0 + 30_240 * MIN, 1)];
    const path = await writeText(dir, "fix.csv", candlesCsv([...changed, ...fresh]));
    const result = await store.importFile(path, KEY);
    expect(result).toMatchObject({ candles: 11, added: 1, replaced: 0, conflicting: 10 });
    const back = await store.read(KEY, { from: T0 + 100 * MIN, to: T0 + 109 * MIN });
    expect(back.toCandles()).toEqual(changed);
    expect(result.stored.last).toBe(T0 + 30_240 * MIN);
  });

  it("store - one chunk file per month for minute candles, listed in the index", async () => {
    const key = { ...KEY, timeframe: "15m" };
    const start = Date.UTC(2023, 0, 1);
    const data = series(start, 120 * 96, 15 * MIN); // 1 Jan to 30 Apr
    store.importCandles(data, key);
    const seriesDir = join(store.dir, "binance", "BTC-USDT", "15m");
    expect((await readdir(seriesDir)).sort()).toEqual([
      "2023-01.bin",
      "2023-02.bin",
      "2023-03.bin",
      "2023-04.bin",
      "index.json",
    ]);
    const february = await store.read(key, {
      from: Date.UTC(2023, 1, 1),
      to: Date.UTC(2023, 1, 28, 23, 45),
    });
    expect(february.length).toBe(28 * 96);
    const across = await store.read(key, {
      from: Date.UTC(2023, 0, 31, 23),
      to: Date.UTC(2023, 2, 1, 1),
    });
    expect(columnsOf(across)).toEqual(
      columnsOf(
        data.slice(
          data.indexAtOrAfter(Date.UTC(2023, 0, 31, 23)),
          data.indexAtOrAfter(Date.UTC(2023, 2, 1, 1, 1)),
        ),
      ),
    );
    expect(columnsOf(await store.read(key))).toEqual(columnsOf(data));
  });

  it("store - gaps are ranges of missing candles, merged across chunk boundaries", async () => {
    const start = Date.UTC(2023, 0, 31, 23, 50);
    // minutes 8–12 straddle midnight into February (two chunks); minute 15 is missing alone
    const data = series(start, 20, MIN, new Set([8, 9, 10, 11, 12, 15]));
    const result = store.importCandles(data, KEY);
    expect(result.stored.gaps).toEqual([
      { from: start + 8 * MIN, to: start + 12 * MIN },
      { from: start + 15 * MIN, to: start + 15 * MIN },
    ]);
    const [listed] = await store.list();
    expect(listed?.gaps).toEqual(result.stored.gaps);
    expect(listed?.rows).toBe(14);
    // filling a gap removes it
    const filled = store.importCandles(series(start, 20, MIN).slice(8, 13), KEY);
    expect(filled.stored.gaps).toEqual([{ from: start + 15 * MIN, to: start + 15 * MIN }]);
  });

  it("store - a trade dump is detected and aggregated to the series' timeframe", async () => {
    const t = Date.UTC(2024, 0, 1);
    const trades = [
      [1, 100, 0.5, t + 1_000, "True"],
      [2, 101, 0.25, t + 20_000, "False"],
      [3, 99, 1, t + 59_999, "True"],
      [4, 102, 2, t + 3 * MIN, "False"], // minutes 1 and 2 had no trade
      [5, 103, 1, t + HOUR + 5, "False"],
    ];
    const text = trades
      .map(
        ([id, p, q, time, maker]) =>
          `${id},${p},${q},${Number(p) * Number(q)},${time},${maker},True`,
      )
      .join("\n");
    const path = await writeText(dir, "BTCUSDT-trades-2024-01-01.csv.gz", text);
    const result = await store.importFile(path, KEY);
    expect(result).toMatchObject({ kind: "trades", trades: 5, candles: 3, added: 3 });
    const expected = tradesToCandles(parseTradesCsv(text, { file: "t" }), MIN);
    expect(columnsOf(await store.read(KEY))).toEqual(columnsOf(expected));
    expect(result.stored.gaps).toEqual([
      { from: t + MIN, to: t + 2 * MIN },
      { from: t + 4 * MIN, to: t + 59 * MIN },
    ]);

    const hourly = await store.importFile(path, { ...KEY, timeframe: "1h", kind: "trades" });
    expect(hourly).toMatchObject({ candles: 2, timeframe: "1h" });
    const weekly = await store.importFile(path, { ...KEY, timeframe: "1w" });
    expect(weekly.stored.first).toBe(Date.UTC(2024, 0, 1)); // a Monday
    expect((await store.read({ ...KEY, timeframe: "1w" })).at(0)).toEqual({
      timestamp: t,
      open: 100,
      high: 103,
      low: 99,
      close: 103,
      volume: 4.75,
    });
  });

  it("store - a 12-column kline dump without a header imports", async () => {
    const candles = fixture.slice(0, 100).toCandles();
    const path = await writeText(dir, "BTCUSDT-1m-2023-03-01.csv", klineCsv(candles, MIN));
    expect(await store.importFile(path, { ...KEY, kind: "candles" })).toMatchObject({ added: 100 });
    expect((await store.read(KEY)).toCandles()).toEqual(candles);
  });

  it("store - list gives every series by venue, market and timeframe", async () => {
    expect(await store.list()).toEqual([]);
    store.importCandles(series(T0, 3, HOUR), { ...KEY, timeframe: "1h" });
    store.importCandles(series(T0, 5, MIN), { ...KEY, market: "ETH/USDT" });
    store.importCandles(series(T0, 4, MIN), KEY);
    store.importCandles(series(T0, 2, MIN), { ...KEY, venue: "binanceus" });
    const listed = await store.list();
    expect(listed.map((s) => [s.venue, s.market, s.timeframe, s.rows])).toEqual([
      ["binance", "BTC/USDT", "1m", 4],
      ["binance", "BTC/USDT", "1h", 3],
      ["binance", "ETH/USDT", "1m", 5],
      ["binanceus", "BTC/USDT", "1m", 2],
    ]);
    expect(listed[1]).toEqual({
      venue: "binance",
      market: "BTC/USDT",
      timeframe: "1h",
      first: T0,
      last: T0 + 2 * HOUR,
      rows: 3,
      gaps: [],
    });
  });

  it("store - a market token and a non-canonical timeframe name the same series", async () => {
    const result = store.importCandles(series(T0, 3, HOUR), {
      venue: "binance",
      market: "BTC-USDT",
      timeframe: "60m",
    });
    expect([result.market, result.timeframe]).toEqual(["BTC/USDT", "1h"]);
    expect((await store.read({ ...KEY, timeframe: "1h" })).length).toBe(3);
    expect((await readdir(join(store.dir, "binance", "BTC-USDT"))).sort()).toEqual(["1h"]);
  });

  it("store - directories are created private (0700)", async () => {
    store.importCandles(series(T0, 3, MIN), KEY);
    for (const sub of ["", "binance", "binance/BTC-USDT", "binance/BTC-USDT/1m"]) {
      expect((await stat(join(store.dir, sub))).mode & 0o777).toBe(0o700);
    }
  });

  it("store - an import refuses a live lock and takes over a dead one", async () => {
    store.importCandles(series(T0, 3, MIN), KEY);
    const lock = join(store.dir, "binance", "BTC-USDT", "1m", "import.lock");
    await writeFile(lock, `${process.ppid}\n`);
    expect(() => store.importCandles(series(T0, 4, MIN), KEY)).toThrow(TransientError);
    expect(() => store.importCandles(series(T0, 4, MIN), KEY)).toThrow(
      `another import into BTC/USDT 1m (binance) is running (pid ${process.ppid}); try again when it ends`,
    );
    await writeFile(lock, "2147483646\n"); // no such process
    expect(store.importCandles(series(T0, 4, MIN), KEY).added).toBe(1);
    expect((await readdir(join(store.dir, "binance", "BTC-USDT", "1m"))).sort()).toEqual([
      "2023-03.bin",
      "index.json",
    ]);
  });
});

describe("store location", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("store location - CRYPY_DATA_DIR, else XDG_DATA_HOME/crypy/data, else ~/.local/share", () => {
    expect(defaultDataDir({ CRYPY_DATA_DIR: "/srv/crypy", XDG_DATA_HOME: "/xdg" })).toBe(
      "/srv/crypy",
    );
    expect(defaultDataDir({ CRYPY_DATA_DIR: "data" })).toBe(resolve("data"));
    expect(defaultDataDir({ XDG_DATA_HOME: "/xdg" })).toBe("/xdg/crypy/data");
    // XDG: a relative XDG_DATA_HOME is invalid and ignored; so is an empty CRYPY_DATA_DIR
    expect(defaultDataDir({ XDG_DATA_HOME: "xdg", CRYPY_DATA_DIR: "" })).toBe(
      join(homedir(), ".local", "share", "crypy", "data"),
    );
  });

  it("store location - resolved when the store is opened, not when the module loads", () => {
    const [one, two] = [join(tmpdir(), "crypy-one"), join(tmpdir(), "crypy-two")];
    vi.stubEnv("CRYPY_DATA_DIR", one);
    expect(openStore().dir).toBe(one);
    vi.stubEnv("CRYPY_DATA_DIR", two);
    expect(openStore().dir).toBe(two);
  });
});
