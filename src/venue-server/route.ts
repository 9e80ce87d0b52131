/**
 * One endpoint of the venue server: its request weight (Binance's, per request) and its answer.
 * A SIGNED endpoint's answer acts for the account whose API key signed the request.
 */
import type { Query } from "./binance-spot.js";

export interface Route {
  weight(q: Query): number;
  answer(q: Query): unknown;
}

export interface SignedRoute {
  weight(q: Query): number;
  answer(account: string, q: Query): unknown;
  /** USER_STREAM: the API key alone names the account, no signature (listen keys). */
  keyOnly?: boolean;
}

/** A route of a fixed weight. */
export function fixed(weight: number, answer: (q: Query) => unknown): Route {
  return { weight: () => weight, answer };
}

/** A signed route of a fixed weight. */
export function fixedSigned(
  weight: number,
  answer: (account: string, q: Query) => unknown,
): SignedRoute {
  return { weight: () => weight, answer };
}

/** A weight that depends on whether the request names one market or asks for all. */
export function bySymbol(one: number, all: number): (q: Query) => number {
  return (q) => (q.has("symbol") ? one : all);
}
