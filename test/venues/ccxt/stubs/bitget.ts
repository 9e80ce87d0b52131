/**
 * Bitget v2 spot REST, as its API documentation describes it (bitget.com/api-doc/spot), for what
 * ccxt's `bitget` calls on loadMarkets and createOrder with keys set:
 *   GET  /api/v2/spot/public/coins        fetchCurrencies (loadMarkets calls it first)
 *   GET  /api/v2/spot/public/symbols      fetchMarkets, spot (the desk template's types)
 *   GET  /api/v2/margin/currencies        fetchMarkets, spot: which pairs have margin
 *   GET  /api/v3/account/settings         ccxt's probe for a unified trading account (UTA)
 *   POST /api/v2/spot/trade/place-order   createOrder; JSON body with clientOid; signed with
 *                                         ACCESS-KEY, ACCESS-SIGN, ACCESS-TIMESTAMP, ACCESS-PASSPHRASE
 * Every answer is `{ code, msg, requestTime, data }`, code "00000" on success; a refusal carries
 * its code (HTTP 400). Place-order acknowledges with the two ids only.
 */
import { type Reply, type StubServer, startStub } from "./stub-server.js";

const TIME = 1_718_000_000_000;
const ok = (data: unknown): Reply => ({
  body: { code: "00000", msg: "success", requestTime: TIME, data },
});
const refusal = (code: string, msg: string): Reply => ({
  status: 400,
  body: { code, msg, requestTime: TIME, data: null },
});

const coin = (id: string, name: string, chain: string, fee: string, scale: string) => ({
  coinId: id,
  coin: name,
  transfer: "true",
  chains: [
    {
      chain,
      needTag: "false",
      withdrawable: "true",
      rechargeable: "true",
      withdrawFee: fee,
      extraWithdrawFee: "0",
      depositConfirm: "1",
      withdrawConfirm: "1",
      minDepositAmount: "0.00001",
      minWithdrawAmount: "0.001",
      browserUrl: "",
      contractAddress: null,
      withdrawStep: "0",
      withdrawMinScale: scale,
      congestion: "normal",
    },
  ],
});

export const BITGET_COINS = ok([
  coin("1", "BTC", "BTC", "0.0001", "8"),
  coin("2", "USDT", "ERC20", "3", "6"),
  coin("3", "ETH", "ERC20", "0.0015", "8"),
]);

const symbol = (
  id: string,
  base: string,
  quote: string,
  pricePrecision: string,
  quantityPrecision: string,
  minTradeAmount: string,
  maxTradeAmount: string,
  status: string,
) => ({
  symbol: id,
  baseCoin: base,
  quoteCoin: quote,
  minTradeAmount,
  maxTradeAmount,
  takerFeeRate: "0.001",
  makerFeeRate: "0.001",
  pricePrecision,
  quantityPrecision,
  quotePrecision: "8",
  status,
  minTradeUSDT: "1",
  buyLimitPriceRatio: "0.05",
  sellLimitPriceRatio: "0.05",
  areaSymbol: "no",
  orderQuantity: "200",
  openTime: "1532454360000",
  offTime: "",
});

/** BTCUSDT: 2 price and 6 quantity decimals; ETHUSDT: 2 and 4; ETHBTC: 6 and 4, halted. */
export const BITGET_SYMBOLS = ok([
  symbol("BTCUSDT", "BTC", "USDT", "2", "6", "0.00001", "10000", "online"),
  symbol("ETHUSDT", "ETH", "USDT", "2", "4", "0.0001", "50000", "online"),
  symbol("ETHBTC", "ETH", "BTC", "6", "4", "0.001", "2000", "halt"),
]);

export const BITGET_MARGIN_CURRENCIES = ok([
  {
    symbol: "BTCUSDT",
    baseCoin: "BTC",
    quoteCoin: "USDT",
    maxCrossedLeverage: "3",
    maxIsolatedLeverage: "10",
    warningRiskRatio: "0.8",
    liquidationRiskRatio: "1",
    minTradeAmount: "0.00001",
    maxTradeAmount: "10000",
    takerFeeRate: "0.001",
    makerFeeRate: "0.001",
    pricePrecision: "2",
    quantityPrecision: "6",
    minTradeUSDT: "5",
    isBorrowable: true,
    userMinBorrow: "0.00001",
    status: "1",
    isIsolatedBaseBorrowable: true,
    isIsolatedQuoteBorrowable: true,
    isCrossBorrowable: true,
  },
]);

/**
 * A classic (not unified) account: the v3 UTA endpoint refuses it. Which code Bitget writes here
 * is not in the documentation this stub was written from; ccxt treats any refusal as "classic".
 */
export const BITGET_NOT_UTA = refusal("40084", "The account is not a unified trading account");

export const BITGET_ORDER_ID = "1203838404812779520";

export function bitgetPlaceAnswer(body: string): Reply {
  const request = JSON.parse(body) as { clientOid?: string };
  return ok({ orderId: BITGET_ORDER_ID, clientOid: request.clientOid ?? "" });
}

/** A refusal as Bitget writes it: code 43012, insufficient balance. */
export const BITGET_INSUFFICIENT_BALANCE = refusal("43012", "Insufficient balance");

export function startBitgetStub(): Promise<StubServer> {
  return startStub({
    "GET /api/v2/spot/public/coins": BITGET_COINS,
    "GET /api/v2/spot/public/symbols": BITGET_SYMBOLS,
    "GET /api/v2/margin/currencies": BITGET_MARGIN_CURRENCIES,
    "GET /api/v3/account/settings": BITGET_NOT_UTA,
    "POST /api/v2/spot/trade/place-order": (req) => bitgetPlaceAnswer(req.body),
  });
}
