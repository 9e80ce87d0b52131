/**
 * Liquidation and bankruptcy prices of a one-way position on a linear contract, by the formula
 * Binance publishes for USDⓈ-M ("How to Calculate Liquidation Price of USDⓈ-M Futures
 * Contracts"). In one-way mode its hedge-mode terms (cumL, cumS, the LONG and SHORT positions)
 * are zero, and it reads:
 *
 *         WB − TMM1 + UPNL1 + cumB − Side1BOTH × Position1BOTH × EP1BOTH
 *   LP = ─────────────────────────────────────────────────────────────────
 *               Position1BOTH × MMR_B − Side1BOTH × Position1BOTH
 *
 * WB is the cross wallet balance (or the position's isolated wallet); TMM1 and UPNL1 are the
 * maintenance margin and unrealised PnL of every OTHER cross position (0 when isolated); cumB and
 * MMR_B are the maintenance amount and rate of the position's bracket; Side1BOTH is +1 long,
 * −1 short; Position1BOTH × EP1BOTH is the entry notional, and Position1BOTH the size in base
 * (contracts × contractSize). It is the price at which margin balance = maintenance margin.
 *
 * Rules:
 * - Bracket selection: the bracket must hold the notional AT the liquidation price, not at entry
 *   (Binance: recalculate with the other level's rate and amount when they differ). Each bracket
 *   is tried in order and the first whose floor < notional(LP) ≤ cap is taken; since maintenance
 *   is continuous in the notional, that price is where the two sides meet.
 * - No liquidation price (null) when the formula gives a price ≤ 0: a long whose wallet covers
 *   its whole entry notional cannot be liquidated by a falling price (Binance shows "--").
 * - Bankruptcy price: where the margin balance reaches 0 (WB + UPNL1 + the position's own PnL
 *   = 0; maintenance plays no part). It lies beyond the liquidation price: below it for a long,
 *   above it for a short. The liquidation engine fills at it.
 * - Both prices are exact fractions of price units; `roundToTick` rounds once, in the direction
 *   the caller names (Binance displays them to the nearest tick).
 */
import { InvalidInputError } from "../../domain/errors.js";
import { mulDiv, type Rounding } from "../../domain/fixed.js";
import type { LeverageBracket } from "./brackets.js";
import { type DerivativeMarket, requireLinear } from "./instrument.js";
import { maintenanceMargin, type Position, sideOf, unrealizedPnl } from "./margin.js";
import { RATE_ONE } from "./rate.js";

export interface LiquidationInput {
  position: Position;
  /** Cross: the cross wallet balance. Isolated: the position's isolated wallet. */
  walletBalance: bigint;
  /** Cross only: the account's other cross positions in the same settle currency, at marks. */
  others?: readonly { position: Position; mark: bigint }[];
}

/** An exact price in units at the tick's scale: numerator / denominator, denominator > 0. */
export interface ExactPrice {
  numerator: bigint;
  denominator: bigint;
}

export interface Liquidation extends ExactPrice {
  /** The bracket that holds the notional at the liquidation price. */
  bracket: LeverageBracket;
}

export function liquidationPrice(input: LiquidationInput): Liquidation | null {
  const { position, side, base, sizeFactor } = prepare(input);
  const { tmm, upnl } = othersOf(input);
  for (const bracket of position.market.brackets) {
    // a = WB − TMM1 + UPNL1 + cumB − Side × entry notional (settle units)
    const a = input.walletBalance - tmm + upnl + bracket.maintAmount - side * base;
    const d = bracket.maintMarginRatio - side * RATE_ONE; // MMR_B − Side, at RATE_SCALE
    // notional at LP = a / (MMR_B − Side), in settle units; compare as fractions with d's sign.
    const sign = d < 0n ? -1n : 1n;
    const n = a * RATE_ONE * sign;
    const dd = d * sign;
    if (n <= 0n) return null; // a price ≤ 0: nothing to liquidate at
    if (n > bracket.notionalFloor * dd && n <= bracket.notionalCap * dd) {
      // price units = a × ONE / (size units × (MMR_B − Side)), size scaled to the money scale
      return normalise(a * RATE_ONE, sizeFactor * d, bracket);
    }
  }
  throw new InvalidInputError(
    `${position.market.symbol}: no bracket holds the notional at the liquidation price ` +
      "(the position is beyond the last bracket's cap)",
  );
}

export function bankruptcyPrice(input: LiquidationInput): ExactPrice | null {
  const { side, base, sizeFactor } = prepare(input);
  const { upnl } = othersOf(input);
  // WB + UPNL1 + Side × (size × P − entry notional) = 0
  //   ⇒ P = (Side × entry notional − WB − UPNL1) / (Side × size)
  const numerator = side * base - input.walletBalance - upnl;
  const exact = normaliseFraction(numerator, side * sizeFactor);
  return exact.numerator > 0n ? exact : null;
}

/**
 * An exact price → units on the tick grid, rounded once.
 *
 * @example
 * // 1,153.256 at tick 0.01 is 115,325.6 price units
 * roundToTick(ETHUSDT, { numerator: 1153256n, denominator: 10n }, "half-up"); // 115326n
 */
export function roundToTick(market: DerivativeMarket, price: ExactPrice, rounding: Rounding) {
  const step = market.tick.step;
  return mulDiv(price.numerator, 1n, price.denominator * step, rounding) * step;
}

function prepare(input: LiquidationInput) {
  const { position } = input;
  const market = position.market;
  requireLinear(market);
  const side = sideOf(position);
  if (side === 0n) throw new InvalidInputError(`${market.symbol}: no position to liquidate`);
  const size = side * position.qty;
  // size × contractSize, lifted to the money scale so price = money / sizeFactor (tick units).
  const shift = market.settleDecimals - market.lot.scale - market.tick.scale - market.contractScale;
  const sizeFactor = size * market.contractSize * 10n ** BigInt(shift);
  return { position, side, base: position.entryNotional, sizeFactor };
}

function othersOf(input: LiquidationInput): { tmm: bigint; upnl: bigint } {
  let tmm = 0n;
  let upnl = 0n;
  const market = input.position.market;
  for (const { position, mark } of input.others ?? []) {
    if (position.market.settle !== market.settle) {
      throw new InvalidInputError(
        `${position.market.symbol} settles in ${position.market.settle}, not ${market.settle}: ` +
          "it shares no cross wallet with the position",
      );
    }
    if (position.market.symbol === market.symbol) {
      throw new InvalidInputError(`${market.symbol}: one-way mode has one position per market`);
    }
    tmm += maintenanceMargin(position, mark);
    upnl += unrealizedPnl(position, mark);
  }
  return { tmm, upnl };
}

function normalise(numerator: bigint, denominator: bigint, bracket: LeverageBracket): Liquidation {
  return { ...normaliseFraction(numerator, denominator), bracket };
}

function normaliseFraction(numerator: bigint, denominator: bigint): ExactPrice {
  if (denominator === 0n) throw new InvalidInputError("liquidation price: zero position size");
  return denominator < 0n
    ? { numerator: -numerator, denominator: -denominator }
    : { numerator, denominator };
}
