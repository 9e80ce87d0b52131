/**
 * The Binance USDⓈ-M Futures endpoints the venue server answers, under /fapi, with USDⓈ-M's
 * request weights (its documentation's, which ccxt's `binanceusdm` also counts): the public
 * market data of the venue's contracts (binance-usdm.ts), and the SIGNED orders (binance-usdm-
 * orders.ts) and account, position and margin endpoints (binance-usdm-account.ts).
 *
 * The listen keys of USDⓈ-M's user data stream (/fapi/v1/listenKey) are routed in server.ts,
 * beside spot's, and the stream itself is ws/venue-streams.ts's /private/ws.
 *
 * Not served: USDⓈ-M's market streams (mark price, klines… over WebSocket), conditional (algo)
 * orders, order amendment, batch orders, hedge mode (positionSide/dual), position margin changes,
 * income history.
 */
import type { VenueConfig } from "../sim/config/types.js";
import type { Simulator } from "../sim/simulator.js";
import type { Query } from "./binance-spot.js";
import type { BinanceUsdm } from "./binance-usdm.js";
import { BinanceUsdmAccount } from "./binance-usdm-account.js";
import { BinanceUsdmOrders } from "./binance-usdm-orders.js";
import { bySymbol, fixed, fixedSigned, type Route, type SignedRoute } from "./route.js";

/** The path of the order endpoint, whose replies the wire faults may lose (wire-faults.ts). */
export const USDM_NEW_ORDER = "POST /fapi/v1/order";

export function usdmRoutes(usdm: BinanceUsdm): Array<[string, Route]> {
  return [
    ["/fapi/v1/ping", fixed(1, () => ({}))],
    ["/fapi/v1/time", fixed(1, () => usdm.time())],
    ["/fapi/v1/exchangeInfo", fixed(1, () => usdm.exchangeInfo())],
    ["/fapi/v1/ticker/24hr", { weight: bySymbol(1, 40), answer: (q) => usdm.ticker24hr(q) }],
    ["/fapi/v1/ticker/bookTicker", { weight: bySymbol(2, 5), answer: (q) => usdm.bookTicker(q) }],
    ["/fapi/v1/depth", { weight: depthWeight, answer: (q) => usdm.depth(q) }],
    ["/fapi/v1/klines", { weight: klineWeight, answer: (q) => usdm.klines(q) }],
    ["/fapi/v1/markPriceKlines", { weight: klineWeight, answer: (q) => usdm.markPriceKlines(q) }],
    ["/fapi/v1/trades", fixed(5, (q) => usdm.trades(q))],
    ["/fapi/v1/aggTrades", fixed(20, (q) => usdm.aggTrades(q))],
    ["/fapi/v1/premiumIndex", { weight: bySymbol(1, 10), answer: (q) => usdm.premiumIndex(q) }],
    ["/fapi/v1/fundingRate", fixed(1, (q) => usdm.fundingRate(q))],
  ];
}

export function usdmSignedRoutes(
  config: VenueConfig,
  sim: Simulator,
  usdm: BinanceUsdm,
): Array<[string, SignedRoute]> {
  const orders = new BinanceUsdmOrders(config, sim, usdm);
  const account = new BinanceUsdmAccount(config, sim, usdm);
  const routes: Array<[string, SignedRoute]> = [
    [USDM_NEW_ORDER, fixedSigned(1, (a, q) => orders.newOrder(a, q))],
    ["GET /fapi/v1/order", fixedSigned(1, (a, q) => orders.getOrder(a, q))],
    ["DELETE /fapi/v1/order", fixedSigned(1, (a, q) => orders.cancelOrder(a, q))],
    [
      "GET /fapi/v1/openOrders",
      { weight: bySymbol(1, 40), answer: (a, q) => orders.openOrders(a, q) },
    ],
    ["DELETE /fapi/v1/allOpenOrders", fixedSigned(1, (a, q) => orders.cancelAllOpenOrders(a, q))],
    ["GET /fapi/v1/userTrades", fixedSigned(5, (a, q) => orders.userTrades(a, q))],
    ["POST /fapi/v1/leverage", fixedSigned(1, (a, q) => account.setLeverage(a, q))],
    ["POST /fapi/v1/marginType", fixedSigned(1, (a, q) => account.setMarginType(a, q))],
    ["GET /fapi/v1/leverageBracket", fixedSigned(1, (_a, q) => account.leverageBracket(q))],
    ["GET /fapi/v1/symbolConfig", fixedSigned(5, (a, q) => account.symbolConfig(a, q))],
  ];
  for (const version of [2, 3] as const) {
    routes.push(
      [
        `GET /fapi/v${version}/positionRisk`,
        fixedSigned(5, (a, q) => account.positionRisk(a, q, version)),
      ],
      [`GET /fapi/v${version}/account`, fixedSigned(5, (a) => account.account(a, version))],
      [`GET /fapi/v${version}/balance`, fixedSigned(5, (a) => account.balance(a))],
    );
  }
  return routes;
}

/** USDⓈ-M's depth weight grows with the limit asked for (default 500). */
function depthWeight(q: Query): number {
  const limit = Number(q.get("limit") ?? 500);
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

/** USDⓈ-M's kline weight grows with the limit asked for (default 500). */
function klineWeight(q: Query): number {
  const limit = Number(q.get("limit") ?? 500);
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}
