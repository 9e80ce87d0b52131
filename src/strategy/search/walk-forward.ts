/**
 * Walk-forward: the data is cut into consecutive folds; in each, the in-sample part picks the best
 * parameters by the objective and the out-of-sample part (the candles right after) measures them.
 * The numbers a Trader proposes are these out-of-sample ones: a fit never sees its own test data.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { runBacktest } from "../backtest/runner.js";
import type { BacktestResult, EquityPoint, Metrics, TradeRecord } from "../backtest/types.js";
import { computeMetrics } from "../metrics.js";
import type { ParamValues } from "../strategy.js";
import { BacktestPool } from "./pool.js";
import { type SweepEntry, type SweepOptions, sweep } from "./sweep.js";

export interface WalkForwardOptions extends Omit<SweepOptions, "from" | "to"> {
  /** How many folds; default 4. */
  folds?: number;
  /** Share of each fold used to fit; default 0.7. */
  inSample?: number;
}

export interface Fold {
  /** Times (epoch ms) of the in-sample range [from, to), and the best candidate there. */
  inSample: { from: number; to: number; best: SweepEntry };
  outOfSample: BacktestResult;
}

export interface WalkForwardResult {
  folds: Fold[];
  /** Metrics of the out-of-sample periods chained together. */
  outOfSample: Metrics;
  /** The parameters of the last fold: what to trade next. */
  params: ParamValues;
}

export async function walkForward(options: WalkForwardOptions): Promise<WalkForwardResult> {
  const folds = options.folds ?? 4;
  const share = options.inSample ?? 0.7;
  if (!Number.isInteger(folds) || folds < 1)
    throw new InvalidInputError(`folds must be at least 1, got ${folds}`);
  if (!(share > 0 && share < 1))
    throw new InvalidInputError(`inSample must be in (0, 1), got ${share}`);
  const n = options.candles.length;
  const size = Math.floor(n / folds);
  const fit = Math.floor(size * share);
  if (fit < 2 || size - fit < 2) {
    throw new InvalidInputError(
      `${n} candles are too few for ${folds} folds of in- and out-of-sample data`,
    );
  }
  const pool = options.pool ?? BacktestPool.start(options, options.workers);
  const out: Fold[] = [];
  try {
    for (let k = 0; k < folds; k++) {
      const from = k * size;
      const split = from + fit;
      const to = k === folds - 1 ? n : from + size;
      const [best] = await sweep({ ...options, pool, from, to: split });
      if (best === undefined)
        throw new InvalidInputError("walk-forward needs at least one candidate");
      const outOfSample = runBacktest({
        strategy: options.strategyObject,
        params: best.params,
        market: options.market,
        candles: options.candles.slice(split, to),
        venue: options.venue,
        ...(options.capital === undefined ? {} : { capital: options.capital }),
        ...(options.fraction === undefined ? {} : { fraction: options.fraction }),
      });
      const times = options.candles.time;
      out.push({ inSample: { from: times[from]!, to: times[split]!, best }, outOfSample });
    }
  } finally {
    if (options.pool === undefined) await pool.close();
  }
  return { folds: out, outOfSample: chained(out), params: out.at(-1)!.inSample.best.params };
}

/** The out-of-sample equity curves joined end to end (each fold compounding the previous). */
function chained(folds: Fold[]): Metrics {
  const first = folds[0]!.outOfSample;
  const equity: EquityPoint[] = [];
  const trades: TradeRecord[] = [];
  let scale = 1;
  for (const { outOfSample: r } of folds) {
    for (const p of r.equity) equity.push({ ...p, equity: p.equity * scale });
    for (const t of r.trades) trades.push({ ...t, pnl: t.pnl * scale, fees: t.fees * scale });
    const last = r.equity.at(-1);
    if (last !== undefined) scale *= last.equity / r.initialCapital;
  }
  return computeMetrics({
    equity,
    trades,
    initialCapital: first.initialCapital,
    periodMs: (first.to - first.from) / first.candles,
  });
}
