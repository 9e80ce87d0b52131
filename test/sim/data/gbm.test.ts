import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import {
  type CandleSeries,
  type GbmOptions,
  generateCandles,
  MS_PER_YEAR,
} from "../../../src/sim/data/index.js";

const DAY = 86_400_000;
const base: GbmOptions = {
  seed: 42,
  startMs: Date.UTC(2024, 0, 1),
  intervalMs: 60_000,
  count: 2_000,
  startPrice: 30_000,
  drift: 0.1,
  volatility: 0.6,
};

const columns = (s: CandleSeries) => [s.time, s.open, s.high, s.low, s.close, s.volume];
const bytes = (s: CandleSeries) =>
  Buffer.concat(columns(s).map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));

/** Close-to-close log returns. */
function logReturns(s: CandleSeries): number[] {
  const out: number[] = [];
  for (let i = 1; i < s.length; i++) out.push(Math.log(s.close[i]! / s.close[i - 1]!));
  return out;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

describe("generateCandles (GBM)", () => {
  it("gbm - the same seed gives byte-identical columns; another seed differs", () => {
    const a = generateCandles(base);
    const b = generateCandles({ ...base });
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(generateCandles({ ...base, seed: 43 })).equals(bytes(a))).toBe(false);
    const named = generateCandles({ ...base, seed: "btc-demo" });
    expect(bytes(named).equals(bytes(generateCandles({ ...base, seed: "btc-demo" })))).toBe(true);
    expect(bytes(named).equals(bytes(a))).toBe(false);
  });

  it("gbm - candles are contiguous, evenly spaced and consistent", () => {
    const s = generateCandles({ ...base, jumps: { probability: 0.05, meanPct: -1, stdPct: 3 } });
    expect(s.length).toBe(base.count);
    expect(s.open[0]).toBe(base.startPrice);
    for (let i = 0; i < s.length; i++) {
      expect(s.time[i]).toBe(base.startMs + i * base.intervalMs);
      if (i > 0) expect(s.open[i]).toBe(s.close[i - 1]);
      expect(s.high[i]).toBeGreaterThanOrEqual(Math.max(s.open[i]!, s.close[i]!));
      expect(s.low[i]).toBeLessThanOrEqual(Math.min(s.open[i]!, s.close[i]!));
      expect(s.volume[i]).toBeGreaterThanOrEqual(0);
    }
  });

  it("gbm - realised volatility and mean log return match the parameters (50k weekly candles)", () => {
    const drift = 0.3;
    const volatility = 0.6;
    const s = generateCandles({ ...base, intervalMs: 7 * DAY, count: 50_000, drift, volatility });
    const perYear = MS_PER_YEAR / (7 * DAY);
    const r = logReturns(s);
    const realisedVol = std(r) * Math.sqrt(perYear);
    expect(Math.abs(realisedVol / volatility - 1)).toBeLessThan(0.1);
    // E[ln S_t/S_0] = (μ − σ²/2)·t; the estimate's standard error here is σ/√958 years ≈ 0.02.
    const annualLogReturn = mean(r) * perYear;
    expect(Math.abs(annualLogReturn - (drift - volatility ** 2 / 2))).toBeLessThan(0.08);
  });

  it("gbm - realised volatility holds on 1-minute candles too", () => {
    const s = generateCandles({ ...base, count: 50_000 });
    const realisedVol = std(logReturns(s)) * Math.sqrt(MS_PER_YEAR / 60_000);
    expect(Math.abs(realisedVol / base.volatility - 1)).toBeLessThan(0.1);
  });

  it("gbm - jumps and regimes draw from their own streams", () => {
    const plain = generateCandles(base);
    // Zero-probability jumps and a single regime change nothing at all.
    expect(
      bytes(generateCandles({ ...base, jumps: { probability: 0, meanPct: 5, stdPct: 5 } })).equals(
        bytes(plain),
      ),
    ).toBe(true);
    expect(
      bytes(
        generateCandles({ ...base, regimes: { volMultipliers: [1], switchProbability: 0.5 } }),
      ).equals(bytes(plain)),
    ).toBe(true);
    // Volume has its own stream: changing it leaves prices alone.
    const loud = generateCandles({ ...base, volume: { mean: 500, std: 100 } });
    expect([...loud.close]).toEqual([...plain.close]);
    expect(mean([...loud.volume])).toBeGreaterThan(400);
  });

  it("gbm - jumps add large moves", () => {
    const opts = { ...base, count: 5_000 };
    const plain = logReturns(generateCandles(opts)).map(Math.abs);
    const jumpy = logReturns(
      generateCandles({ ...opts, jumps: { probability: 0.02, meanPct: 0, stdPct: 5 } }),
    ).map(Math.abs);
    const big = (xs: number[]) => xs.filter((x) => x > 0.02).length;
    expect(big(plain)).toBe(0);
    expect(big(jumpy)).toBeGreaterThan(50); // ~100 jumps of ~N(0, 5 %)
  });

  it("gbm - volatility regimes switch between multipliers", () => {
    const opts = { ...base, count: 20_000 };
    const calm = std(
      logReturns(
        generateCandles({ ...opts, regimes: { volMultipliers: [0.5], switchProbability: 0 } }),
      ),
    );
    const wild = std(
      logReturns(
        generateCandles({ ...opts, regimes: { volMultipliers: [3], switchProbability: 0 } }),
      ),
    );
    const mixed = std(
      logReturns(
        generateCandles({
          ...opts,
          regimes: { volMultipliers: [0.5, 3], switchProbability: 0.01 },
        }),
      ),
    );
    expect(wild / calm).toBeGreaterThan(5);
    expect(mixed).toBeGreaterThan(calm * 1.5);
    expect(mixed).toBeLessThan(wild);
  });

  it("gbm - zero volatility is a deterministic exponential", () => {
    const s = generateCandles({ ...base, volatility: 0, drift: 0.5, intervalMs: DAY, count: 366 });
    const years = (365 * DAY) / MS_PER_YEAR;
    expect(s.close[364]! / base.startPrice).toBeCloseTo(Math.exp(0.5 * years), 9);
    expect(generateCandles({ ...base, count: 0 }).length).toBe(0);
  });

  it.each([
    [{ intervalMs: 0 }, "generateCandles: option 'intervalMs' must be > 0, got 0"],
    [{ count: 1.5 }, "generateCandles: option 'count' must be an integer >= 0, got 1.5"],
    [{ startPrice: -1 }, "generateCandles: option 'startPrice' must be > 0, got -1"],
    [{ volatility: Number.NaN }, "generateCandles: option 'volatility' must be >= 0, got null"],
    [{ substeps: 0 }, "generateCandles: option 'substeps' must be an integer >= 1, got 0"],
    [
      { jumps: { probability: 2, meanPct: 0, stdPct: 1 } },
      "generateCandles: option 'jumps.probability' must be in [0, 1], got 2",
    ],
    [
      { regimes: { volMultipliers: [], switchProbability: 0.1 } },
      "generateCandles: option 'regimes.volMultipliers' must be a non-empty array, got []",
    ],
    [
      { regimes: { volMultipliers: [1, 0], switchProbability: 0.1 } },
      "generateCandles: option 'regimes.volMultipliers[1]' must be > 0, got 0",
    ],
    [{ volume: { mean: 1, std: -1 } }, "generateCandles: option 'volume.std' must be >= 0, got -1"],
    [{ volatilty: 0.5 }, "generateCandles: option 'volatilty' must be one of"],
  ])("gbm - refuses bad options, naming the field (%j)", (override, message) => {
    const options = { ...base, ...override } as GbmOptions;
    expect(() => generateCandles(options)).toThrow(InvalidInputError);
    expect(() => generateCandles(options)).toThrow(message);
  });
});
