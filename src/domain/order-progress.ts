/**
 * What an order executed between two of its states. Venues report an order's cumulative `filled`,
 * `cost` and `fee`; a position wants each execution once. The difference of two states is that
 * execution, exactly (decimal strings in, decimal strings out).
 */
import { InvalidInputError } from "./errors.js";
import { formatDecimal, parseDecimal } from "./fixed.js";
import type { Fee, Order } from "./order.js";
import type { PositionFill } from "./position-ledger.js";

/** Decimals differences are taken at: beyond any venue's precision. */
const SCALE = 18;

/** The cumulative part of an order's state. */
export type OrderTotals = Pick<Order, "filled" | "cost" | "fee">;

/**
 * The fill from `before` (undefined: nothing executed yet) to `after`; undefined when nothing more
 * executed. A state that went backwards is a venue bug and throws.
 *
 * A venue may tell the fee after the execution: a REST reply without it, then the stream's report
 * with the same `filled` and the fee. That later state is a fee-only fill (amount and cost "0")
 * carrying the order's average price, so a base fee is still taken out of the position and valued.
 *
 * @example
 * fillSince({ filled: "0.1", cost: "10", fee: undefined },
 *   { ...order, side: "buy", filled: "0.3", cost: "30.5" });
 * // { side: "buy", amount: "0.2", cost: "20.5" }
 */
export function fillSince(before: OrderTotals | undefined, after: Order): PositionFill | undefined {
  const amount = units(after.filled) - units(before?.filled ?? "0");
  const cost = units(after.cost) - units(before?.cost ?? "0");
  if (amount < 0n || cost < 0n) {
    throw new InvalidInputError(
      `order ${after.id} went backwards: filled ${before?.filled} → ${after.filled}`,
    );
  }
  const paid = feeSince(before, after);
  if (amount === 0n && paid === undefined) return undefined;
  const fill: PositionFill = { side: after.side, amount: text(amount), cost: text(cost) };
  if (paid !== undefined) fill.fee = paid;
  if (amount === 0n && paid !== undefined && units(after.filled) > 0n) {
    fill.price = text((units(after.cost) * 10n ** BigInt(SCALE)) / units(after.filled));
  }
  return fill;
}

/**
 * The cumulative fee to remember of an order after `after`: its own, or — where a venue's state
 * leaves it out (a REST reply after the stream told it) or tells less — the one known before, so
 * the next state's fee is taken from the right base and a fee is never counted twice.
 */
export function knownFee(before: OrderTotals | undefined, after: OrderTotals): Fee | undefined {
  const known = before?.fee;
  const told = after.fee;
  if (known === undefined) return told;
  if (told === undefined) return known;
  if (told.currency !== known.currency) return told;
  return units(told.cost) < units(known.cost) ? known : told;
}

/** The fee paid since `before`, in `after`'s fee currency; undefined when none was. */
function feeSince(before: OrderTotals | undefined, after: Order): PositionFill["fee"] {
  const fee = after.fee;
  if (fee === undefined) return undefined;
  const previous = before?.fee?.currency === fee.currency ? units(before.fee.cost) : 0n;
  const paid = units(fee.cost) - previous;
  return paid > 0n ? { currency: fee.currency, cost: text(paid) } : undefined;
}

function units(value: string): bigint {
  return parseDecimal(value, SCALE, "half-even");
}

function text(value: bigint): string {
  return formatDecimal(value, SCALE);
}
