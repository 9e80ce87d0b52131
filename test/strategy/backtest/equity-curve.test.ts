import { describe, expect, it } from "vitest";
import { EquityCurve } from "../../../src/strategy/backtest/equity-curve.js";
import type { EquityPoint } from "../../../src/strategy/backtest/types.js";
import { computeMetrics } from "../../../src/strategy/metrics.js";

const MINUTE = 60_000;

/** A curve with integer and fractional marks, drawdowns and recoveries, in and out of position. */
function points(n: number): EquityPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    time: 1_700_000_000_000 + i * MINUTE,
    equity: i < 3 ? 10_000 : 10_000 + Math.sin(i / 7) * 250 + i * 0.37,
    price: 30_000 + Math.cos(i / 11) * 400,
    inPosition: i % 5 < 2,
  }));
}

describe("EquityCurve", () => {
  it("grows past its capacity and gives back exactly the points it was given", () => {
    const given = points(2_500);
    const curve = new EquityCurve(4);
    for (const p of given) curve.push(p.time, p.equity, p.price, p.inPosition);
    expect(curve.length).toBe(2_500);
    expect(curve.points()).toEqual(given);
    expect(EquityCurve.fromPoints(given).points()).toEqual(given);
  });

  it("puts its points on a result when read, once, and as a plain field for JSON, spreads and clones", () => {
    const given = points(40);
    const curve = EquityCurve.fromPoints(given);
    const result = curve.lazyPointsOn({ strategy: "x" });
    expect(Object.keys(result)).toEqual(["strategy", "equity"]);
    const first = result.equity;
    expect(first).toEqual(given);
    expect(result.equity).toBe(first); // built once, then kept
    expect(JSON.parse(JSON.stringify(curve.lazyPointsOn({})))).toEqual({ equity: given });
    expect({ ...curve.lazyPointsOn({}) }.equity).toEqual(given);
    expect(structuredClone(curve.lazyPointsOn({})).equity).toEqual(given);
    const replaced = curve.lazyPointsOn({});
    replaced.equity = given.slice(0, 2);
    expect(replaced.equity).toHaveLength(2);
  });

  it("re-marks only its last row, and does nothing when empty", () => {
    const curve = EquityCurve.fromPoints(points(3));
    curve.remarkLast(9_876.5, false);
    expect(curve.points().at(-1)).toMatchObject({ equity: 9_876.5, inPosition: false });
    expect(curve.points()[1]!.equity).toBe(10_000);
    const empty = new EquityCurve();
    empty.remarkLast(1, true);
    expect(empty.points()).toEqual([]);
  });

  it("gives the metrics the same numbers, bit for bit, as the points it holds", () => {
    const given = points(1_000);
    const input = { trades: [], initialCapital: 10_000, periodMs: MINUTE };
    const fromPoints = computeMetrics({ ...input, equity: given });
    const fromCurve = computeMetrics({ ...input, equity: EquityCurve.fromPoints(given) });
    expect(fromCurve).toEqual(fromPoints);
    expect(fromCurve.maxDrawdown).toBeGreaterThan(0);
    expect(fromCurve.exposure).toBeCloseTo(0.4, 10);
  });
});
