/**
 * The one loader (loadMarketFile) on files of other venues' formats: the layout and time unit
 * detected and reported, newest-first files sorted, impossible times refused at their line with
 * what they would be in each unit, and advice that cannot lead to wrong data.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { describeLoaded, loadMarketFile } from "../../../src/store/import-file.js";
import {
  aggTradesCsv,
  bars,
  bitstampCsv,
  epochCsv,
  headedCsv,
  krakenCsv,
  MINUTE,
  T0,
} from "../formats.js";
import { cleanup, tempDir, writeText } from "../support.js";

async function refused(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).not.toContain("\n");
    return (err as Error).message;
  }
  throw new Error("expected an InvalidInputError");
}

describe("market files of other venues", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await tempDir("crypy-formats-");
  });
  afterEach(async () => cleanup(dir));

  it("formats - Kraken OHLCVT in Unix seconds: 2024 candles, not 1970", async () => {
    const rows = bars(30);
    const file = await writeText(dir, "XBTUSD_1.csv", krakenCsv(rows));
    const loaded = await loadMarketFile(file);
    expect(loaded.series.intervalMs).toBe(MINUTE);
    expect([...loaded.series.time]).toEqual(rows.map((b) => b.time));
    expect([...loaded.series.close]).toEqual(rows.map((b) => b.close));
    expect(describeLoaded(loaded)).toBe("Kraken OHLCVT, times in seconds");
  });

  it("formats - Bitstamp minute data: seconds, newest first, base volume", async () => {
    const rows = bars(20);
    const file = await writeText(dir, "Bitstamp_BTCUSD_minute.csv", bitstampCsv(rows));
    const loaded = await loadMarketFile(file);
    expect([...loaded.series.time]).toEqual(rows.map((b) => b.time));
    expect([...loaded.series.volume]).toEqual(rows.map((b) => b.volume));
    expect(describeLoaded(loaded)).toBe("headed candle CSV, times in seconds, newest first");
    const withUrl = await writeText(
      dir,
      "cdd.csv",
      `https://www.CryptoDataDownload.com\n${bitstampCsv(rows)}`,
    );
    expect([...(await loadMarketFile(withUrl)).series.time]).toEqual(rows.map((b) => b.time));
  });

  it("formats - nanoseconds past 2^53 land on whole milliseconds", async () => {
    const rows = bars(50, 60_000, Date.UTC(2031, 4, 7, 3, 1));
    const file = await writeText(dir, "ns-late.csv", epochCsv(rows, 1_000_000));
    const loaded = await loadMarketFile(file);
    expect(loaded.unit).toBe("ns");
    expect([...loaded.series.time]).toEqual(rows.map((b) => b.time));
  });

  it("formats - headed candle CSVs: ISO dates or epochs, columns in any order and case", async () => {
    const rows = bars(10, 3_600_000);
    const isoFile = await writeText(dir, "iso.csv", headedCsv(rows));
    const loaded = await loadMarketFile(isoFile);
    expect(loaded.series.intervalMs).toBe(3_600_000);
    expect([...loaded.series.open]).toEqual(rows.map((b) => b.open));
    expect(describeLoaded(loaded)).toBe("headed candle CSV, times in ISO 8601");
    const ms = await writeText(dir, "ms.csv", headedCsv(rows, String));
    expect(describeLoaded(await loadMarketFile(ms))).toBe(
      "headed candle CSV, times in milliseconds",
    );
  });

  it("formats - a headed file with more columns: timestamp in seconds, prices past column 12", async () => {
    const rows = bars(4);
    const pad = Array.from({ length: 10 }, (_, k) => `x${k}`).join(",");
    const lines = rows.map(
      (b) =>
        `${b.time / 1000},${"7,".repeat(10)}${b.open},${b.high},${b.low},${b.close},${b.volume},9`,
    );
    const text = `Timestamp,${pad},Open,High,Low,Close,Volume,Trades\n${lines.join("\n")}\n`;
    const loaded = await loadMarketFile(await writeText(dir, "wide.csv", text));
    expect(describeLoaded(loaded)).toBe("headed candle CSV, times in seconds");
    expect([...loaded.series.close]).toEqual(rows.map((b) => b.close));
  });

  it("formats - the unit of epoch times: s, ms, µs and ns", async () => {
    const rows = bars(5);
    for (const [perMs, unit] of [
      [1, "milliseconds"],
      [1000, "microseconds"],
      [1_000_000, "nanoseconds"],
    ] as const) {
      const file = await writeText(dir, `e${perMs}.csv`, epochCsv(rows, perMs));
      const loaded = await loadMarketFile(file, { intervalMs: MINUTE });
      expect([...loaded.series.time]).toEqual(rows.map((b) => b.time));
      expect(loaded.unit).toBe(
        unit === "milliseconds" ? "ms" : unit === "microseconds" ? "µs" : "ns",
      );
    }
  });

  it("formats - Binance aggTrades, with and without a header, ms and µs", async () => {
    const expected = bars(6);
    for (const options of [
      {},
      { header: true },
      { spot: true },
      { header: true, spot: true, perMs: 1000 },
      // Ids like BTCUSDT's in 2024, which read as Unix seconds would be 2065.
      { firstId: 3_000_000_000 },
      { firstId: 3_000_000_000, spot: true },
    ]) {
      const file = await writeText(dir, "agg.csv", aggTradesCsv(6, options));
      const loaded = await loadMarketFile(file);
      expect(loaded.kind).toBe("trades");
      expect(loaded.trades).toBe(24);
      expect(loaded.layout).toBe("Binance aggTrades");
      expect(loaded.unit).toBe(options.perMs === 1000 ? "µs" : "ms");
      expect([...loaded.series.time]).toEqual(expected.map((b) => b.time));
      expect([...loaded.series.close]).toEqual(expected.map((b) => b.close));
      expect([...loaded.series.high]).toEqual(expected.map((b) => b.high));
    }
  });

  it("formats - times of no unit (1970 in every reading) are refused, saying why", async () => {
    const file = await writeText(
      dir,
      "small.csv",
      "open_time,open,high,low,close,volume\n60,1,2,0.5,1.5,3\n120,1,2,0.5,1.5,3\n",
    );
    expect(await refused(() => loadMarketFile(file))).toContain(
      `${file}: neither a candle file nor a trade dump: as candles, line 2: column 'open_time': '60' is no epoch time in 2009–2100 in any unit (s 1970-01-01T00:01:00Z, ms 1970-01-01T00:00:00.060Z,`,
    );
  });

  it("formats - a row in another unit is refused at its line, naming the unit assumed", async () => {
    const rows = bars(3);
    const text = `${krakenCsv(rows)}\n${rows[2]!.time + MINUTE},1,2,0.5,1.5,3,4\n`;
    const file = await writeText(dir, "mixed.csv", text);
    expect(await refused(() => loadMarketFile(file, { kind: "candles" }))).toBe(
      `${file}:4: column 'open_time': '${rows[2]!.time + MINUTE}' read in seconds (the unit of line 1) is +055969-09-30T02:00:00Z, outside 2009–2100; the file mixes time units or this row is wrong`,
    );
  });

  it("formats - one row off the grid: named as irregular, no timeframe suggested", async () => {
    const rows = bars(10);
    rows[5]!.time = rows[4]!.time + 30_000;
    const file = await writeText(dir, "offgrid.csv", krakenCsv(rows));
    for (const options of [{}, { intervalMs: MINUTE }]) {
      const message = await refused(() => loadMarketFile(file, options));
      expect(message).toContain(`${file}:6: the candle opening at 2024-01-01 00:04:30`);
      expect(message).toContain("the data is irregular there; fix or remove that row");
      expect(message).not.toContain("pass the timeframe");
    }
  });

  it("formats - finer candles with a row off their grid: neither timeframe suggested", async () => {
    const rows = bars(20);
    rows[7]!.time = rows[6]!.time + 30_000;
    const file = await writeText(dir, "fine-offgrid.csv", krakenCsv(rows));
    expect(await refused(() => loadMarketFile(file, { intervalMs: 5 * MINUTE }))).toBe(
      `${file}: its candles are mostly 1m apart, closer than the timeframe given, 5m, but ${file}:8: the candle opening at 2024-01-01 00:06:30 is not on the grid of that step, 1m (candles open at whole multiples of their timeframe, UTC): the data is irregular there; fix or remove that row`,
    );
  });

  it("formats - nanosecond times are read as such, never advised as a 1000m timeframe", async () => {
    const rows = bars(5);
    const file = await writeText(dir, "ns.csv", epochCsv(rows, 1_000_000));
    const loaded = await loadMarketFile(file, { intervalMs: MINUTE });
    expect(loaded.series.intervalMs).toBe(MINUTE);
    const coarse = await refused(() => loadMarketFile(file, { intervalMs: 5 * MINUTE }));
    expect(coarse).toBe(
      `${file}: its candles are 1m apart, closer than the timeframe given, 5m; pass the timeframe 1m`,
    );
  });

  it("formats - a coarser file given a finer timeframe is told its own", async () => {
    const file = await writeText(dir, "h.csv", krakenCsv(bars(5, 3_600_000, T0)));
    expect(await refused(() => loadMarketFile(file, { intervalMs: MINUTE }))).toBe(
      `${file}: its candles are never less than 1h apart, so they look like 1h candles, but the timeframe given is 1m; pass the timeframe 1h`,
    );
  });
});
