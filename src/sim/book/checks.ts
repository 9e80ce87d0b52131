/**
 * Guards for the book's inputs. A failure is a caller bug (the simulator validates what clients
 * send before it reaches the book), so each throws InvalidInputError naming the bad value.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { BUY, SELL, type Side, STP_MODES, type StpMode } from "./types.js";

/** Everything about a new order but its price (a market order has none). */
export function checkOrder(id: number, owner: number, side: Side, qty: number): void {
  if (!Number.isSafeInteger(id)) throw new InvalidInputError(`order id must be an integer: ${id}`);
  if (!Number.isSafeInteger(owner)) {
    throw new InvalidInputError(`owner must be an integer: ${owner}`);
  }
  if (side !== BUY && side !== SELL) throw new InvalidInputError(`side must be 0 or 1: ${side}`);
  checkQty(qty);
}

export function checkPrice(price: number): void {
  if (!Number.isSafeInteger(price)) {
    throw new InvalidInputError(`price must be an integer of ticks: ${price}`);
  }
}

export function checkQty(qty: number): void {
  if (!Number.isSafeInteger(qty) || qty <= 0) {
    throw new InvalidInputError(`quantity must be a positive integer of lots: ${qty}`);
  }
}

export function checkStpMode(mode: StpMode): StpMode {
  if (!STP_MODES.includes(mode)) throw new InvalidInputError(`unknown stp mode: ${String(mode)}`);
  return mode;
}
