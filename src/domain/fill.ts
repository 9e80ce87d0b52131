/**
 * A fill: one execution of one of our orders (ccxt calls it a Trade, from `fetchMyTrades`).
 *
 * Money fields are decimal strings (see order.ts). Invariant: `cost = price × amount` in the quote
 * currency; `fee.cost` is in `fee.currency`, which may be neither base nor quote.
 */

import type { Fee, Side } from "./order.js";

export type TakerOrMaker = "taker" | "maker";

export interface Fill {
  id: string;
  orderId: string;
  clientOrderId?: string;
  /** Execution time, ms since the epoch. */
  timestamp: number;
  symbol: string;
  side: Side;
  price: string;
  amount: string;
  cost: string;
  takerOrMaker: TakerOrMaker;
  fee: Fee;
}
