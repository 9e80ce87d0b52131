/**
 * Seeded synthetic candles: geometric Brownian motion with optional jumps and volatility regimes.
 *
 * Model, per price step of dt years (dt = intervalMs / substeps / one year of 365.25 days; crypto
 * trades around the clock): ln S += (μ − σ²/2)·dt + σ·√dt·Z, so `drift` μ is the annualised
 * arithmetic drift (E[S_t] = S_0·e^{μt}) and the mean annual log return is μ − σ²/2.
 * - A candle is `substeps` steps from its open, which is the previous candle's close: O is the
 *   first point, C the last, H/L the extremes of all substeps + 1 points.
 * - Jumps: with probability p per candle (at most one), at a uniformly chosen step, ln S moves by
 *   N(meanPct, stdPct) / 100 (≈ that many percent for small jumps). Jumps are not drift-compensated.
 * - Regimes: σ is multiplied by volMultipliers[r]; the run starts in regime 0 and at each later
 *   candle switches with probability switchProbability to one of the other regimes, uniformly.
 * - Volume: N(mean, std) floored at 0, independent of price (default mean 10, std 3).
 *
 * Determinism: same options → identical series. Each concern draws from its own fork of the seed,
 * so turning jumps, regimes or volume on or off leaves the diffusion noise unchanged.
 */

import { InvalidInputError } from "../../domain/errors.js";
import { CandleSeries, emptyColumns } from "../../store/candle-series.js";
import { Random } from "../random.js";

export const MS_PER_YEAR = 365.25 * 86_400_000;

export interface GbmOptions {
  seed: number | string;
  /** Open time of the first candle, epoch ms. */
  startMs: number;
  intervalMs: number;
  count: number;
  startPrice: number;
  /** Annualised drift μ (0.1 = +10 % a year in expectation). */
  drift: number;
  /** Annualised volatility σ (0.6 is typical of BTC). */
  volatility: number;
  /** Price steps per candle; default 8. */
  substeps?: number;
  jumps?: { probability: number; meanPct: number; stdPct: number };
  regimes?: { volMultipliers: number[]; switchProbability: number };
  volume?: { mean: number; std: number };
}

const KEYS = new Set([
  "seed",
  "startMs",
  "intervalMs",
  "count",
  "startPrice",
  "drift",
  "volatility",
  "substeps",
  "jumps",
  "regimes",
  "volume",
]);

function fail(field: string, rule: string, value: unknown): never {
  throw new InvalidInputError(
    `generateCandles: option '${field}' must be ${rule}, got ${JSON.stringify(value) ?? String(value)}`,
  );
}

function check(field: string, value: number, rule: string, ok: (v: number) => boolean): void {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) fail(field, rule, value);
}

function validate(o: GbmOptions): void {
  for (const key of Object.keys(o)) {
    if (!KEYS.has(key)) fail(key, `one of ${[...KEYS].join(", ")} (unknown option)`, key);
  }
  if (typeof o.seed === "number") check("seed", o.seed, "a finite number or a string", () => true);
  else if (typeof o.seed !== "string") fail("seed", "a finite number or a string", o.seed);
  check("startMs", o.startMs, "a finite time", () => true);
  check("intervalMs", o.intervalMs, "> 0", (v) => v > 0);
  check("count", o.count, "an integer >= 0", (v) => Number.isInteger(v) && v >= 0);
  check("startPrice", o.startPrice, "> 0", (v) => v > 0);
  check("drift", o.drift, "finite", () => true);
  check("volatility", o.volatility, ">= 0", (v) => v >= 0);
  if (o.substeps !== undefined) {
    check("substeps", o.substeps, "an integer >= 1", (v) => Number.isInteger(v) && v >= 1);
  }
  if (o.jumps !== undefined) {
    check("jumps.probability", o.jumps.probability, "in [0, 1]", (v) => v >= 0 && v <= 1);
    check("jumps.meanPct", o.jumps.meanPct, "finite", () => true);
    check("jumps.stdPct", o.jumps.stdPct, ">= 0", (v) => v >= 0);
  }
  if (o.regimes !== undefined) {
    const { volMultipliers, switchProbability } = o.regimes;
    if (!Array.isArray(volMultipliers) || volMultipliers.length === 0) {
      fail("regimes.volMultipliers", "a non-empty array", volMultipliers);
    }
    volMultipliers.forEach((m, i) => {
      check(`regimes.volMultipliers[${i}]`, m, "> 0", (v) => v > 0);
    });
    check("regimes.switchProbability", switchProbability, "in [0, 1]", (v) => v >= 0 && v <= 1);
  }
  if (o.volume !== undefined) {
    check("volume.mean", o.volume.mean, ">= 0", (v) => v >= 0);
    check("volume.std", o.volume.std, ">= 0", (v) => v >= 0);
  }
}

/**
 * @example
 * const btc = generateCandles({ seed: "demo", startMs: 0, intervalMs: 60_000, count: 1_440,
 *   startPrice: 30_000, drift: 0, volatility: 0.6 });
 */
export function generateCandles(options: GbmOptions): CandleSeries {
  validate(options);
  const { startMs, intervalMs, count, startPrice, drift, volatility, jumps, regimes } = options;
  const substeps = options.substeps ?? 8;
  const volume = options.volume ?? { mean: 10, std: 3 };

  const root = new Random(options.seed);
  const noise = root.fork("gbm/diffusion");
  const jumpRandom = root.fork("gbm/jumps");
  const regimeRandom = root.fork("gbm/regimes");
  const volumeRandom = root.fork("gbm/volume");

  const dt = intervalMs / substeps / MS_PER_YEAR;
  const sqrtDt = Math.sqrt(dt);
  const multipliers = regimes?.volMultipliers ?? [1];
  let regime = 0;
  let logPrice = Math.log(startPrice);
  let open = startPrice;
  const out = emptyColumns(count);

  for (let i = 0; i < count; i++) {
    if (regimes !== undefined && multipliers.length > 1 && i > 0) {
      if (regimeRandom.chance(regimes.switchProbability)) {
        const other = regimeRandom.int(0, multipliers.length - 2);
        regime = other >= regime ? other + 1 : other;
      }
    }
    const sigma = volatility * multipliers[regime]!;
    const stepDrift = (drift - (sigma * sigma) / 2) * dt;
    const stepVol = sigma * sqrtDt;

    let jumpStep = -1;
    let jumpSize = 0;
    if (jumps !== undefined && jumpRandom.chance(jumps.probability)) {
      jumpStep = jumpRandom.int(0, substeps - 1);
      jumpSize = (jumps.meanPct + jumps.stdPct * jumpRandom.normal()) / 100;
    }

    let high = open;
    let low = open;
    for (let s = 0; s < substeps; s++) {
      logPrice += stepDrift + stepVol * noise.normal();
      if (s === jumpStep) logPrice += jumpSize;
      const p = Math.exp(logPrice);
      if (p > high) high = p;
      if (p < low) low = p;
    }

    out.time[i] = startMs + i * intervalMs;
    out.open[i] = open;
    out.high[i] = high;
    out.low[i] = low;
    const close = Math.exp(logPrice);
    out.close[i] = close;
    out.volume[i] = Math.max(0, volume.mean + volume.std * volumeRandom.normal());
    open = close;
  }
  return new CandleSeries(out, intervalMs);
}
