/**
 * Positions on contracts, one-way: per account and market, signed contracts and their entry
 * notional (derivatives/margin.ts's Position), the margin locked for them, and the account's
 * leverage and margin mode on that market.
 *
 * Rules:
 * - Default margin mode is cross and default leverage 20 (Binance's defaults), or the venue file's
 *   `derivatives` block. Either may be changed per account and market with `setLeverage` /
 *   `setMarginMode`; the mode only while the account has no position and no open order there
 *   (Binance refuses it too), the leverage only to a value the position's bracket allows.
 * - `margin` is settle minor units held in the account's locked balance for the position: its
 *   initial margin at the fills' prices (cross), or its isolated wallet (isolated). Every change
 *   of it is a ledger move made by the caller (contract-fills.ts, funding, liquidation).
 * - A flat position (qty 0) keeps no entry notional and no margin; it stays listed for its
 *   realised PnL and funding totals.
 */
import { InvalidOrderError } from "../../domain/errors.js";
import { bracketFor } from "../derivatives/brackets.js";
import type { DerivativeMarket } from "../derivatives/instrument.js";
import type { Position } from "../derivatives/margin.js";

export type MarginMode = "cross" | "isolated";

export interface MarginSetting {
  leverage: number;
  mode: MarginMode;
}

export interface PerpPosition {
  readonly symbol: string;
  readonly account: string;
  /** Signed contracts at the lot's scale. */
  qty: bigint;
  /** Settle units, ≥ 0. */
  entryNotional: bigint;
  /** Settle units locked for the position (see the header). */
  margin: bigint;
  /** Σ realised PnL of reductions, settle units (fees and funding not included). */
  realizedPnl: bigint;
  /** Σ funding received (> 0) or paid (< 0), settle units. */
  funding: bigint;
  /** The last time the position changed (fill, funding, liquidation). */
  timestamp: number;
}

export class Positions {
  private readonly byAccount = new Map<string, Map<string, PerpPosition>>();
  private readonly settings = new Map<string, MarginSetting>();
  /** How many positions were ever created (`ensure`): a new one changes it. */
  created = 0;

  constructor(readonly defaults: Readonly<MarginSetting>) {}

  get(account: string, symbol: string): PerpPosition | undefined {
    return this.byAccount.get(account)?.get(symbol);
  }

  ensure(account: string, symbol: string): PerpPosition {
    let positions = this.byAccount.get(account);
    if (positions === undefined) {
      positions = new Map();
      this.byAccount.set(account, positions);
    }
    let p = positions.get(symbol);
    if (p === undefined) {
      p = {
        symbol,
        account,
        qty: 0n,
        entryNotional: 0n,
        margin: 0n,
        realizedPnl: 0n,
        funding: 0n,
        timestamp: 0,
      };
      positions.set(symbol, p);
      this.created++;
    }
    return p;
  }

  /** Every position of `account` (open or flat), in the order they were opened. */
  ofAccount(account: string): PerpPosition[] {
    return [...(this.byAccount.get(account)?.values() ?? [])];
  }

  /** Every open position (qty ≠ 0) on `symbol`, by account in first-trade order. */
  openOn(symbol: string): PerpPosition[] {
    const out: PerpPosition[] = [];
    for (const positions of this.byAccount.values()) {
      const p = positions.get(symbol);
      if (p !== undefined && p.qty !== 0n) out.push(p);
    }
    return out;
  }

  /** Every position on `symbol`, open or flat. */
  allOn(symbol: string): PerpPosition[] {
    const out: PerpPosition[] = [];
    for (const positions of this.byAccount.values()) {
      const p = positions.get(symbol);
      if (p !== undefined) out.push(p);
    }
    return out;
  }

  all(): PerpPosition[] {
    return [...this.byAccount.values()].flatMap((m) => [...m.values()]);
  }

  setting(account: string, symbol: string): MarginSetting {
    return this.settings.get(`${account}\u0000${symbol}`) ?? this.defaults;
  }

  /** Settings an account changed, for a saved state. */
  changedSettings(): Array<{ account: string; symbol: string } & MarginSetting> {
    return [...this.settings].map(([key, s]) => {
      const [account, symbol] = key.split("\u0000") as [string, string];
      return { account, symbol, ...s };
    });
  }

  setLeverage(account: string, market: DerivativeMarket, leverage: number): MarginSetting {
    if (!Number.isInteger(leverage) || leverage < 1) {
      throw new InvalidOrderError(`leverage ${leverage} is not a whole number ≥ 1`);
    }
    const first = market.brackets[0]!;
    if (leverage > first.maxLeverage) {
      throw new InvalidOrderError(
        `leverage ${leverage} is above ${market.symbol}'s maximum ${first.maxLeverage}`,
      );
    }
    const p = this.get(account, market.symbol);
    if (p !== undefined && p.qty !== 0n) {
      const b = bracketFor(market.brackets, p.entryNotional);
      if (leverage > b.maxLeverage) {
        throw new InvalidOrderError(
          `leverage ${leverage} is above ${b.maxLeverage}, the maximum of bracket ${b.bracket} ` +
            `that ${account}'s ${market.symbol} position is in`,
        );
      }
    }
    return this.put(account, market.symbol, { ...this.setting(account, market.symbol), leverage });
  }

  /** `busy`: the account has a position or open orders there (checked by the caller). */
  setMarginMode(account: string, symbol: string, mode: MarginMode, busy: boolean): MarginSetting {
    const current = this.setting(account, symbol);
    if (current.mode === mode) return current;
    if (busy) {
      throw new InvalidOrderError(
        `${symbol}: the margin mode cannot change while ${account} has a position or open orders there`,
      );
    }
    return this.put(account, symbol, { ...current, mode });
  }

  /** Replaces everything with a saved state's (saved-state.ts). */
  replace(positions: readonly PerpPosition[], settings: ReturnType<Positions["changedSettings"]>) {
    this.byAccount.clear();
    this.settings.clear();
    this.created++;
    for (const p of positions) Object.assign(this.ensure(p.account, p.symbol), p);
    for (const { account, symbol, leverage, mode } of settings) {
      this.put(account, symbol, { leverage, mode });
    }
  }

  private put(account: string, symbol: string, s: MarginSetting): MarginSetting {
    this.settings.set(`${account}\u0000${symbol}`, s);
    return s;
  }
}

/** The derivatives model's view of a position. */
export function asPosition(market: DerivativeMarket, p: PerpPosition): Position {
  return { market, qty: p.qty, entryNotional: p.entryNotional };
}

export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}
