/**
 * Kraken spot REST, as its API documentation describes it (docs.kraken.com/api-reference), for
 * what ccxt's `kraken` calls on loadMarkets and createOrder:
 *   GET  /0/public/Assets       fetchCurrencies (loadMarkets calls it first: has.fetchCurrencies)
 *   GET  /0/public/AssetPairs   fetchMarkets
 *   POST /0/private/AddOrder    createOrder; form-encoded body with nonce, pair, type, ordertype,
 *                               volume, price, cl_ord_id; signed with API-Key and API-Sign
 * Every answer is `{ error: [...], result }`; a refusal is HTTP 200 with a non-empty `error`.
 * X-prefixed crypto and Z-prefixed fiat ids (XXBT, ZUSD) are Kraken's own.
 */
import { type StubServer, startStub } from "./stub-server.js";

const ok = (result: unknown) => ({ body: { error: [], result } });

export const KRAKEN_ASSETS = ok({
  XXBT: {
    aclass: "currency",
    altname: "XBT",
    decimals: 10,
    display_decimals: 5,
    status: "enabled",
  },
  XETH: {
    aclass: "currency",
    altname: "ETH",
    decimals: 10,
    display_decimals: 5,
    status: "enabled",
  },
  ZUSD: { aclass: "currency", altname: "USD", decimals: 4, display_decimals: 2, status: "enabled" },
});

const feesTaker = [
  [0, 0.4],
  [10000, 0.35],
  [50000, 0.24],
];
const feesMaker = [
  [0, 0.25],
  [10000, 0.2],
  [50000, 0.14],
];

/** XBT/USD: 1 price decimal, 8 lot decimals; ETH/USD: 2 and 8; ETH/XBT: 5 and 8. */
export const KRAKEN_ASSET_PAIRS = ok({
  XXBTZUSD: {
    altname: "XBTUSD",
    wsname: "XBT/USD",
    aclass_base: "currency",
    base: "XXBT",
    aclass_quote: "currency",
    quote: "ZUSD",
    lot: "unit",
    cost_decimals: 5,
    pair_decimals: 1,
    lot_decimals: 8,
    lot_multiplier: 1,
    leverage_buy: [2, 3, 4, 5],
    leverage_sell: [2, 3, 4, 5],
    fees: feesTaker,
    fees_maker: feesMaker,
    fee_volume_currency: "ZUSD",
    margin_call: 80,
    margin_stop: 40,
    ordermin: "0.00005",
    costmin: "0.5",
    tick_size: "0.1",
    status: "online",
  },
  XETHZUSD: {
    altname: "ETHUSD",
    wsname: "ETH/USD",
    aclass_base: "currency",
    base: "XETH",
    aclass_quote: "currency",
    quote: "ZUSD",
    lot: "unit",
    cost_decimals: 5,
    pair_decimals: 2,
    lot_decimals: 8,
    lot_multiplier: 1,
    leverage_buy: [2, 3, 4, 5],
    leverage_sell: [2, 3, 4, 5],
    fees: feesTaker,
    fees_maker: feesMaker,
    fee_volume_currency: "ZUSD",
    margin_call: 80,
    margin_stop: 40,
    ordermin: "0.002",
    costmin: "0.5",
    tick_size: "0.01",
    status: "online",
  },
  XETHXXBT: {
    altname: "ETHXBT",
    wsname: "ETH/XBT",
    aclass_base: "currency",
    base: "XETH",
    aclass_quote: "currency",
    quote: "XXBT",
    lot: "unit",
    cost_decimals: 10,
    pair_decimals: 5,
    lot_decimals: 8,
    lot_multiplier: 1,
    leverage_buy: [],
    leverage_sell: [],
    fees: feesTaker,
    fees_maker: feesMaker,
    fee_volume_currency: "ZUSD",
    margin_call: 80,
    margin_stop: 40,
    ordermin: "0.002",
    costmin: "0.00002",
    tick_size: "0.00001",
    status: "cancel_only",
  },
});

export const KRAKEN_TXID = "OQCLML-BW3P3-BUCMWZ";

/** AddOrder's answer: the txid and a text description; Kraken echoes no client id here. */
export function krakenAddOrderAnswer(form: URLSearchParams) {
  const pair = form.get("pair") === "XXBTZUSD" ? "XBTUSD" : String(form.get("pair"));
  const order = `${form.get("type")} ${form.get("volume")} ${pair} @ ${form.get("ordertype")} ${form.get("price")}`;
  return ok({ descr: { order }, txid: [KRAKEN_TXID] });
}

/** A refusal as Kraken writes it: HTTP 200, the error code and message in `error`. */
export const KRAKEN_INSUFFICIENT_FUNDS = { body: { error: ["EOrder:Insufficient funds"] } };

export function startKrakenStub(): Promise<StubServer> {
  return startStub({
    "GET /0/public/Assets": KRAKEN_ASSETS,
    "GET /0/public/AssetPairs": KRAKEN_ASSET_PAIRS,
    "POST /0/private/AddOrder": (req) => krakenAddOrderAnswer(new URLSearchParams(req.body)),
  });
}
