/**
 * bench backtest — SMA cross on the real BTC/USDT candles looped to ≥ 1,000,000.
 *
 * 1. The full simulator (runBacktest: order book, makers, fees, lots) in candles/s, against the
 *    same strategy on grademark (an npm backtesting library) in the same run. Goals: ≥ 1,000,000
 *    candles/s absolute, ≥ 10× grademark, built as grademark's README builds a strategy (data-forge
 *    DataFrame, data-forge-indicators moving averages, rules over the lookback window).
 * 2. The fast screening path (the strategy's positions() + fastBacktest) against a minimal
 *    hand-written loop of the same strategy on plain arrays: goal ≥ 0.25× the hand loop.
 * 3. The perpetual case (backtest-perp.ts): a strategy that shorts on BTC/USDT:USDT with funding and
 *    margin on, against spot on the same candles in the same run.
 */
import { fileURLToPath } from "node:url";
import { DataFrame } from "data-forge";
import "data-forge-indicators"; // adds .sma() to data-forge series, as grademark's README does
import { backtest as grademarkBacktest } from "grademark";
import { DEFAULT_VENUE_FILE, loadVenueConfig } from "../src/sim/config/index.js";
import { CandleSeries, loadCandles } from "../src/sim/data/index.js";
import { runBacktest } from "../src/strategy/backtest/runner.js";
import { fastBacktest } from "../src/strategy/fast/fast-backtest.js";
import { resolveParams } from "../src/strategy/params.js";
import { getStrategy } from "../src/strategy/registry.js";
import { runPerpCase } from "./backtest-perp.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const FIXTURE = fileURLToPath(
  new URL("../test/fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);
const LOOPS = 34; // 34 × 30,240 = 1,028,160 candles
const PEER_CANDLES = 100_000;
const ROUNDS = 3;

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

/**
 * The same strategy the way grademark's README builds one: a data-forge DataFrame of bars, moving
 * averages from data-forge-indicators merged in as series, and rules that spot the cross from the
 * lookback window. Timed: indicators + simulation (our figure includes the strategy's indicators
 * too); building the DataFrame from arrays is data loading and is not timed, as ours is not.
 */
function grademarkRun(candles: CandleSeries, fast: number, slow: number): number {
  const bars = [];
  for (let i = 0; i < candles.length; i++) {
    bars.push({
      time: new Date(candles.time[i]!),
      open: candles.open[i]!,
      high: candles.high[i]!,
      low: candles.low[i]!,
      close: candles.close[i]!,
      volume: candles.volume[i]!,
    });
  }
  const frame = new DataFrame({ values: bars });
  const start = nowNs();
  // data-forge-indicators adds sma() at run time; these shapes are what it and data-forge provide.
  interface Frame {
    withSeries(name: string, series: unknown): Frame;
    skip(n: number): Frame;
  }
  const closes = frame.deflate((bar) => bar.close) as unknown as { sma(period: number): unknown };
  const withIndicators = (frame as unknown as Frame)
    .withSeries("fast", closes.sma(fast))
    .withSeries("slow", closes.sma(slow))
    .skip(slow);
  type Bar = { fast: number; slow: number };
  const crossed = (lookback: { toArray(): Bar[] }, up: boolean): boolean => {
    const [previous, current] = lookback.toArray();
    if (previous === undefined || current === undefined) return false;
    const before = previous.fast - previous.slow;
    const now = current.fast - current.slow;
    return up ? now > 0 && before <= 0 : now < 0 && before >= 0;
  };
  grademarkBacktest(
    {
      lookbackPeriod: 2,
      entryRule: (enter: (o?: object) => void, args: { lookback: { toArray(): Bar[] } }) => {
        if (crossed(args.lookback, true)) enter({ direction: "long" });
      },
      exitRule: (exit: () => void, args: { lookback: { toArray(): Bar[] } }) => {
        if (crossed(args.lookback, false)) exit();
      },
    } as never,
    withIndicators as never,
  );
  return candles.length / elapsedSeconds(start);
}

export async function run(): Promise<boolean> {
  const venue = await loadVenueConfig(DEFAULT_VENUE_FILE);
  const base = await loadCandles(FIXTURE);
  const candles = looped(base, LOOPS);
  const strategy = getStrategy("sma-cross");
  const params = resolveParams(strategy, {});
  const fast = Number(params.fast);
  const slow = Number(params.slow);
  const spec = venue.markets["BTC/USDT"]!;
  const costs = {
    feeRate: Number(spec.fees.taker),
    halfSpread: spec.liquidity.spreadBps / 2 / 1e4,
  };
  const peerCandles = candles.slice(0, PEER_CANDLES);
  const full = () => {
    const start = nowNs();
    runBacktest({ strategy, params, market: "BTC/USDT", candles, venue, metricsOnly: true });
    return candles.length / elapsedSeconds(start);
  };
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
  full();
  grademarkRun(peerCandles.slice(0, 10_000), fast, slow);
  fastPath();
  hand();
  const fullRates: number[] = [];
  const peerRates: number[] = [];
  const fastRates: number[] = [];
  const handRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    fullRates.push(full());
    peerRates.push(grademarkRun(peerCandles, fast, slow));
    fastRates.push(fastPath());
    handRates.push(hand());
  }
  let ok = report({
    bench: "backtest.full",
    impl: "crypy runBacktest (full simulator), sma-cross",
    value: median(fullRates),
    unit: "candles/s",
    peer: "grademark 0.3 + data-forge-indicators (its README's way)",
    peer_value: median(peerRates),
    goal: { atLeast: 10 },
  });
  const absolute = median(fullRates) >= 1_000_000;
  process.stderr.write(
    `backtest: full simulator ${Math.round(median(fullRates))} candles/s (goal >= 1000000: ${absolute ? "met" : "MISSED"})\n`,
  );
  ok =
    report({
      bench: "backtest.fast",
      impl: "fast path: positions() + fastBacktest",
      value: median(fastRates),
      unit: "candles/s",
      peer: "hand-written fused loop",
      peer_value: median(handRates),
      goal: { atLeast: 0.25 },
    }) &&
    ok &&
    absolute;

  return (await runPerpCase(candles)) && ok;
}
