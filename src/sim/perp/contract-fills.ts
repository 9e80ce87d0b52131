/**
 * A fill on a contract, turned into position changes and ledger moves, at once and exactly.
 *
 * Who is on the other side: the synthetic makers are the house. Their account holds no position
 * record; it takes the other side of every user's realised PnL (and of funding, funding.ts), so a
 * user's profit is paid from it and a loss paid into it. Users trading with each other settle
 * through it too: each side's PnL goes to or from the makers' account, and over a round trip the
 * two cancel there. Every move is a ledger transfer, so each asset's total is unchanged.
 *
 * For one user side of a fill (`side` +1 bought, −1 sold) of q contracts at price p:
 * - The order's reservation for these lots is consumed: its share of `reserved`, rounded DOWN
 *   (the last fill of an order takes whatever is left, so nothing is lost to rounding).
 * - Reduce first: the part opposite to the position closes c = min(|qty|, q) contracts. The
 *   closed share of the entry notional and of the position's margin is c/|qty| of each, rounded
 *   DOWN (the rest stays with what remains open; all of it when the position closes).
 *   Realised PnL = side of the position × (notional of c at p − that entry share), exact. The
 *   margin share is unlocked; a gain comes from the makers' account; a loss goes to it from the
 *   account's free balance, and what the account cannot pay (a gap through its bankruptcy price)
 *   from the insurance fund, and past that the makers simply receive less.
 * - Then open: the rest opens or increases the position; its initial margin, notional / leverage
 *   rounded UP, stays locked as the position's margin, taken from the consumed reservation and,
 *   should that fall short, from the free balance as far as it goes.
 * - Fee: maker or taker rate × the fill's notional, rounded UP, in the settle asset, paid to the
 *   fee account from the consumed reservation, then the free balance (a reduce-only order
 *   reserves nothing). Whatever the reservation share did not use is unlocked.
 */

import { mulDiv } from "../../domain/fixed.js";
import { type DerivativeMarket, notional } from "../derivatives/instrument.js";
import type { Instrument } from "../instrument.js";
import type { Ledger } from "../ledger.js";
import { FEE_ACCOUNT, INSURANCE_FUND_ACCOUNT, MARKET_MAKER_ACCOUNT } from "../ledger.js";
import { remainingLots, type SimOrder } from "../sim-order.js";
import { abs, type PerpPosition, type Positions } from "./positions.js";

export interface ContractFill {
  order: SimOrder;
  /** +1n the order bought, −1n it sold. */
  side: bigint;
  ticks: number;
  lots: number;
  role: "maker" | "taker";
  now: number;
}

/** Applies one user side of a contract fill; returns the fee charged. */
export function applyContractFill(
  ledger: Ledger,
  positions: Positions,
  fill: ContractFill,
): bigint {
  const { order, side, ticks, lots } = fill;
  const inst = order.instrument;
  const spec = inst.contract!;
  const account = order.account;
  const settle = inst.quote;
  const pos = positions.ensure(account, inst.symbol);
  pos.timestamp = fill.now;
  const q = BigInt(lots) * spec.lot.step;
  const price = BigInt(ticks) * spec.tick.step;

  const left = BigInt(remainingLots(order));
  let pool =
    BigInt(lots) === left ? order.reserved : mulDiv(order.reserved, BigInt(lots), left, "down");
  order.reserved -= pool;

  const reducing = pos.qty !== 0n && pos.qty > 0n !== side > 0n;
  const close = reducing ? (abs(pos.qty) < q ? abs(pos.qty) : q) : 0n;
  if (close > 0n) reducePosition(ledger, spec, pos, close, price);
  const open = q - close;
  if (open > 0n) {
    const n = notional(spec, open, price);
    const leverage = BigInt(positions.setting(account, inst.symbol).leverage);
    const im = mulDiv(n, 1n, leverage, "up");
    const fromPool = pool < im ? pool : im;
    pool -= fromPool;
    const extra = lockUpTo(ledger, account, settle, im - fromPool);
    pos.qty += side * open;
    pos.entryNotional += n;
    pos.margin += fromPool + extra;
  }
  const fee = inst.fee(inst.cost(ticks, lots), fill.role);
  const feeFromPool = pool < fee ? pool : fee;
  ledger.transfer(account, "locked", FEE_ACCOUNT, settle, feeFromPool);
  pool -= feeFromPool;
  const feeRest = minFree(ledger, account, settle, fee - feeFromPool);
  ledger.transfer(account, "free", FEE_ACCOUNT, settle, feeRest);
  if (pool > 0n) ledger.unlock(account, settle, pool);
  return feeFromPool + feeRest;
}

/**
 * Closes `close` contracts (0 < close ≤ |qty|) of `pos` at `price`, by the header's reduce rule:
 * shares of entry and margin rounded down, the margin share unlocked, the PnL settled with the
 * makers' account. Returns the realised PnL. Also how auto-deleveraging closes (adl.ts).
 */
export function reducePosition(
  ledger: Ledger,
  spec: DerivativeMarket,
  pos: PerpPosition,
  close: bigint,
  price: bigint,
): bigint {
  const size = abs(pos.qty);
  const entryShare =
    close === size ? pos.entryNotional : mulDiv(pos.entryNotional, close, size, "down");
  const marginShare = close === size ? pos.margin : mulDiv(pos.margin, close, size, "down");
  const posSide = pos.qty > 0n ? 1n : -1n;
  const pnl = posSide * (notional(spec, close, price) - entryShare);
  pos.qty -= posSide * close;
  pos.entryNotional -= entryShare;
  pos.margin -= marginShare;
  pos.realizedPnl += pnl;
  ledger.unlock(pos.account, spec.settle, marginShare);
  settlePnl(ledger, pos.account, spec.settle, pnl);
  return pnl;
}

/**
 * Realised PnL between `account` and the makers' account: a gain from the makers, a loss to them
 * from the account's free balance; a loss beyond it from the insurance fund, then unpaid. Returns
 * what the account could not pay (0 unless it went bankrupt).
 */
export function settlePnl(ledger: Ledger, account: string, settle: string, pnl: bigint): bigint {
  if (pnl >= 0n) {
    ledger.transfer(MARKET_MAKER_ACCOUNT, "free", account, settle, pnl);
    return 0n;
  }
  const loss = -pnl;
  const paid = minFree(ledger, account, settle, loss);
  ledger.transfer(account, "free", MARKET_MAKER_ACCOUNT, settle, paid);
  const shortfall = loss - paid;
  const covered = minFree(ledger, INSURANCE_FUND_ACCOUNT, settle, shortfall);
  ledger.transfer(INSURANCE_FUND_ACCOUNT, "free", MARKET_MAKER_ACCOUNT, settle, covered);
  return shortfall;
}

function minFree(ledger: Ledger, account: string, asset: string, amount: bigint): bigint {
  const free = ledger.free(account, asset);
  return free < amount ? free : amount;
}

/** Locks up to `amount` of the free balance; returns what it locked. */
function lockUpTo(ledger: Ledger, account: string, asset: string, amount: bigint): bigint {
  const n = minFree(ledger, account, asset, amount);
  if (n > 0n) ledger.lock(account, asset, n, "margin");
  return n;
}

/** Initial margin plus the taker fee a contract order of `notionalUnits` reserves. */
export function orderMargin(inst: Instrument, leverage: number, notionalUnits: bigint): bigint {
  return mulDiv(notionalUnits, 1n, BigInt(leverage), "up") + inst.fee(notionalUnits, "taker");
}
