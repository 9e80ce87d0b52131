/**
 * Backtest metrics from an equity curve and a trade list. These definitions are the contract (the
 * tests check each against hand-computed fixtures):
 *
 * - Returns: per-period simple returns r_i = E_i / E_{i−1} − 1 over the equity curve, where the
 *   first point's previous value is the initial capital (so n returns for n points). A period that
 *   starts from zero equity returns 0 (nothing left to grow or lose).
 * - Periods per year: ppy = 365.25 × 86,400,000 / periodMs (crypto trades every day).
 * - volatility = sample standard deviation of r (n − 1 denominator) × √ppy; 0 with fewer than 2
 *   returns.
 * - sharpe = mean(r) / std(r) × √ppy with the same sample std, risk-free rate 0; 0 when std = 0.
 * - sortino = mean(r) / DD × √ppy with downside deviation DD = √(Σ min(r, 0)² / n); 0 without
 *   returns; when DD = 0 it is Infinity if mean(r) > 0, else 0.
 * - totalReturn = E_last / initialCapital − 1.
 * - cagr = (E_last / initialCapital)^(1 / years) − 1 with years = (t_last − t_first + periodMs) /
 *   (365.25 days): the initial capital stands one period before the first mark. −1 if E_last ≤ 0.
 * - maxDrawdown = max over i of 1 − E_i / max(initialCapital, E_0..E_i): a positive fraction.
 * - maxDrawdownDurationMs = the longest span from a peak's time to the time equity first gets back
 *   to ≥ that peak, or to the last point if it never does. The initial capital is a peak at
 *   t_first − periodMs. A curve that never falls below its peak has duration 0.
 * - calmar = cagr / maxDrawdown; 0 when maxDrawdown = 0.
 * - Trades: winRate = trades with pnl > 0 / trades; profitFactor = gross profit / |gross loss|
 *   (Infinity with profits and no losses, 0 without profits); expectancy = mean pnl;
 *   avgHoldingMs = mean(exitTime − entryTime); fees = Σ trade fees. All 0 without trades.
 * - exposure = fraction of equity points with inPosition.
 * - buyAndHoldReturn = last point's price / first point's price − 1.
 *
 * Every metric is 0 for an empty curve (and the trade metrics for an empty trade list).
 */
import { EquityCurve } from "./backtest/equity-curve.js";
import type { EquityPoint, Metrics, TradeRecord } from "./backtest/types.js";

export const YEAR_MS = 365.25 * 86_400_000;

export interface MetricsInput {
  /** The curve as points, or as the columns a backtest collects. */
  equity: readonly EquityPoint[] | EquityCurve;
  trades: readonly TradeRecord[];
  initialCapital: number;
  /** The candle interval: one equity point per period. */
  periodMs: number;
}

export function computeMetrics(input: MetricsInput): Metrics {
  const curve =
    input.equity instanceof EquityCurve ? input.equity : EquityCurve.fromPoints(input.equity);
  return {
    ...curveMetrics(curve, input.initialCapital, input.periodMs),
    ...tradeMetrics(input.trades),
  };
}

type CurveMetrics = Omit<
  Metrics,
  "winRate" | "profitFactor" | "expectancy" | "trades" | "avgHoldingMs" | "fees"
>;

function curveMetrics(curve: EquityCurve, initialCapital: number, periodMs: number): CurveMetrics {
  const n = curve.length;
  if (n === 0) {
    return {
      totalReturn: 0,
      cagr: 0,
      volatility: 0,
      sharpe: 0,
      sortino: 0,
      calmar: 0,
      maxDrawdown: 0,
      maxDrawdownDurationMs: 0,
      exposure: 0,
      buyAndHoldReturn: 0,
    };
  }
  const ppy = YEAR_MS / periodMs;
  const { mean, std, downside } = returnStats(curve.equity, n, initialCapital);
  const { maxDrawdown, maxDrawdownDurationMs } = drawdowns(curve, initialCapital, periodMs);
  const growth = curve.equity[n - 1]! / initialCapital;
  const years = (curve.time[n - 1]! - curve.time[0]! + periodMs) / YEAR_MS;
  const cagr = growth <= 0 ? -1 : growth ** (1 / years) - 1;
  let sortino = 0;
  if (downside > 0) sortino = (mean / downside) * Math.sqrt(ppy);
  else if (mean > 0) sortino = Number.POSITIVE_INFINITY;
  const inPosition = marksInPosition(curve);
  return {
    totalReturn: growth - 1,
    cagr,
    volatility: std * Math.sqrt(ppy),
    sharpe: std > 0 ? (mean / std) * Math.sqrt(ppy) : 0,
    sortino,
    calmar: maxDrawdown > 0 ? cagr / maxDrawdown : 0,
    maxDrawdown,
    maxDrawdownDurationMs,
    exposure: inPosition / n,
    buyAndHoldReturn: curve.price[n - 1]! / curve.price[0]! - 1,
  };
}

