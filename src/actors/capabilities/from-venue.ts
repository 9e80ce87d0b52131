/**
 * The Desk's capabilities, from its venue: the markets it loaded (their kind), the venue's `has`
 * map, and the venue's rules (order types, times in force, and the venue file's `capabilities`
 * switches). A simulated venue's rules come from its venue file; a real exchange's from ccxt's
 * markets (venue-rules.ts), which switch nothing off.
 */
import type { OrderType, TimeInForce } from "../../domain/order.js";
import type { Market, Venue } from "../../venues/venue.js";
import type { Capabilities, MarketKind, Switchable } from "./types.js";

/** The order types the Desk's order gateway routes today (desk/gateway/requests.ts). */
export const ROUTED_ORDER_TYPES: readonly OrderType[] = Object.freeze([
  "market",
  "limit",
  "stop_market",
]);

const STOP_TYPES: readonly OrderType[] = ["stop_market", "stop_limit"];

/** The venue file's switches (src/sim/config `capabilities:`); absent = nothing switched off. */
export interface CapabilitySwitches {
  readonly stopOrders?: boolean;
  readonly shorting?: boolean;
  readonly maxLeverage?: number;
}

export interface VenueRules {
  readonly orderTypes?: readonly OrderType[];
  readonly timeInForce?: readonly TimeInForce[];
  readonly capabilities?: CapabilitySwitches;
}

/** ccxt's market `type` as a crypy market kind (an unknown type counts as spot: nothing more). */
export function kindOf(market: Pick<Market, "type">): MarketKind {
  const type: string = market.type;
  if (type === "swap" || type === "perpetual") return "perpetual";
  if (type === "future" || type === "delivery") return "delivery";
  return "spot";
}

/**
 * @example
 * const caps = deskCapabilities("sim-main", venue, await venue.loadMarkets(), ["BTC/USDT"], config);
 * caps.shorting; // false: spot only
 */
export function deskCapabilities(
  desk: string,
  venue: Pick<Venue, "id" | "has">,
  markets: Readonly<
    Record<string, Pick<Market, "type"> & { limits?: { leverage?: { max: number } } }>
  >,
  watch: readonly string[],
  rules: VenueRules = {},
): Capabilities {
  const kinds: Record<string, MarketKind> = {};
  for (const symbol of watch) {
    const market = Object.hasOwn(markets, symbol) ? markets[symbol] : undefined;
    if (market !== undefined) kinds[symbol] = kindOf(market);
  }
  const marketKinds = [...new Set(Object.values(kinds))];
  const switches = rules.capabilities ?? {};
  // A venue that says nothing of its order types takes what every venue takes.
  const orderTypes = rules.orderTypes ?? ["market", "limit"];
  const off: Partial<Record<Switchable, string>> = {};

  const hasStops = orderTypes.some((t) => STOP_TYPES.includes(t));
  if (switches.stopOrders === false)
    off.stopOrders = "the venue file switches stop orders off (capabilities.stopOrders: false)";
  else if (!hasStops)
    off.stopOrders = `${venue.id} takes no stop orders (orderTypes: ${orderTypes.join(", ")})`;

  const derivatives = marketKinds.some((k) => k !== "spot");
  if (switches.shorting === false)
    off.shorting =
      "shorting is switched off at the venue (venue file capabilities.shorting: false)";
  else if (!derivatives) off.shorting = "the venue has no shorting on spot";

  // The venue's own limit: the lowest of its watched contracts' (a market that states none: 1).
  const venueMax = Math.min(
    ...watch
      .filter((symbol) => kinds[symbol] !== undefined && kinds[symbol] !== "spot")
      .map((symbol) => markets[symbol]?.limits?.leverage?.max ?? 1),
  );
  let maxLeverage = derivatives ? Math.min(venueMax, switches.maxLeverage ?? venueMax) : 1;
  if (!derivatives) off.leverage = "spot markets trade without leverage";
  else if (switches.maxLeverage !== undefined && switches.maxLeverage < venueMax)
    off.leverage = `the venue file caps leverage at ${switches.maxLeverage} (capabilities.maxLeverage)`;
  maxLeverage = Math.max(1, maxLeverage);

  return Object.freeze({
    of: desk,
    marketKinds,
    markets: kinds,
    orderTypes: [...orderTypes],
    timeInForce: [...(rules.timeInForce ?? ["GTC", "IOC"])],
    stopOrders: off.stopOrders === undefined,
    routes: ROUTED_ORDER_TYPES,
    shorting: off.shorting === undefined,
    maxLeverage,
    has: { ...venue.has },
    off,
  });
}
