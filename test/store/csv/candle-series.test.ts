import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import type { Candle } from "../../../src/domain/market-data.js";
import { CandleSeries } from "../../../src/sim/data/index.js";

const MIN = 60_000;
const candle = (i: number, over: Partial<Candle> = {}): Candle => ({
  timestamp: i * MIN,
  open: 100 + i,
  high: 110 + i,
  low: 90 + i,
  close: 105 + i,
  volume: 1 + i,
  ...over,
});

describe("CandleSeries", () => {
  it("candle series - stores candles by column and gives them back", () => {
    const candles = [candle(0), candle(1), candle(3)]; // a gap at minute 2
    const series = CandleSeries.from(candles, MIN);
    expect(series.length).toBe(3);
    expect(series.intervalMs).toBe(MIN);
    expect([...series.time]).toEqual([0, MIN, 3 * MIN]);
    expect([...series.close]).toEqual([105, 106, 108]);
    expect(series.at(1)).toEqual(candles[1]);
    expect(series.at(-1)).toEqual(candles[2]);
    expect(series.toCandles()).toEqual(candles);
    expect(series.startMs).toBe(0);
    expect(series.endMs).toBe(4 * MIN);
  });

  it("candle series - slice is a view with Array.prototype.slice indices", () => {
    const series = CandleSeries.from(
      [0, 1, 2, 3, 4].map((i) => candle(i)),
      MIN,
    );
    const middle = series.slice(1, 3);
    expect(middle.length).toBe(2);
    expect(middle.at(0)).toEqual(candle(1));
    expect(middle.intervalMs).toBe(MIN);
    expect(middle.time.buffer).toBe(series.time.buffer);
    expect(series.slice(-2).at(0)).toEqual(candle(3));
    expect(series.slice(4, 2).length).toBe(0);
  });

  it("candle series - indexAtOrAfter finds the first candle opening at or after a time", () => {
    const series = CandleSeries.from(
      [0, 1, 3, 4].map((i) => candle(i)),
      MIN,
    );
    expect(series.indexAtOrAfter(-1)).toBe(0);
    expect(series.indexAtOrAfter(MIN)).toBe(1);
    expect(series.indexAtOrAfter(MIN + 1)).toBe(2);
    expect(series.indexAtOrAfter(2 * MIN)).toBe(2);
    expect(series.indexAtOrAfter(10 * MIN)).toBe(4);
  });

  it("candle series - an empty series is allowed", () => {
    const series = CandleSeries.from([], MIN);
    expect(series.length).toBe(0);
    expect(series.startMs).toBeNaN();
    expect(() => series.at(0)).toThrow(InvalidInputError);
  });

  it("candle series - at() refuses an index out of range", () => {
    const series = CandleSeries.from([candle(0)], MIN);
    expect(() => series.at(1)).toThrow("candle index 1 out of range (length 1)");
    expect(() => series.at(-2)).toThrow(InvalidInputError);
    expect(() => series.at(0.5)).toThrow(InvalidInputError);
  });

  it.each([
    [
      "high below close",
      [candle(0, { high: 104 })],
      "candles: row 0: column 'high': 104 is below max(open, close) 105",
    ],
    [
      "high below low",
      [candle(0, { high: 80 })],
      "candles: row 0: column 'high': 80 is below low 90",
    ],
    [
      "low above open",
      [candle(0), candle(1, { low: 102 })],
      "candles: row 1: column 'low': 102 is above min(open, close) 101",
    ],
    [
      "low not positive",
      [candle(0, { low: 0, open: 0 })],
      "candles: row 0: column 'low': expected > 0, got 0",
    ],
    [
      "negative volume",
      [candle(0, { volume: -1 })],
      "candles: row 0: column 'volume': expected >= 0, got -1",
    ],
    [
      "NaN price",
      [candle(0, { close: Number.NaN })],
      "candles: row 0: column 'close': expected a finite number, got NaN",
    ],
    [
      "infinite high",
      [candle(0, { high: Number.POSITIVE_INFINITY })],
      "candles: row 0: column 'high': expected a finite number, got Infinity",
    ],
    [
      "times not increasing",
      [candle(1), candle(0)],
      "candles: row 1: column 'open_time': 1970-01-01T00:00:00.000Z is not after the previous row's 1970-01-01T00:01:00.000Z",
    ],
    ["equal times", [candle(1), candle(1)], "is not after the previous row's"],
    [
      "overlapping candles",
      [candle(0), { ...candle(1), timestamp: 30_000 }],
      "candles: row 1: column 'open_time': 1970-01-01T00:00:30.000Z is less than one interval (60000 ms) after the previous row's 1970-01-01T00:00:00.000Z",
    ],
    [
      "NaN time",
      [candle(0, { timestamp: Number.NaN })],
      "candles: row 0: column 'open_time': expected a finite time, got NaN",
    ],
  ])("candle series - refuses %s", (_name, candles, message) => {
    expect(() => CandleSeries.from(candles, MIN)).toThrow(InvalidInputError);
    expect(() => CandleSeries.from(candles, MIN)).toThrow(message);
  });

  it("candle series - refuses a bad interval and columns of different lengths", () => {
    expect(() => CandleSeries.from([candle(0)], 0)).toThrow(
      "candles: intervalMs must be > 0, got 0",
    );
    const n = (k: number) => new Float64Array(k).fill(1);
    expect(
      () =>
        new CandleSeries(
          {
            time: new Float64Array([0, MIN]),
            open: n(2),
            high: n(2),
            low: n(1),
            close: n(2),
            volume: n(2),
          },
          MIN,
        ),
    ).toThrow("candles: column 'low' has 1 rows, 'time' has 2");
  });
});
