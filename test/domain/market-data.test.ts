import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Candle,
  candleFromOHLCV,
  candleToOHLCV,
  type OHLCV,
} from "../../src/domain/market-data.js";

describe("market-data", () => {
  it("market-data - a ccxt OHLCV row maps to a named candle", () => {
    expect(candleFromOHLCV([1_700_000_000_000, 1, 2, 0.5, 1.5, 10])).toStrictEqual({
      timestamp: 1_700_000_000_000,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 10,
    } satisfies Candle);
  });

  it("market-data - candles round-trip through OHLCV rows", () => {
    const n = fc.double({ noNaN: true });
    fc.assert(
      fc.property(fc.tuple(fc.nat(), n, n, n, n, n), (row: OHLCV) => {
        expect(candleToOHLCV(candleFromOHLCV(row))).toStrictEqual(row);
      }),
    );
  });
});
