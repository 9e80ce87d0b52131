/**
 * What an order executed between two of its states. Venues report an order's cumulative `filled`,
 * `cost` and `fee`; a position wants each execution once. The difference of two states is that
 * execution, exactly (decimal strings in, decimal strings out).
 */
import { InvalidInputError } from "./errors.js";
import { formatDecimal, parseDecimal } from "./fixed.js";
import type { Order } from "./order.js";
import type { PositionFill } from "./position-ledger.js";

/** Decimals differences are taken at: beyond any venue's precision. */
const SCALE = 18;

/** The cumulative part of an order's state. */
export type OrderTotals = Pick<Order, "filled" | "cost" | "fee">;

/**
 * The fill from `before` (undefined: nothing executed yet) to `after`; undefined when nothing more
 * executed. A state that went backwards is a venue bug and throws.
 *
 * @example
 * fillSince({ filled: "0.1", cost: "10", fee: undefined },
 *   { ...order, side: "buy", filled: "0.3", cost: "30.5" });
 * // { side: "buy", amount: "0.2", cost: "20.5" }
 */
export function fillSince(before: OrderTotals | undefined, after: Order): PositionFill | undefined {
  const amount = units(after.filled) - units(before?.filled ?? "0");
  if (amount === 0n) return undefined;
  const cost = units(after.cost) - units(before?.cost ?? "0");
  if (amount < 0n || cost < 0n) {
    throw new InvalidInputError(
      `order ${after.id} went backwards: filled ${before?.filled} → ${after.filled}`,
    );
  }
  const fill: PositionFill = { side: after.side, amount: text(amount), cost: text(cost) };
  const fee = after.fee;
  if (fee !== undefined) {
    const previous = before?.fee?.currency === fee.currency ? units(before.fee.cost) : 0n;
    const paid = units(fee.cost) - previous;
    if (paid !== 0n) fill.fee = { currency: fee.currency, cost: text(paid) };
  }
  return fill;
}

function units(value: string): bigint {
  return parseDecimal(value, SCALE, "half-even");
}

function text(value: bigint): string {
  return formatDecimal(value, SCALE);
}
