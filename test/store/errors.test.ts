import { mkdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import { loadCandles } from "../../src/sim/data/index.js";
import { type CandleStore, openStore } from "../../src/store/index.js";
import {
  candlesCsv,
  cleanup,
  FIXTURE,
  HOUR,
  KEY,
  klineCsv,
  MIN,
  series,
  tempDir,
  writeText,
} from "./support.js";

const T0 = Date.UTC(2023, 2, 1);
const STORED = "2023-03-01 00:00 → 2023-03-21 23:59";

/** Runs `work` and returns the InvalidInputError it throws (failing if it throws anything else). */
async function invalid(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected an InvalidInputError, nothing was thrown");
}

describe("candle store errors", () => {
  let dir = "";
  let store: CandleStore;

  beforeEach(async () => {
    dir = await tempDir();
    store = openStore(join(dir, "store"));
  });
  afterEach(async () => {
    await cleanup(dir);
  });

  it("store errors - reading a series with nothing stored names it and what is stored", async () => {
    expect(await invalid(() => store.read(KEY))).toBe(
      "no candles stored for BTC/USDT 1m (binance); nothing is stored for BTC/USDT (binance)",
    );
    await store.importFile(FIXTURE, KEY);
    expect(await invalid(() => store.read({ ...KEY, timeframe: "5m" }))).toBe(
      `no candles stored for BTC/USDT 5m (binance); stored for BTC/USDT (binance): 1m ${STORED}`,
    );
    expect(await invalid(() => store.read({ ...KEY, venue: "kraken" }))).toBe(
      "no candles stored for BTC/USDT 1m (kraken); nothing is stored for BTC/USDT (kraken)",
    );
  });

  it("store errors - an empty range names the range and the stored one", async () => {
    await store.importFile(FIXTURE, KEY);
    expect(await invalid(() => store.read(KEY, { from: Date.UTC(2024, 0, 1) }))).toBe(
      `no candles of BTC/USDT 1m (binance) from 2024-01-01 00:00 to the end; stored: ${STORED}`,
    );
    expect(await invalid(() => store.read(KEY, { from: T0 - 2 * HOUR, to: T0 - HOUR }, "1h"))).toBe(
      `no candles of BTC/USDT 1m (binance) from 2023-02-28 22:00 to 2023-02-28 23:00; stored: ${STORED}`,
    );
    expect(await invalid(() => store.read(KEY, { to: T0 - 1 }))).toContain("from the start to");
    // a range inside the stored one but shorter than a resampled candle holds none of them
    expect(
      await invalid(() => store.read(KEY, { from: T0 + MIN, to: T0 + 2 * MIN }, "1h")),
    ).toContain("no candles of BTC/USDT 1m (binance) from 2023-03-01 00:01 to 2023-03-01 00:02");
  });

  it("store errors - a malformed range", async () => {
    await store.importFile(FIXTURE, KEY);
    expect(await invalid(() => store.read(KEY, { from: T0 + HOUR, to: T0 }))).toBe(
      "range: from 2023-03-01 01:00:00 is after to 2023-03-01 00:00:00",
    );
    expect(await invalid(() => store.read(KEY, { from: Number.NaN }))).toBe(
      "range: 'from' must be a time in epoch ms, got NaN",
    );
  });

  it("store errors - bad venue, market and timeframe", async () => {
    expect(await invalid(() => store.read({ ...KEY, venue: "Binance" }))).toBe(
      `invalid venue "Binance": use lowercase letters, digits, '-' and '_' (e.g. binance)`,
    );
    expect(await invalid(() => store.read({ ...KEY, venue: "../x" }))).toContain("invalid venue");
    expect(await invalid(() => store.read({ ...KEY, market: "BTCUSDT" }))).toBe(
      'invalid market symbol "BTCUSDT": expected "BASE/QUOTE", "BASE/QUOTE:SETTLE" or "BASE/QUOTE:SETTLE-YYMMDD"',
    );
    expect(await invalid(() => store.read({ ...KEY, market: "btc/usdt" }))).toBe(
      'invalid market symbol "btc/usdt": base asset "btc" must be uppercase ("BTC")',
    );
    expect(await invalid(() => store.read({ ...KEY, timeframe: "1x" }))).toBe(
      'timeframe "1x" is not valid: use e.g. 1m, 5m, 15m, 1h, 4h, 1d',
    );
    expect(await invalid(() => store.importFile(FIXTURE, { ...KEY, timeframe: "" }))).toContain(
      'timeframe "" is not valid',
    );
  });

  it("store errors - resampling to a timeframe that is not a multiple of the stored one", async () => {
    await store.importFile(FIXTURE, KEY);
    expect(await invalid(() => store.read(KEY, {}, "90s"))).toBe(
      "cannot resample BTC/USDT 1m (binance) to 90s: 90s is not a multiple of 1m",
    );
    expect(await invalid(() => store.read(KEY, {}, "30s"))).toBe(
      "cannot resample BTC/USDT 1m (binance) to 30s: 30s is not a multiple of 1m",
    );
    expect(await invalid(() => store.read(KEY, {}, "hourly"))).toContain('timeframe "hourly"');
  });

  it("store errors - candles that do not fit the series", async () => {
    expect(await invalid(() => store.importCandles(series(T0, 3, 5 * MIN), KEY))).toBe(
      "cannot import 5m candles (intervalMs 300000) as BTC/USDT 1m (binance): the timeframes differ",
    );
    expect(await invalid(() => store.importCandles(series(T0 + 30_000, 3, MIN), KEY))).toBe(
      "cannot import into BTC/USDT 1m (binance): row 0 opens at 2023-03-01 00:00:30, which is not " +
        "on the 1m grid (candles open at whole multiples of their timeframe, UTC)",
    );
    expect(
      await invalid(() =>
        store.importCandles(series(Date.UTC(2024, 0, 2), 2, 7 * 86_400_000), {
          ...KEY,
          timeframe: "1w",
        }),
      ),
    ).toContain(
      "not on the 1w grid (candles open at whole multiples of their timeframe, weeks on Mondays, UTC)",
    );
    expect(await invalid(() => store.importCandles(series(T0, 0, MIN), KEY))).toBe(
      "nothing to import into BTC/USDT 1m (binance): no candles",
    );
  });

  it("store errors - files that are missing, unreadable or of no known kind", async () => {
    const missing = join(dir, "nope.csv");
    expect(await invalid(() => store.importFile(missing, KEY))).toBe(`no such file: ${missing}`);
    expect(await invalid(() => store.importFile(dir, KEY))).toBe(
      `${dir} is a directory holding no Parquet files (give a data file, or a directory of Parquet files as crypy data export writes)`,
    );
    const junk = await writeText(dir, "junk.csv", "a,b,c\n1,2,3\n");
    expect(await invalid(() => store.importFile(junk, KEY))).toBe(
      `${junk}: neither a candle file nor a trade dump: as candles, line 1: expected 6 columns ` +
        "(open_time,open,high,low,close,volume), 7 (Kraken OHLCVT) or 12 (Binance kline), or a " +
        "header naming time, open, high, low, close and volume; got 3; as trades, line 1: " +
        "expected 7 columns (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match) or 6 " +
        "(without is_best_match), or Binance aggTrades' 8 (agg_trade_id,price,quantity," +
        "first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match) or 7; got 3",
    );
    const badValue = await writeText(
      dir,
      "bad.csv",
      "open_time,open,high,low,close,volume\n2023-03-01 00:00:00+00:00,1,2,0.5,x,3\n",
    );
    expect(await invalid(() => store.importFile(badValue, { ...KEY, kind: "candles" }))).toBe(
      `${badValue}:2: column 'close': expected a number, got 'x'`,
    );
    expect(await invalid(() => store.importFile(FIXTURE, { ...KEY, kind: "trades" }))).toBe(
      `${FIXTURE}:1: unknown header: column 1 is 'open_time', expected 'id'`,
    );
    const gz = join(dir, "fake.csv.gz");
    await writeFile(gz, "not gzip");
    expect(await invalid(() => store.importFile(gz, KEY))).toContain(
      `${gz}: not a valid gzip file`,
    );
    expect(
      await invalid(() => store.importFile(FIXTURE, { ...KEY, kind: "bogus" as "candles" })),
    ).toBe('invalid kind "bogus": expected candles or trades');
  });

  it("store errors - a candle file of another timeframe", async () => {
    const fixture = await loadCandles(FIXTURE);
    const fiveMinute = fixture
      .slice(0, 60)
      .toCandles()
      .filter((c) => c.timestamp % (5 * MIN) === 0);
    const kline = await writeText(dir, "k.csv", klineCsv(fiveMinute, 5 * MIN));
    expect(await invalid(() => store.importFile(kline, KEY))).toBe(
      `${kline}: its close_time says it holds 5m candles, but the timeframe given is 1m; pass the timeframe 5m`,
    );
    const simple = await writeText(dir, "s.csv", candlesCsv(fiveMinute));
    expect(await invalid(() => store.importFile(simple, KEY))).toBe(
      `${simple}: its candles are never less than 5m apart, so they look like 5m candles, but the ` +
        "timeframe given is 1m; pass the timeframe 5m",
    );
    expect(await invalid(() => store.importFile(FIXTURE, { ...KEY, timeframe: "5m" }))).toBe(
      `${FIXTURE}: its candles are 1m apart, closer than the timeframe given, 5m; pass the ` +
        "timeframe 1m",
    );
    expect(await store.importFile(simple, { ...KEY, timeframe: "5m" })).toMatchObject({
      added: 12,
    });
  });

  describe("corruption", () => {
    const chunk = () => join(store.dir, "binance", "BTC-USDT", "1m", "2023-03.bin");
    const index = () => join(store.dir, "binance", "BTC-USDT", "1m", "index.json");

    beforeEach(async () => {
      await store.importFile(FIXTURE, KEY);
    });

    it("store errors - a truncated chunk is refused by both read and import, naming the file", async () => {
      await truncate(chunk(), 1_451_584 - 8);
      const expected =
        `corrupt chunk file ${chunk()}: 1451576 bytes, but its header says 30240 rows ` +
        "(1451584 bytes expected); re-import its data";
      expect(await invalid(() => store.read(KEY))).toBe(expected);
      expect(await invalid(() => store.importFile(FIXTURE, KEY))).toBe(expected);
      await truncate(chunk(), 10);
      expect(await invalid(() => store.read(KEY))).toBe(
        `corrupt chunk file ${chunk()}: 10 bytes, shorter than the 64-byte header; re-import its data`,
      );
    });

    it("store errors - a chunk the index lists but the disk lacks", async () => {
      await rm(chunk());
      const expected = `missing chunk file ${chunk()}: the series' index lists it; re-import its data`;
      expect(await invalid(() => store.read(KEY))).toBe(expected);
      expect(await invalid(() => store.importFile(FIXTURE, KEY))).toBe(expected);
    });

    it("store errors - a damaged byte fails the checksum", async () => {
      const bytes = await readFile(chunk());
      const at = 64 + 8 * 30_240 * 4 + 3; // a byte of a close price
      bytes[at] = bytes[at]! ^ 0x10;
      await writeFile(chunk(), bytes);
      expect(await invalid(() => store.read(KEY))).toBe(
        `corrupt chunk file ${chunk()}: checksum mismatch; re-import its data`,
      );
    });

    it("store errors - a file that is not a chunk at all", async () => {
      await writeFile(chunk(), Buffer.alloc(1_451_584, 0x41));
      expect(await invalid(() => store.read(KEY))).toBe(
        `corrupt chunk file ${chunk()}: not a crypy candle chunk (bad magic); re-import its data`,
      );
      const bytes = await readFile(FIXTURE);
      await writeFile(chunk(), bytes);
      expect(await invalid(() => store.read(KEY))).toContain("bad magic");
    });

    it("store errors - a chunk of a newer format or another interval", async () => {
      const bytes = await readFile(chunk());
      const newer = Buffer.from(bytes);
      newer.writeUInt32LE(2, 8);
      await writeFile(chunk(), newer);
      expect(await invalid(() => store.read(KEY))).toContain(
        "format version 2, this crypy reads 1",
      );
      const hourly = Buffer.from(bytes);
      hourly.writeDoubleLE(HOUR, 24);
      await writeFile(chunk(), hourly);
      expect(await invalid(() => store.read(KEY))).toContain(
        "it holds 3600000 ms candles, its series is 60000 ms",
      );
    });

    it("store errors - a corrupt index is refused, naming the file and the field", async () => {
      const text = await readFile(index(), "utf8");
      await writeFile(index(), "{");
      expect(await invalid(() => store.read(KEY))).toMatch(
        new RegExp(
          `^corrupt index file ${index().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not JSON`,
        ),
      );
      expect(await invalid(() => store.list())).toContain(`corrupt index file ${index()}`);
      await writeFile(index(), text.replace('"rows": 30240', '"rows": -1'));
      expect(await invalid(() => store.read(KEY))).toBe(
        `corrupt index file ${index()}: chunks.0.rows: Too small: expected number to be >0`,
      );
      await writeFile(index(), text.replace('"market": "BTC/USDT"', '"market": "ETH/USDT"'));
      expect(await invalid(() => store.importFile(FIXTURE, KEY))).toBe(
        `corrupt index file ${index()}: it describes ETH/USDT 1m (binance), but sits in the ` +
          "directory of BTC/USDT 1m (binance)",
      );
      await writeFile(index(), text.replace('"file": "2023-03.bin"', '"file": "../x.bin"'));
      expect(await invalid(() => store.read(KEY))).toContain("chunks.0.file: Invalid string");
    });

    it("store errors - stray directories in the store are not series", async () => {
      await mkdir(join(store.dir, "Not A Venue", "x"), { recursive: true });
      await mkdir(join(store.dir, "binance", "BTC-USDT", "60m"), { recursive: true });
      await mkdir(join(store.dir, "binance", "junk", "1m"), { recursive: true });
      expect((await store.list()).map((s) => s.timeframe)).toEqual(["1m"]);
    });
  });
});
