/**
 * What an actor may do on its venue, as it flows down the actors: the Desk derives its venue's
 * (from-venue.ts), a Holder narrows them by its template (narrow.ts) and hands its own to its
 * Traders, and a Trader enables only what they allow (enable.ts). One shape at every level, so a
 * person reading `status` compares them field by field.
 *
 * Invariants:
 * - Flowing down only narrows: a Holder's are never wider than its Desk's.
 * - Every capability that is off says why in `off`, naming where it was switched off (the venue
 *   file, the holder template, the market kind), so a refusal can give that reason.
 */
import type { OrderType, TimeInForce } from "../../domain/order.js";
import type { FeatureSupport } from "../../venues/venue.js";

export const MARKET_KINDS = ["spot", "perpetual", "delivery"] as const;
export type MarketKind = (typeof MARKET_KINDS)[number];

/** The capabilities a reason may be given for in `off`. */
export type Switchable = "stopOrders" | "shorting" | "leverage";

export interface Capabilities {
  /** Whose they are: the Desk's, or the Holder's that narrowed them. */
  readonly of: string;
  /** The kinds of market the Desk trades (of its watched markets). */
  readonly marketKinds: readonly MarketKind[];
  /** Each watched market's kind. */
  readonly markets: Readonly<Record<string, MarketKind>>;
  /** Order types the venue takes. */
  readonly orderTypes: readonly OrderType[];
  readonly timeInForce: readonly TimeInForce[];
  /** The venue holds stop orders itself and triggers them (stop_market or stop_limit). */
  readonly stopOrders: boolean;
  /** Order types the Desk's order gateway routes: what a Trader may ask the Desk for. */
  readonly routes: readonly OrderType[];
  /** Selling what is not held: on perpetual and delivery markets, never on spot. */
  readonly shorting: boolean;
  /** Leverage allowed, 1 = none. */
  readonly maxLeverage: number;
  /** ccxt's `has` map of the venue. */
  readonly has: Readonly<Record<string, FeatureSupport>>;
  /** Why a capability is off (or capped), by name. */
  readonly off: Readonly<Partial<Record<Switchable, string>>>;
}

/** What a strategy (and so a proposal) needs beyond a long spot position. */
export interface Needs {
  readonly short?: boolean;
  /** Leverage it trades at; absent or 1 = none. */
  readonly leverage?: number;
}

/** What a Holder's template allows its Traders (holder template `may:`). */
export interface HolderMay {
  readonly short: boolean;
  readonly leverage: number;
}

/** A Holder template that says nothing allows neither: spot, long, unlevered, as before. */
export const DEFAULT_MAY: HolderMay = Object.freeze({ short: false, leverage: 1 });
