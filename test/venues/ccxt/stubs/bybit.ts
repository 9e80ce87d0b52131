/**
 * Bybit v5 REST, as its API documentation describes it (bybit-exchange.github.io/docs/v5), for
 * what ccxt's `bybit` calls on loadMarkets and createOrder with keys set:
 *   GET  /v5/asset/coin/query-info        fetchCurrencies (private; loadMarkets calls it with keys)
 *   GET  /v5/market/instruments-info      fetchMarkets, category=spot (the desk template's types)
 *   GET  /v5/user/query-api               isUnifiedEnabled, before the first order: `uta`
 *   GET  /v5/account/info                 isUnifiedEnabled: unifiedMarginStatus
 *   POST /v5/order/create                 createOrder; JSON body with orderLinkId; signed with
 *                                         X-BAPI-API-KEY, -TIMESTAMP, -RECV-WINDOW, -SIGN
 * Every answer is `{ retCode, retMsg, result, retExtInfo, time }`; a refusal is HTTP 200 with a
 * non-zero retCode. Order create acknowledges with the two ids only.
 */
import { type Reply, type StubServer, startStub } from "./stub-server.js";

const TIME = 1_718_000_000_000;
const ok = (result: unknown): Reply => ({
  body: { retCode: 0, retMsg: "OK", result, retExtInfo: {}, time: TIME },
});

const chain = (name: string, withdrawFee: string, minAccuracy: string) => ({
  chainType: name,
  confirmation: "6",
  withdrawFee,
  depositMin: "0",
  withdrawMin: withdrawFee,
  chain: name,
  chainDeposit: "1",
  chainWithdraw: "1",
  minAccuracy,
  withdrawPercentageFee: "0",
});

export const BYBIT_COINS = ok({
  rows: [
    { name: "BTC", coin: "BTC", remainAmount: "150", chains: [chain("BTC", "0.0002", "8")] },
    { name: "ETH", coin: "ETH", remainAmount: "1200", chains: [chain("ETH", "0.0012", "8")] },
    { name: "USDT", coin: "USDT", remainAmount: "5000000", chains: [chain("ETH", "3", "6")] },
  ],
});

/** BTCUSDT: tick 0.01, base step 0.000001; ETHUSDT: 0.01 and 0.00001; ETHBTC: 0.00001 and 0.0001. */
export const BYBIT_SPOT_INSTRUMENTS = ok({
  category: "spot",
  list: [
    {
      symbol: "BTCUSDT",
      baseCoin: "BTC",
      quoteCoin: "USDT",
      innovation: "0",
      status: "Trading",
      marginTrading: "utaOnly",
      stTag: "0",
      lotSizeFilter: {
        basePrecision: "0.000001",
        quotePrecision: "0.00000001",
        minOrderQty: "0.000048",
        maxOrderQty: "71.73956243",
        minOrderAmt: "1",
        maxOrderAmt: "2000000",
      },
      priceFilter: { tickSize: "0.01" },
      riskParameters: { priceLimitRatioX: "0.01", priceLimitRatioY: "0.02" },
    },
    {
      symbol: "ETHUSDT",
      baseCoin: "ETH",
      quoteCoin: "USDT",
      innovation: "0",
      status: "Trading",
      marginTrading: "utaOnly",
      stTag: "0",
      lotSizeFilter: {
        basePrecision: "0.00001",
        quotePrecision: "0.0000001",
        minOrderQty: "0.00062",
        maxOrderQty: "1229.2336343",
        minOrderAmt: "1",
        maxOrderAmt: "2000000",
      },
      priceFilter: { tickSize: "0.01" },
      riskParameters: { priceLimitRatioX: "0.01", priceLimitRatioY: "0.02" },
    },
    {
      symbol: "ETHBTC",
      baseCoin: "ETH",
      quoteCoin: "BTC",
      innovation: "0",
      status: "PreLaunch",
      marginTrading: "none",
      stTag: "0",
      lotSizeFilter: {
        basePrecision: "0.0001",
        quotePrecision: "0.0000001",
        minOrderQty: "0.0001",
        maxOrderQty: "500",
        minOrderAmt: "0.00001",
        maxOrderAmt: "100",
      },
      priceFilter: { tickSize: "0.00001" },
      riskParameters: { priceLimitRatioX: "0.05", priceLimitRatioY: "0.05" },
    },
  ],
  nextPageCursor: "",
});

const emptyCategory = (req: { query: URLSearchParams }) =>
  req.query.get("category") === "spot"
    ? BYBIT_SPOT_INSTRUMENTS
    : ok({ category: req.query.get("category"), list: [], nextPageCursor: "" });

/** A unified trading account's API key (uta: 1). */
export const BYBIT_QUERY_API = ok({
  id: "13770661",
  note: "crypy stub",
  apiKey: "[masked]",
  readOnly: 0,
  secret: "",
  permissions: { Spot: ["SpotTrade"], Wallet: ["AccountTransfer"] },
  ips: ["*"],
  type: 1,
  deadlineDay: 83,
  expiredAt: "2025-05-15T03:21:05Z",
  createdAt: "2024-10-16T02:24:40Z",
  unified: 0,
  uta: 1,
  userID: 24600000,
  inviterID: 0,
  vipLevel: "No VIP",
  mktMakerLevel: "0",
  affiliateID: 0,
  rsaPublicKey: "",
  isMaster: true,
});

export const BYBIT_ACCOUNT_INFO = ok({
  marginMode: "REGULAR_MARGIN",
  updatedTime: "1697078946000",
  unifiedMarginStatus: 5,
  dcpStatus: "OFF",
  timeWindow: 10,
  smpGroup: 0,
  isMasterTrader: false,
  spotHedgingStatus: "OFF",
});

export const BYBIT_ORDER_ID = "1321003749386327552";

export function bybitCreateAnswer(body: string): Reply {
  const request = JSON.parse(body) as { orderLinkId?: string };
  return ok({ orderId: BYBIT_ORDER_ID, orderLinkId: request.orderLinkId ?? "" });
}

/** A refusal as Bybit writes it: HTTP 200, retCode 170131 (spot: insufficient balance). */
export const BYBIT_INSUFFICIENT_BALANCE: Reply = {
  body: {
    retCode: 170131,
    retMsg: "Insufficient balance.",
    result: {},
    retExtInfo: {},
    time: TIME,
  },
};

export function startBybitStub(): Promise<StubServer> {
  return startStub({
    "GET /v5/asset/coin/query-info": BYBIT_COINS,
    "GET /v5/market/instruments-info": emptyCategory,
    "GET /v5/user/query-api": BYBIT_QUERY_API,
    "GET /v5/account/info": BYBIT_ACCOUNT_INFO,
    "POST /v5/order/create": (req) => bybitCreateAnswer(req.body),
  });
}
