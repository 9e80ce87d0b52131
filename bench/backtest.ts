/**
 * bench backtest — SMA cross on the real BTC/USDT candles looped to ≥ 1,000,000.
 *
 * 1. The full simulator (backtest-full.ts: runBacktest with order book, makers, fees, lots) in
 *    candles/s, one backtest with fresh capital per copy of the file, against the same strategy on
 *    grademark (an npm backtesting library) on the same copies in the same run; both sides' trades
 *    and final equity are checked against each other. Goals: ≥ 1,000,000 candles/s absolute,
 *    ≥ 10× grademark.
 * 2. The fast screening path (the strategy's positions() + fastBacktest) against a minimal
 *    hand-written loop of the same strategy on plain arrays: goal ≥ 0.25× the hand loop.
 * 3. The perpetual case (backtest-perp.ts): a strategy that shorts on BTC/USDT:USDT with funding and
 *    margin on, against spot on the same candles in the same run.
 */
import { fileURLToPath } from "node:url";
import { DEFAULT_VENUE_FILE, loadVenueConfig } from "../src/sim/config/index.js";
import { CandleSeries, loadCandles } from "../src/sim/data/index.js";
import { fastBacktest } from "../src/strategy/fast/fast-backtest.js";
import { resolveParams } from "../src/strategy/params.js";
import { getStrategy } from "../src/strategy/registry.js";
import { runFullCase } from "./backtest-full.js";
import { runPerpCase } from "./backtest-perp.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const FIXTURE = fileURLToPath(
  new URL("../test/fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);
const LOOPS = 34; // 34 × 30,240 = 1,028,160 candles
const ROUNDS = 3;

/** Copies of the file: LOOPS, or fewer while developing (BENCH_BACKTEST_COPIES). */
function copies(): number {
  const text = process.env.BENCH_BACKTEST_COPIES;
  if (text === undefined) return LOOPS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `BENCH_BACKTEST_COPIES must be a whole number ≥ 1, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function looped(base: CandleSeries, loops: number): CandleSeries {
  const n = base.length * loops;
  const span = base.time[base.length - 1]! - base.time[0]! + base.intervalMs;
  const col = () => new Float64Array(n);
  const c = { time: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
  for (let l = 0; l < loops; l++) {
    for (let i = 0; i < base.length; i++) {
      const j = l * base.length + i;
      c.time[j] = base.time[i]! + l * span;
      c.open[j] = base.open[i]!;
      c.high[j] = base.high[i]!;
      c.low[j] = base.low[i]!;
      c.close[j] = base.close[i]!;
      c.volume[j] = base.volume[i]!;
    }
  }
  return new CandleSeries(c, base.intervalMs);
}

/** The limit: SMA cross and its equity in one fused loop over plain arrays, nothing else. */
function handLoop(
  close: Float64Array,
  open: Float64Array,
  fast: number,
  slow: number,
  keep: number,
): number {
  let sumFast = 0;
  let sumSlow = 0;
  let equity = 1;
  let held = 0;
  let want = 0;
  let previousDiff = 0;
  for (let i = 0; i < close.length; i++) {
    if (i > 0) {
      if (held === 1) equity *= open[i]! / close[i - 1]!;
      if (want !== held) {
        equity *= keep;
        held = want;
      }
      if (held === 1) equity *= close[i]! / open[i]!;
    }
    sumFast += close[i]!;
    sumSlow += close[i]!;
    if (i >= fast) sumFast -= close[i - fast]!;
    if (i >= slow) sumSlow -= close[i - slow]!;
    if (i >= slow - 1) {
      const diff = sumFast / fast - sumSlow / slow;
      if (diff > 0 && previousDiff <= 0) want = 1;
      else if (diff < 0 && previousDiff >= 0) want = 0;
      previousDiff = diff;
    }
  }
  return equity;
}

export async function run(): Promise<boolean> {
  const venue = await loadVenueConfig(DEFAULT_VENUE_FILE);
  const base = await loadCandles(FIXTURE);
  const candles = looped(base, copies());
  const strategy = getStrategy("sma-cross");
  const params = resolveParams(strategy, {});
  const fast = Number(params.fast);
  const slow = Number(params.slow);
  const spec = venue.markets["BTC/USDT"]!;
  const costs = {
    feeRate: Number(spec.fees.taker),
    halfSpread: spec.liquidity.spreadBps / 2 / 1e4,
  };
  let ok = await runFullCase(venue, candles, base.length);

  const fastPath = () => {
    const start = nowNs();
    fastBacktest(candles, strategy.positions!(candles, params), costs);
    return candles.length / elapsedSeconds(start);
  };
  const hand = () => {
    const start = nowNs();
    handLoop(candles.close, candles.open, fast, slow, 1 - costs.feeRate - costs.halfSpread);
    return candles.length / elapsedSeconds(start);
  };
  // Warm-up, then alternate.
  fastPath();
  hand();
  const fastRates: number[] = [];
  const handRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    fastRates.push(fastPath());
    handRates.push(hand());
  }
  ok =
    report({
      bench: "backtest.fast",
      impl: "fast path: positions() + fastBacktest",
      value: median(fastRates),
      unit: "candles/s",
      peer: "hand-written fused loop",
      peer_value: median(handRates),
      goal: { atLeast: 0.25 },
    }) && ok;

  return (await runPerpCase(candles)) && ok;
}
