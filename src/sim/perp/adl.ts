/**
 * Auto-deleveraging (ADL): what the liquidation engine cannot close in the book closes against
 * users' opposite positions, at the bankruptcy price.
 *
 * Binance's rules ("What Is Auto-Deleveraging (ADL) and How Does It Work", Binance FAQ,
 * https://www.binance.com/en/support/faq/360033525471): ADL "is the final step taken only when
 * the Insurance Fund cannot accept the bankrupt client's positions"; opposite positions are
 * queued by profit and leverage, "more profitable and higher leveraged traders" first; a
 * deleveraged position is "closed out at the bankruptcy price of the initial liquidated order,
 * no trading fee will be charged. Any open orders will be canceled." The ranking at the end of
 * that page (as Binance's developer forum quotes it, https://dev.binance.vision/t/17801):
 *
 *   PnL%         = max(0, unrealised profit) / max(1, wallet balance)
 *   margin ratio = maintenance margin / (wallet balance + unrealised profit), 0 when that is ≤ 0
 *   LeveragePnL  = PnL% × margin ratio          (deleveraged highest first)
 *
 * The margin ratio is the effective-leverage term: at a given PnL% a position with more leverage
 * has less margin balance per unit of maintenance, so it ranks higher.
 *
 * Rules here:
 * - Candidates: every user's open position on the market opposite to the bankrupt one. The
 *   makers' account (the house) holds no position record and is never one (contract-fills.ts).
 * - Wallet, unrealised profit and maintenance follow the candidate's margin mode (margin.ts):
 *   isolated, the position's margin, its PnL and its maintenance; cross, the account's settle
 *   wallet (free + locked) and the sums over its cross positions, each at its mark. The profit of
 *   PnL% is the position's own. "1" is one whole unit of the settle asset.
 * - Ranks are compared exactly (the fractions cross-multiplied in bigint); equal ranks keep the
 *   positions' first-trade order.
 * - Down the ranking, each position takes min(its size, what is left): its account's open orders
 *   on the market are cancelled first, then that many contracts close at the bankruptcy price, no
 *   fee (contract-fills.ts's reducePosition: realised PnL with the makers' account, the margin
 *   share unlocked). The bankrupt contracts close against them at the same price, so the fund
 *   neither pays nor gets anything for them: money is conserved and the fund is never negative.
 * - What no candidate takes (no opposite position is left) the house takes at the bankruptcy
 *   price: no money moves for it.
 * - Each deleveraged position is told with an AdlRecord (PerpEngine's `adl`).
 */
import { formatDecimal } from "../../domain/fixed.js";
import {
  crossMargin,
  isolatedMargin,
  type MarginState,
  type Position,
  unrealizedPnl,
} from "../derivatives/margin.js";
import type { Exchange } from "../exchange.js";
import type { SimMarket } from "../sim-market.js";
import { reducePosition } from "./contract-fills.js";
import { abs, asPosition, type PerpPosition } from "./positions.js";

export interface AdlRecord {
  time: number;
  /** The deleveraged account. */
  account: string;
  symbol: string;
  /** Contracts closed, signed as the position was ("-0.5": half a contract of a short). */
  qty: string;
  /** The bankruptcy price of the liquidated position: where they closed. */
  price: string;
  /** Realised PnL of the closed contracts, in the settle asset. */
  pnl: string;
  /** The liquidated account they closed against. */
  against: string;
}

export type MarkOf = (symbol: string) => bigint;

/** LeveragePnL as an exact fraction num / den, den > 0. */
interface Rank {
  num: bigint;
  den: bigint;
}

/** The opposite positions to a bankrupt `long` (or short) one on `symbol`, first to deleverage first. */
export function adlRanking(x: Exchange, symbol: string, long: boolean, markOf: MarkOf) {
  const ranked = x.positions
    .openOn(symbol)
    .filter((p) => p.qty > 0n !== long)
    .map((p, i) => ({ p, i, rank: rankOf(x, p, markOf) }));
  ranked.sort((a, b) => compare(b.rank, a.rank) || a.i - b.i);
  return ranked.map((r) => r.p);
}

/**
 * Closes `qty` contracts (lot scale) of `against`'s bankrupt position on `m` against the ranked
 * opposite positions at `bankruptcy`. Returns the records and the contracts no one took.
 */
export function deleverage(
  x: Exchange,
  m: SimMarket,
  against: { account: string; long: boolean },
  qty: bigint,
  bankruptcy: bigint,
  markOf: MarkOf,
  now: number,
): { records: AdlRecord[]; left: bigint } {
  const spec = m.instrument.contract!;
  const records: AdlRecord[] = [];
  let left = qty;
  if (left <= 0n) return { records, left: 0n };
  for (const p of adlRanking(x, spec.symbol, against.long, markOf)) {
    if (left === 0n) break;
    x.cancelAll(p.account, spec.symbol);
    const size = abs(p.qty);
    const close = size < left ? size : left;
    const signed = p.qty > 0n ? close : -close;
    const pnl = reducePosition(x.ledger, spec, p, close, bankruptcy);
    p.timestamp = now;
    left -= close;
    records.push({
      time: now,
      account: p.account,
      symbol: spec.symbol,
      qty: formatDecimal(signed, spec.lot.scale),
      price: formatDecimal(bankruptcy, spec.tick.scale),
      pnl: formatDecimal(pnl, spec.settleDecimals),
      against: against.account,
    });
  }
  return { records, left };
}

/** The account's cross positions (open) other than `except`, at their marks. */
export function crossOthers(
  x: Exchange,
  account: string,
  markOf: MarkOf,
  except?: PerpPosition,
): Array<{ position: Position; mark: bigint }> {
  return x.positions
    .ofAccount(account)
    .filter(
      (o) =>
        o !== except && o.qty !== 0n && x.positions.setting(account, o.symbol).mode === "cross",
    )
    .map((o) => ({
      position: asPosition(x.market(o.symbol).instrument.contract!, o),
      mark: markOf(o.symbol),
    }));
}

function rankOf(x: Exchange, p: PerpPosition, markOf: MarkOf): Rank {
  const spec = x.market(p.symbol).instrument.contract!;
  const mark = markOf(p.symbol);
  const position = asPosition(spec, p);
  const isolated = x.positions.setting(p.account, p.symbol).mode === "isolated";
  const wallet = isolated
    ? p.margin
    : x.ledger.free(p.account, spec.settle) + x.ledger.locked(p.account, spec.settle);
  const state: MarginState = isolated
    ? isolatedMargin(position, p.margin, mark)
    : crossMargin(wallet, crossOthers(x, p.account, markOf));
  const profit = unrealizedPnl(position, mark);
  if (profit <= 0n || state.marginBalance <= 0n) return { num: 0n, den: 1n };
  const one = 10n ** BigInt(spec.settleDecimals);
  return {
    num: profit * state.maintenance,
    den: (wallet > one ? wallet : one) * state.marginBalance,
  };
}

function compare(a: Rank, b: Rank): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l > r ? 1 : l < r ? -1 : 0;
}
