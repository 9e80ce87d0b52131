/**
 * Parameter search: run many parameter sets through the full simulator in parallel and rank them by
 * an objective. Optionally screen first on the fast array path and simulate only the best `keep`:
 * the ranking a user reads always comes from the simulator.
 */
import { InvalidInputError } from "../../domain/errors.js";
import type { Metrics } from "../backtest/types.js";
import { fastBacktest } from "../fast/fast-backtest.js";
import type { ParamValues, Strategy } from "../strategy.js";
import { BacktestPool, type PoolSetup } from "./pool.js";
import { bestFirst } from "./rank.js";

export const OBJECTIVES = [
  "sharpe",
  "sortino",
  "calmar",
  "totalReturn",
  "cagr",
  "profitFactor",
  "expectancy",
] as const;
export type Objective = (typeof OBJECTIVES)[number];

export function checkObjective(name: string): Objective {
  if ((OBJECTIVES as readonly string[]).includes(name)) return name as Objective;
  throw new InvalidInputError(
    `unknown objective ${JSON.stringify(name)} (objectives: ${OBJECTIVES.join(", ")})`,
  );
}

export interface SweepEntry {
  params: ParamValues;
  metrics: Metrics;
  score: number;
}

export interface SweepOptions extends PoolSetup {
  /** The strategy object (for the fast path); `strategy` names it for the workers. */
  strategyObject: Strategy;
  candidates: readonly ParamValues[];
  objective: Objective;
  workers?: number;
  /** Screen on the fast path and simulate only this many of the best candidates. */
  screenKeep?: number;
  /** An already running pool over the same setup (walk-forward reuses one); the caller closes it. */
  pool?: BacktestPool;
  /** Candle index range [from, to). */
  from?: number;
  to?: number;
}

/** Every candidate (or the screened best), ranked best first by the objective. */
export async function sweep(options: SweepOptions): Promise<SweepEntry[]> {
  let candidates = [...options.candidates];
  if (options.screenKeep !== undefined && candidates.length > options.screenKeep) {
    candidates = screen(options, candidates, options.screenKeep);
  }
  const pool = options.pool ?? BacktestPool.start(options, options.workers);
  try {
    const range = {
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
    };
    const metrics = await pool.run(candidates.map((params) => ({ params, ...range })));
    const scores = metrics.map((m) => m[options.objective]);
    return bestFirst(scores).map((i) => ({
      params: candidates[i]!,
      metrics: metrics[i]!,
      score: scores[i]!,
    }));
  } finally {
    if (options.pool === undefined) await pool.close();
  }
}

/**
 * The fast path's best `keep` candidates (by its Sharpe), in their original order. It sees signals
 * only — no stop loss or take profit — so candidates differing only in those rank alike here.
 */
export function screen(
  options: SweepOptions,
  candidates: ParamValues[],
  keep: number,
): ParamValues[] {
  const positions = options.strategyObject.positions;
  if (positions === undefined) return candidates;
  const spec = options.venue.markets[options.market];
  if (spec === undefined) return candidates;
  const c = options.candles.slice(options.from ?? 0, options.to ?? options.candles.length);
  const costs = {
    feeRate: Number(spec.fees.taker),
    halfSpread: spec.liquidity.spreadBps / 2 / 1e4,
  };
  const scores = candidates.map(
    (params) => fastBacktest(c, positions.call(options.strategyObject, c, params), costs).sharpe,
  );
  const chosen = new Set(bestFirst(scores).slice(0, keep));
  return candidates.filter((_, i) => chosen.has(i));
}
