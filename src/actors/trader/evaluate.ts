/**
 * A Trader's evaluation: every candidate is fitted on the in-sample part of the warm-up candles
 * through the full simulator; the best by the objective is then measured on the out-of-sample part
 * (the candles after). The number proposed to the Holder is that out-of-sample one.
 */
import type { VenueConfig } from "../../sim/config/types.js";
import type { CandleSeries } from "../../sim/data/index.js";
import { runBacktest } from "../../strategy/backtest/runner.js";
import type { Metrics } from "../../strategy/backtest/types.js";
import type { Objective } from "../../strategy/search/sweep.js";
import type { ParamValues, Strategy } from "../../strategy/strategy.js";

export interface Candidate {
  strategy: Strategy;
  params: ParamValues;
}

export interface Evaluation {
  candidate: Candidate;
  inSample: Metrics;
  outOfSample: Metrics;
}

export function evaluate(
  candidates: readonly Candidate[],
  candles: CandleSeries,
  options: { market: string; venue: VenueConfig; inSampleFraction: number; objective: Objective },
): Evaluation | undefined {
  const split = Math.floor(candles.length * options.inSampleFraction);
  if (split < 2 || candles.length - split < 2) return undefined;
  const inSample = candles.slice(0, split);
  const outOfSample = candles.slice(split);
  let best: { candidate: Candidate; metrics: Metrics; score: number } | undefined;
  for (const candidate of candidates) {
    const metrics = runBacktest({
      strategy: candidate.strategy,
      params: candidate.params,
      market: options.market,
      candles: inSample,
      venue: options.venue,
      metricsOnly: true,
    }).metrics;
    const score = metrics[options.objective];
    if (Number.isNaN(score)) continue;
    if (best === undefined || score > best.score) best = { candidate, metrics, score };
  }
  if (best === undefined) return undefined;
  const oos = runBacktest({
    strategy: best.candidate.strategy,
    params: best.candidate.params,
    market: options.market,
    candles: outOfSample,
    venue: options.venue,
    metricsOnly: true,
  }).metrics;
  return { candidate: best.candidate, inSample: best.metrics, outOfSample: oos };
}