/**
 * How many marks were in a position. A loop in a function of its own: inside curveMetrics, V8
 * optimised the loop alone (it runs once per backtest) and threw that code away on leaving it,
 * in every backtest of a sweep.
 */
function marksInPosition(curve: EquityCurve): number {
  let count = 0;
  for (let i = 0; i < curve.length; i++) count += curve.inPosition[i]!;
  return count;
}

/** Mean, sample std and downside deviation of the per-period returns of the first n marks. */
function returnStats(
  equity: Float64Array,
  n: number,
  initialCapital: number,
): { mean: number; std: number; downside: number } {
  let sum = 0;
  let prev = initialCapital;
  for (let i = 0; i < n; i++) {
    sum += periodReturn(prev, equity[i]!);
    prev = equity[i]!;
  }
  const mean = sum / n;
  let squares = 0;
  let downSquares = 0;
  prev = initialCapital;
  for (let i = 0; i < n; i++) {
    const r = periodReturn(prev, equity[i]!);
    prev = equity[i]!;
    squares += (r - mean) ** 2;
    if (r < 0) downSquares += r * r;
  }
  return {
    mean,
    std: n > 1 ? Math.sqrt(squares / (n - 1)) : 0,
    downside: Math.sqrt(downSquares / n),
  };
}

function periodReturn(prev: number, next: number): number {
  return prev === 0 ? 0 : next / prev - 1;
}

function drawdowns(
  curve: EquityCurve,
  initialCapital: number,
  periodMs: number,
): { maxDrawdown: number; maxDrawdownDurationMs: number } {
  const { time, equity, length: n } = curve;
  let peak = initialCapital;
  let peakTime = time[0]! - periodMs;
  let underwater = false;
  let maxDrawdown = 0;
  let maxDuration = 0;
  for (let i = 0; i < n; i++) {
    const e = equity[i]!;
    if (e >= peak) {
      if (underwater) maxDuration = Math.max(maxDuration, time[i]! - peakTime);
      underwater = false;
      peak = e;
      peakTime = time[i]!;
    } else {
      underwater = true;
      if (peak > 0) maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
    }
  }
  if (underwater) maxDuration = Math.max(maxDuration, time[n - 1]! - peakTime);
  return { maxDrawdown, maxDrawdownDurationMs: maxDuration };
}

type TradeMetrics = Pick<
  Metrics,
  "winRate" | "profitFactor" | "expectancy" | "trades" | "avgHoldingMs" | "fees"
>;

function tradeMetrics(trades: readonly TradeRecord[]): TradeMetrics {
  const n = trades.length;
  if (n === 0) {
    return { winRate: 0, profitFactor: 0, expectancy: 0, trades: 0, avgHoldingMs: 0, fees: 0 };
  }
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let holding = 0;
  let fees = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      wins += 1;
      grossProfit += t.pnl;
    } else {
      grossLoss -= t.pnl;
    }
    holding += t.exitTime - t.entryTime;
    fees += t.fees;
  }
  let profitFactor = 0;
  if (grossLoss > 0) profitFactor = grossProfit / grossLoss;
  else if (grossProfit > 0) profitFactor = Number.POSITIVE_INFINITY;
  return {
    winRate: wins / n,
    profitFactor,
    expectancy: (grossProfit - grossLoss) / n,
    trades: n,
    avgHoldingMs: holding / n,
    fees,
  };
}
