/**
 * The liquidation engine, run on each mark update of a contract market.
 *
 * Rules:
 * - Trigger (margin.ts): isolated, the position's margin + its unrealised PnL ≤ its maintenance;
 *   cross, the account's wallet (free + locked settle) + every cross position's unrealised PnL ≤
 *   their summed maintenance. All at the mark price, never the last trade.
 * - Then: the account's open orders on that market are cancelled first (their reservations come
 *   back); the position is taken over at the bankruptcy price (liquidation-price.ts, rounded to
 *   the tick against the liquidation engine: up for a long, down for a short, so the account's
 *   loss never exceeds its margin balance) — the account realises its PnL there with the makers
 *   (contract-fills.ts's settlePnl).
 * - Liquidation fee: `liquidationFee` × the notional at the bankruptcy price, to the insurance fund,
 *   from what a cross account has left free (little or nothing: the bankruptcy price spends its
 *   wallet). An isolated position loses exactly its margin and pays no fee beyond it.
 * - The engine then closes the position in the book as its market order would fill, level after
 *   level (liquidation-close.ts): what each fill gains over the bankruptcy price goes from the
 *   makers to the insurance fund, what it loses (a gap through the bankruptcy price) the fund
 *   pays — only as many contracts as the fund can pay for. What a thin book cannot take the fund
 *   accepts at the mark price, as far as it can pay.
 * - The rest (the fund is short) is auto-deleveraged (adl.ts): users' opposite positions, ranked
 *   as Binance ranks them, close against it at the bankruptcy price; what no user takes the
 *   house (the makers' account) takes there. The fund never goes negative, and every move is a
 *   ledger transfer: money is conserved.
 * - Each liquidation is told with a LiquidationRecord, each deleveraged position with an
 *   AdlRecord.
 */
import { formatDecimal, mulDiv } from "../../domain/fixed.js";
import { notional } from "../derivatives/instrument.js";
import { bankruptcyPrice, roundToTick } from "../derivatives/liquidation-price.js";
import { crossMargin, isolatedMargin } from "../derivatives/margin.js";
import { RATE_ONE } from "../derivatives/rate.js";
import type { Exchange } from "../exchange.js";
import { INSURANCE_FUND_ACCOUNT } from "../ledger.js";
import type { SimMarket } from "../sim-market.js";
import { type AdlRecord, crossOthers, deleverage, type MarkOf } from "./adl.js";
import { settlePnl } from "./contract-fills.js";
import { closeOut } from "./liquidation-close.js";
import { asPosition, type PerpPosition } from "./positions.js";

export interface LiquidationRecord {
  time: number;
  account: string;
  symbol: string;
  /** Contracts, signed, as they were. */
  qty: string;
  bankruptcyPrice: string;
  markPrice: string;
  /** The engine's close in the book: each fill's price and contracts, in matching order. */
  closed: Array<{ price: string; qty: string }>;
  /** Contracts the fund accepted at the mark price (the book was too thin). */
  toFund: string;
  /** Contracts auto-deleveraged against users' opposite positions (adl.ts). */
  deleveraged: string;
  /** Contracts the house took at the bankruptcy price (no user was left to deleverage). */
  toHouse: string;
}

export interface Liquidations {
  liquidations: LiquidationRecord[];
  adl: AdlRecord[];
}

/** Liquidates every position of `m` due at `mark`; returns what it did. */
export function liquidate(
  x: Exchange,
  m: SimMarket,
  mark: bigint,
  markOf: MarkOf,
  now: number,
): Liquidations {
  const spec = m.instrument.contract!;
  const out: Liquidations = { liquidations: [], adl: [] };
  for (const p of x.positions.openOn(spec.symbol)) {
    // An earlier liquidation's close or deleveraging may have changed or closed it.
    if (p.qty === 0n) continue;
    const isolated = x.positions.setting(p.account, p.symbol).mode === "isolated";
    const wallet = () =>
      x.ledger.free(p.account, spec.settle) + x.ledger.locked(p.account, spec.settle);
    const state = isolated
      ? isolatedMargin(asPosition(spec, p), p.margin, mark)
      : crossMargin(wallet(), crossOthers(x, p.account, markOf));
    if (!state.liquidatable) continue;
    x.cancelAll(p.account, p.symbol);
    const exact = bankruptcyPrice({
      position: asPosition(spec, p),
      walletBalance: isolated ? p.margin : wallet(),
      others: isolated ? [] : crossOthers(x, p.account, markOf, p),
    });
    const long = p.qty > 0n;
    const bp = exact === null ? spec.tick.step : roundToTick(spec, exact, long ? "up" : "down");
    const qty = p.qty;
    takeOver(x, m, p, bp, isolated);
    const size = long ? qty : -qty;
    const { fills, toFund, left } = closeOut(x, m, long, size, bp, mark);
    const adl = deleverage(x, m, { account: p.account, long }, left, bp, markOf, now);
    const contracts = (u: bigint) => formatDecimal(u, spec.lot.scale);
    out.adl.push(...adl.records);
    out.liquidations.push({
      time: now,
      account: p.account,
      symbol: p.symbol,
      qty: contracts(qty),
      bankruptcyPrice: formatDecimal(bp, spec.tick.scale),
      markPrice: formatDecimal(mark, spec.tick.scale),
      closed: fills.map((f) => ({
        price: m.instrument.ticksToPrice(f.ticks),
        qty: contracts(BigInt(f.lots) * spec.lot.step),
      })),
      toFund: contracts(toFund),
      deleveraged: contracts(left - adl.left),
      toHouse: contracts(adl.left),
    });
  }
  return out;
}

/** The account realises its PnL at `bp` and pays the liquidation fee; the position is flat. */
function takeOver(x: Exchange, m: SimMarket, p: PerpPosition, bp: bigint, isolated: boolean) {
  const spec = m.instrument.contract!;
  const settle = spec.settle;
  const ledger = x.ledger;
  const side = p.qty > 0n ? 1n : -1n;
  const atBankruptcy = notional(spec, side * p.qty, bp);
  const pnl = side * (atBankruptcy - p.entryNotional);
  ledger.unlock(p.account, settle, p.margin);
  p.realizedPnl += pnl;
  p.qty = 0n;
  p.entryNotional = 0n;
  p.margin = 0n;
  settlePnl(ledger, p.account, settle, pnl);
  const fee = isolated ? 0n : mulDiv(atBankruptcy, m.terms!.liquidationFeeRate, RATE_ONE, "up");
  const free = ledger.free(p.account, settle);
  ledger.transfer(p.account, "free", INSURANCE_FUND_ACCOUNT, settle, free < fee ? free : fee);
}
