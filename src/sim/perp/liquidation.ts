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
 *   (contract-fills.ts's settlePnl) — and the engine closes it in the book at the makers' best
 *   price (bid for a long, ask for a short). What that close gains over the bankruptcy price goes
 *   from the makers to the insurance fund; what it loses (a gap through the bankruptcy price) the
 *   fund pays, as far as it has it.
 * - Liquidation fee: `liquidationFee` × the notional at the bankruptcy price, to the insurance fund,
 *   from what a cross account has left free (little or nothing: the bankruptcy price spends its
 *   wallet). An isolated position loses exactly its margin and pays no fee beyond it; the fund's
 *   share is then only the engine's close over the bankruptcy price.
 * - Not yet: auto-deleveraging when the fund is short (the makers, the house, receive less).
 */
import { formatDecimal, mulDiv } from "../../domain/fixed.js";
import { BUY, SELL } from "../book/index.js";
import { notional } from "../derivatives/instrument.js";
import { bankruptcyPrice, roundToTick } from "../derivatives/liquidation-price.js";
import { crossMargin, isolatedMargin } from "../derivatives/margin.js";
import { RATE_ONE } from "../derivatives/rate.js";
import type { Exchange } from "../exchange.js";
import { INSURANCE_FUND_ACCOUNT, MARKET_MAKER_ACCOUNT } from "../ledger.js";
import { referenceTicks, type SimMarket } from "../sim-market.js";
import { settlePnl } from "./contract-fills.js";
import { asPosition, type PerpPosition } from "./positions.js";

export interface LiquidationRecord {
  time: number;
  account: string;
  symbol: string;
  /** Contracts, signed, as they were. */
  qty: string;
  bankruptcyPrice: string;
  markPrice: string;
}

/** Liquidates every position of `m` due at `mark`; returns what it did. */
export function liquidate(
  x: Exchange,
  m: SimMarket,
  mark: bigint,
  markOf: (symbol: string) => bigint,
  now: number,
): LiquidationRecord[] {
  const spec = m.instrument.contract!;
  const out: LiquidationRecord[] = [];
  for (const p of x.positions.openOn(spec.symbol)) {
    const setting = x.positions.setting(p.account, p.symbol);
    const wallet = x.ledger.free(p.account, spec.settle) + x.ledger.locked(p.account, spec.settle);
    const cross = x.positions
      .ofAccount(p.account)
      .filter((o) => o.qty !== 0n && x.positions.setting(o.account, o.symbol).mode === "cross");
    const state =
      setting.mode === "isolated"
        ? isolatedMargin(asPosition(spec, p), p.margin, mark)
        : crossMargin(
            wallet,
            cross.map((o) => ({
              position: asPosition(x.market(o.symbol).instrument.contract!, o),
              mark: markOf(o.symbol),
            })),
          );
    if (!state.liquidatable) continue;
    x.cancelAll(p.account, p.symbol);
    const others =
      setting.mode === "isolated"
        ? []
        : cross
            .filter((o) => o !== p)
            .map((o) => ({
              position: asPosition(x.market(o.symbol).instrument.contract!, o),
              mark: markOf(o.symbol),
            }));
    const walletNow =
      setting.mode === "isolated"
        ? p.margin
        : x.ledger.free(p.account, spec.settle) + x.ledger.locked(p.account, spec.settle);
    const exact = bankruptcyPrice({
      position: asPosition(spec, p),
      walletBalance: walletNow,
      others,
    });
    const long = p.qty > 0n;
    const bp = exact === null ? spec.tick.step : roundToTick(spec, exact, long ? "up" : "down");
    out.push({
      time: now,
      account: p.account,
      symbol: p.symbol,
      qty: formatDecimal(p.qty, spec.lot.scale),
      bankruptcyPrice: formatDecimal(bp, spec.tick.scale),
      markPrice: formatDecimal(mark, spec.tick.scale),
    });
    takeOver(x, m, p, bp);
  }
  return out;
}

function takeOver(x: Exchange, m: SimMarket, p: PerpPosition, bp: bigint): void {
  const spec = m.instrument.contract!;
  const settle = spec.settle;
  const ledger = x.ledger;
  const side = p.qty > 0n ? 1n : -1n;
  const size = side * p.qty;
  const atBankruptcy = notional(spec, size, bp);
  const pnl = side * (atBankruptcy - p.entryNotional);
  ledger.unlock(p.account, settle, p.margin);
  p.realizedPnl += pnl;
  p.qty = 0n;
  p.entryNotional = 0n;
  p.margin = 0n;
  settlePnl(ledger, p.account, settle, pnl);
  const isolated = x.positions.setting(p.account, p.symbol).mode === "isolated";
  const fee = isolated ? 0n : mulDiv(atBankruptcy, m.terms!.liquidationFeeRate, RATE_ONE, "up");
  const free = ledger.free(p.account, settle);
  ledger.transfer(p.account, "free", INSURANCE_FUND_ACCOUNT, settle, free < fee ? free : fee);
  // The engine closes at the makers' best price: a long is sold to the bids, a short bought.
  const now = x.settlement.now;
  const [level] = m.liquidity.levels(
    long(side) ? BUY : SELL,
    referenceTicks(m),
    now,
    Number.NaN,
    1,
  );
  const closeTicks = BigInt(level?.price ?? referenceTicks(m));
  const atClose = notional(spec, size, closeTicks * spec.tick.step);
  const gain = side * (atClose - atBankruptcy);
  if (gain >= 0n) {
    const mm = ledger.free(MARKET_MAKER_ACCOUNT, settle);
    ledger.transfer(
      MARKET_MAKER_ACCOUNT,
      "free",
      INSURANCE_FUND_ACCOUNT,
      settle,
      mm < gain ? mm : gain,
    );
  } else {
    const fund = ledger.free(INSURANCE_FUND_ACCOUNT, settle);
    ledger.transfer(
      INSURANCE_FUND_ACCOUNT,
      "free",
      MARKET_MAKER_ACCOUNT,
      settle,
      fund < -gain ? fund : -gain,
    );
  }
}

function long(side: bigint): boolean {
  return side > 0n;
}
