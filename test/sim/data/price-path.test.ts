import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  candlePublishedAt,
  PATH_POINTS,
  pathOffsetMs,
  pathPrice,
} from "../../../src/sim/data/index.js";

const path = (o: number, h: number, l: number, c: number) =>
  Array.from({ length: PATH_POINTS }, (_, k) => pathPrice(o, h, l, c, k));

/** A consistent candle: low <= open, close <= high. */
const ohlc = fc
  .tuple(
    fc.double({ min: 1, max: 1e6, noNaN: true }),
    fc.double({ min: 1, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: 1e3, noNaN: true }),
    fc.double({ min: 0, max: 1e3, noNaN: true }),
  )
  .map(([o, c, up, down]) => ({
    o,
    c,
    h: Math.max(o, c) + up,
    l: Math.max(Number.MIN_VALUE, Math.min(o, c) - down),
  }));

describe("price path", () => {
  it("price path - a bullish candle goes O, L, H, C; a bearish one O, H, L, C", () => {
    expect(PATH_POINTS).toBe(4);
    expect(path(100, 110, 95, 105)).toEqual([100, 95, 110, 105]);
    expect(path(100, 110, 95, 98)).toEqual([100, 110, 95, 98]);
    expect(path(100, 110, 95, 100)).toEqual([100, 95, 110, 100]); // unchanged close counts as bullish
  });

  it("price path - every path visits exactly O, H, L and C (property)", () => {
    fc.assert(
      fc.property(ohlc, ({ o, h, l, c }) => {
        const points = path(o, h, l, c);
        expect(points[0]).toBe(o);
        expect(points[3]).toBe(c);
        expect([...points].sort((a, b) => a - b)).toEqual([o, h, l, c].sort((a, b) => a - b));
        // The path never leaves the candle's range.
        for (const p of points) {
          expect(p).toBeGreaterThanOrEqual(l);
          expect(p).toBeLessThanOrEqual(h);
        }
      }),
    );
  });

  it("price path - offsets increase, stay inside the interval, and precede publication", () => {
    expect([0, 1, 2, 3].map((k) => pathOffsetMs(k, 60_000))).toEqual([0, 15_000, 30_000, 45_000]);
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 30 * 86_400_000 }), (interval) => {
        let previous = -1;
        for (let k = 0; k < PATH_POINTS; k++) {
          const offset = pathOffsetMs(k, interval);
          expect(Number.isInteger(offset)).toBe(true);
          expect(offset).toBeGreaterThan(previous);
          expect(offset).toBeLessThan(interval);
          previous = offset;
        }
        const open = 1_700_000_000_000;
        expect(candlePublishedAt(open, interval)).toBeGreaterThan(open + previous);
        expect(candlePublishedAt(open, interval)).toBe(open + interval);
      }),
    );
  });
});
