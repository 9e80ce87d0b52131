import fc from "fast-check";
import { BollingerBands, EMA, RSI, SMA } from "trading-signals";
import { beforeAll, describe, expect, it } from "vitest";
import type { CandleSeries } from "../../src/sim/data/index.js";
import {
  bollinger,
  ema,
  previousMax,
  previousMin,
  RollingMean,
  rollingMean,
  rsi,
} from "../../src/strategy/builtins/kernels.js";
import {
  BUILTIN_STRATEGIES,
  type ParamSpec,
  type ParamValue,
  resolveParams,
  type Strategy,
} from "../../src/strategy/index.js";
import { firstDifference, loadFixture, runOnCandle } from "./strategy-support.js";

let series: CandleSeries;
beforeAll(async () => {
  series = await loadFixture();
});

/** The same number of fixture candles, as onCandle sees them and as positions() does. */
function comparePaths(strategy: Strategy, given: Record<string, ParamValue>, s = series) {
  const params = resolveParams(strategy, given);
  const run = runOnCandle(strategy, params, s);
  const fast = strategy.positions!(s, params);
  return { params, run, fast, diff: firstDifference(run.positions, fast) };
}

/** Other settings worth comparing on the whole fixture, besides the defaults. */
const SETTINGS: Record<string, Record<string, ParamValue>[]> = {
  "sma-cross": [
    { fast: 2, slow: 5 },
    { fast: 50, slow: 200 },
    { fast: 7, slow: 9 },
  ],
  "ema-cross": [
    { fast: 2, slow: 6 },
    { fast: 50, slow: 200 },
  ],
  macd: [
    { fast: 2, slow: 6, signal: 3 },
    { fast: 24, slow: 52, signal: 18 },
  ],
  "rsi-reversion": [
    { period: 2, oversold: 10, overbought: 90 },
    { period: 30, oversold: 45, overbought: 55 },
  ],
  "bollinger-breakout": [
    { period: 5, stdDev: 1 },
    { period: 100, stdDev: 3 },
  ],
  "donchian-breakout": [
    { entry: 5, exit: 2 },
    { entry: 100, exit: 50 },
  ],
};

/** The built-ins with a fast path (the long-only ones). */
const WITH_POSITIONS = Object.values(BUILTIN_STRATEGIES).filter((s) => s.positions !== undefined);

describe("positions", () => {
  for (const strategy of WITH_POSITIONS) {
    it(`positions - ${strategy.name}'s array path equals onCandle on the whole fixture`, () => {
      for (const given of [{}, ...(SETTINGS[strategy.name] ?? [])]) {
        const { params, run, fast, diff } = comparePaths(strategy, given);
        expect(diff, `${strategy.name} ${JSON.stringify(params)}`).toBe(-1);
        // Not vacuous: the strategy trades, and never before its warm-up.
        expect(run.signals.length).toBeGreaterThan(1);
        expect(run.signals[0]!.index).toBeGreaterThanOrEqual(strategy.warmup(params));
        expect(fast.subarray(0, strategy.warmup(params)).every((p) => p === 0)).toBe(true);
      }
    });
  }

  for (const strategy of WITH_POSITIONS) {
    it(`positions - ${strategy.name}'s paths agree for any parameters on any stretch`, () => {
      const params = fc.record(
        Object.fromEntries(
          Object.entries(strategy.params).map(([name, spec]) => [name, arbitraryOf(spec)]),
        ),
      );
      const stretch = fc.tuple(
        fc.nat({ max: series.length - 4000 }),
        fc.integer({ min: 1, max: 4000 }),
      );
      fc.assert(
        fc.property(params, stretch, (given, [from, length]) => {
          fc.pre(strategy.validate?.(given) === undefined);
          const { diff, params: resolved } = comparePaths(
            strategy,
            given,
            series.slice(from, from + length),
          );
          expect(diff, `${JSON.stringify(resolved)} on [${from}, +${length})`).toBe(-1);
        }),
        { numRuns: 25, seed: 7 },
      );
    });
  }
});

function arbitraryOf(spec: ParamSpec): fc.Arbitrary<ParamValue> {
  switch (spec.type) {
    case "int":
      return fc.integer({ min: spec.min, max: spec.max });
    case "float":
      return fc.double({ min: spec.min, max: spec.max, noNaN: true });
    case "choice":
      return fc.constantFrom(...spec.options);
  }
}

describe("kernels", () => {
  const at = (n: number) => series.close.subarray(0, n);

  it("kernels - RollingMean equals trading-signals' SMA at each ring wrap and stays within 1e-12", () => {
    for (const period of [2, 10, 30, 200]) {
      const reference = new SMA(period);
      const mine = new RollingMean(period);
      const arrays = rollingMean(series.close, period, new Float64Array(series.length));
      const problems: string[] = [];
      let worst = 0;
      for (let i = 0; i < series.length; i++) {
        const x = series.close[i]!;
        const expected = reference.add(x) ?? Number.NaN;
        const got = mine.add(x);
        if (!Object.is(arrays[i], got)) problems.push(`${i}: rollingMean ${arrays[i]} ≠ ${got}`);
        if (Number.isNaN(expected) !== Number.isNaN(got)) problems.push(`${i}: readiness`);
        if ((i + 1) % period === 0 && got !== expected)
          problems.push(`${i}: wrap ${got} ≠ ${expected}`);
        if (!Number.isNaN(got)) worst = Math.max(worst, Math.abs(got - expected) / expected);
      }
      expect(problems.slice(0, 5), `period ${period}`).toEqual([]);
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it("kernels - ema, rsi and bollinger equal trading-signals float for float", () => {
    const n = 5000;
    const x = at(n);
    for (const period of [2, 14, 50]) {
      const e = ema(x, period, new Float64Array(n));
      const r = rsi(x, period, new Float64Array(n));
      const middle = new Float64Array(n);
      const upper = new Float64Array(n);
      bollinger(x, period, 2.25, middle, upper);
      const tsEma = new EMA(period);
      const tsRsi = new RSI(period);
      const tsBands = new BollingerBands(period, 2.25);
      const problems: string[] = [];
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const same = (name: string, got: number | undefined, expected: number) => {
          if (!Object.is(got, expected)) problems.push(`${name}[${i}]: ${got} ≠ ${expected}`);
        };
        same("ema", e[i], tsEma.update(v, false));
        same("rsi", r[i], tsRsi.update(v, false) ?? Number.NaN);
        const band = tsBands.update(v, false);
        same("middle", middle[i], band?.middle ?? Number.NaN);
        same("upper", upper[i], band?.upper ?? Number.NaN);
      }
      expect(problems.slice(0, 5), `period ${period}`).toEqual([]);
    }
  });

  it("kernels - previousMax/previousMin are the extremes of the window before each index", () => {
    const n = 3000;
    for (const period of [1, 3, 20]) {
      const hi = previousMax(series.high.subarray(0, n), period, new Float64Array(n));
      const lo = previousMin(series.low.subarray(0, n), period, new Float64Array(n));
      const problems: number[] = [];
      for (let i = 0; i < n; i++) {
        const window = (col: Float64Array) => Array.from(col.subarray(i - period, i));
        const ok =
          i < period
            ? Number.isNaN(hi[i]!) && Number.isNaN(lo[i]!)
            : hi[i] === Math.max(...window(series.high)) &&
              lo[i] === Math.min(...window(series.low));
        if (!ok) problems.push(i);
      }
      expect(problems.slice(0, 5), `period ${period}`).toEqual([]);
    }
  });
});
