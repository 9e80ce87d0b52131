/**
 * A Holder's acceptance criteria, applied to a proposal's out-of-sample metrics. Every failed
 * criterion is named in the refusal, with the value and the bound.
 */
import type { Metrics } from "../../strategy/backtest/types.js";

export interface Criteria {
  minSharpe: number;
  /** As a positive fraction (0.2 = 20 %). */
  maxDrawdown: number;
  minTrades: number;
  /** Total return minus buy-and-hold return over the same candles. */
  minReturnOverBuyAndHold: number;
}

/** The reasons to refuse, empty when the proposal meets every criterion. */
export function judge(metrics: Partial<Metrics> | undefined, criteria: Criteria): string[] {
  const m = metrics ?? {};
  const num = (v: unknown) => (typeof v === "number" ? v : Number.NaN);
  const reasons: string[] = [];
  const sharpe = num(m.sharpe);
  if (!(sharpe >= criteria.minSharpe))
    reasons.push(`sharpe ${fmt(sharpe)} < ${criteria.minSharpe}`);
  const dd = num(m.maxDrawdown);
  if (!(dd <= criteria.maxDrawdown))
    reasons.push(`max drawdown ${pct(dd)} > ${pct(criteria.maxDrawdown)}`);
  const trades = num(m.trades);
  if (!(trades >= criteria.minTrades))
    reasons.push(`${fmt(trades)} trades < ${criteria.minTrades}`);
  const edge = num(m.totalReturn) - num(m.buyAndHoldReturn);
  if (!(edge >= criteria.minReturnOverBuyAndHold)) {
    reasons.push(
      `return over buy-and-hold ${pct(edge)} < ${pct(criteria.minReturnOverBuyAndHold)}`,
    );
  }
  return reasons;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : String(x));
