/**
 * One funding of one perpetual, as ledger moves.
 *
 * Rules:
 * - The positions are every user's open position plus the house's, the makers' account holding
 *   the opposite of the users' total (contract-fills.ts): so longs and shorts match and
 *   funding.ts's `settleFunding` applies as published (payers rounded up, receivers down).
 * - Payments go through the insurance fund: every payer pays into it, then it pays every receiver;
 *   the rounding residual stays in it. A payer pays from its free balance, then from its
 *   position's margin; what it cannot pay (it should have been liquidated) the fund bears, and a
 *   fund that runs dry pays receivers only what it has. Every move is a transfer: conserved.
 * - Each position's `funding` total records what it paid (< 0) or received (> 0).
 */
import { settleFunding } from "../derivatives/funding.js";
import type { DerivativeMarket } from "../derivatives/instrument.js";
import type { Position } from "../derivatives/margin.js";
import { INSURANCE_FUND_ACCOUNT, type Ledger, MARKET_MAKER_ACCOUNT } from "../ledger.js";
import { asPosition, type PerpPosition, type Positions } from "./positions.js";

export function payFunding(
  ledger: Ledger,
  positions: Positions,
  spec: DerivativeMarket,
  mark: bigint,
  rate: bigint,
  now: number,
): string[] {
  const users = positions.openOn(spec.symbol);
  const house = -users.reduce((sum, p) => sum + p.qty, 0n);
  const list: Position[] = users.map((p) => asPosition(spec, p));
  if (house !== 0n) list.push({ market: spec, qty: house, entryNotional: 0n });
  if (list.length === 0) return [];
  const { transfers } = settleFunding(list, mark, rate);
  const settle = spec.settle;
  const owner = (i: number): PerpPosition | undefined => users[i];
  // Payers first, into the fund; then receivers, from it.
  transfers.forEach(({ amount }, i) => {
    if (amount >= 0n) return;
    const p = owner(i);
    const paid =
      p === undefined ? payFromHouse(ledger, settle, -amount) : pay(ledger, p, settle, -amount);
    if (p !== undefined) {
      p.funding -= paid;
      p.timestamp = now;
    }
  });
  transfers.forEach(({ amount }, i) => {
    if (amount <= 0n) return;
    const p = owner(i);
    const fund = ledger.free(INSURANCE_FUND_ACCOUNT, settle);
    const n = fund < amount ? fund : amount;
    ledger.transfer(INSURANCE_FUND_ACCOUNT, "free", p?.account ?? MARKET_MAKER_ACCOUNT, settle, n);
    if (p !== undefined) {
      p.funding += n;
      p.timestamp = now;
    }
  });
  return users.map((p) => p.account);
}

function payFromHouse(ledger: Ledger, settle: string, amount: bigint): bigint {
  const free = ledger.free(MARKET_MAKER_ACCOUNT, settle);
  const n = free < amount ? free : amount;
  ledger.transfer(MARKET_MAKER_ACCOUNT, "free", INSURANCE_FUND_ACCOUNT, settle, n);
  return n;
}

function pay(ledger: Ledger, p: PerpPosition, settle: string, amount: bigint): bigint {
  const free = ledger.free(p.account, settle);
  const fromFree = free < amount ? free : amount;
  ledger.transfer(p.account, "free", INSURANCE_FUND_ACCOUNT, settle, fromFree);
  const rest = amount - fromFree;
  const fromMargin = p.margin < rest ? p.margin : rest;
  ledger.transfer(p.account, "locked", INSURANCE_FUND_ACCOUNT, settle, fromMargin);
  p.margin -= fromMargin;
  return fromFree + fromMargin;
}
