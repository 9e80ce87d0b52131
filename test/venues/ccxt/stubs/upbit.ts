/**
 * Upbit REST (Korea), as its API documentation describes it (docs.upbit.com), for what ccxt's
 * `upbit` calls on loadMarkets and createOrder:
 *   GET  /v1/market/all   fetchMarkets: market ids ("KRW-BTC": quote first) and names only, no
 *                         tick or lot sizes (Upbit publishes its KRW tick table as prose)
 *   POST /v1/orders       createOrder; JSON body with market, side (bid/ask), ord_type, price,
 *                         volume, identifier; authenticated by a JWT (HS256) in Authorization
 *                         carrying access_key, nonce and the SHA512 query_hash of the parameters
 * A refusal is a 4xx with `{ error: { name, message } }`.
 */
import { type Reply, type StubServer, startStub } from "./stub-server.js";

export const UPBIT_MARKETS: Reply = {
  body: [
    { market: "KRW-BTC", korean_name: "비트코인", english_name: "Bitcoin" },
    { market: "KRW-ETH", korean_name: "이더리움", english_name: "Ethereum" },
    { market: "BTC-ETH", korean_name: "이더리움", english_name: "Ethereum" },
  ],
};

export const UPBIT_ORDER_UUID = "cdd92199-2897-4e14-9448-f923320408ad";

/** A new limit order as Upbit answers it: waiting, nothing executed, the fee reserved. */
export function upbitOrderAnswer(body: string): Reply {
  const request = JSON.parse(body) as Record<string, string>;
  return {
    status: 201,
    body: {
      uuid: UPBIT_ORDER_UUID,
      side: request.side,
      ord_type: request.ord_type,
      price: request.price,
      state: "wait",
      market: request.market,
      created_at: "2024-06-10T15:42:11+09:00",
      volume: request.volume,
      remaining_volume: request.volume,
      reserved_fee: "71.25",
      remaining_fee: "71.25",
      paid_fee: "0",
      locked: "142571.25",
      executed_volume: "0",
      trades_count: 0,
    },
  };
}

/** A refusal as Upbit writes it: a bid larger than the KRW available. */
export const UPBIT_INSUFFICIENT_FUNDS_BID: Reply = {
  status: 400,
  body: {
    error: { name: "insufficient_funds_bid", message: "주문가능한 금액(KRW)이 부족합니다." },
  },
};

export function startUpbitStub(): Promise<StubServer> {
  return startStub({
    "GET /v1/market/all": UPBIT_MARKETS,
    "POST /v1/orders": (req) => upbitOrderAnswer(req.body),
  });
}
