/**
 * CcxtVenue over the real ccxt `bybit`, against a loopback stub answering as Bybit's v5 REST
 * documentation describes (stubs/bybit.ts): spot markets from instruments-info, a limit order
 * with a client id through order/create, and a documented refusal. Expected values are worked out
 * by hand from the documented fields, never read back from crypy.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InsufficientFundsError } from "../../../src/domain/errors.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import {
  BYBIT_INSUFFICIENT_BALANCE,
  BYBIT_ORDER_ID,
  bybitCreateAnswer,
  startBybitStub,
} from "./stubs/bybit.js";
import { headerValue, type StubServer } from "./stubs/stub-server.js";

// Made up for this test: not secrets.
const KEY = "bybit-made-up-api-key-XQ7Z";
const SECRET = "bybit-made-up-secret-never-a-real-one";
const CREATE = "POST /v5/order/create";

let stub: StubServer;
let venue: CcxtVenue;

beforeAll(async () => {
  stub = await startBybitStub();
  venue = await CcxtVenue.open({
    exchange: "bybit",
    mode: "live",
    credentials: {
      env: true,
      variables: { CRYPY_BYBIT_API_KEY: KEY, CRYPY_BYBIT_SECRET: SECRET },
    },
    urls: {
      api: { spot: stub.url, futures: stub.url, v2: stub.url, public: stub.url, private: stub.url },
    },
    // As templates/desk/bybit.yaml: spot only.
    options: { fetchMarkets: { types: ["spot"] } },
  });
});
afterAll(async () => {
  await venue?.close();
  await stub?.close();
});

describe("bybit stub - CcxtVenue against Bybit's documented v5 REST", () => {
  it("bybit stub - markets: tick is priceFilter.tickSize, lot lotSizeFilter.basePrecision, limits minOrderQty/maxOrderQty/minOrderAmt", async () => {
    const markets = await venue.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(["BTC/USDT", "ETH/BTC", "ETH/USDT"]);
    expect(markets["BTC/USDT"]).toMatchObject({
      id: "BTCUSDT",
      base: "BTC",
      quote: "USDT",
      active: true,
      precision: { price: "0.01", amount: "0.000001" },
      limits: { amount: { min: "0.000048", max: "71.73956243" }, cost: { min: "1" } },
    });
    expect(markets["ETH/USDT"]).toMatchObject({
      active: true,
      precision: { price: "0.01", amount: "0.00001" },
      limits: { amount: { min: "0.00062", max: "1229.2336343" }, cost: { min: "1" } },
    });
    // status "PreLaunch": listed, not trading yet.
    expect(markets["ETH/BTC"]).toMatchObject({
      active: false,
      precision: { price: "0.00001", amount: "0.0001" },
      limits: { amount: { min: "0.0001", max: "500" }, cost: { min: "0.00001" } },
    });
    const [instruments] = stub.received("GET /v5/market/instruments-info");
    expect(instruments?.query.get("category")).toBe("spot");
  });

  it("bybit stub - a limit order goes out signed, with the client id as orderLinkId, and comes back exact", async () => {
    const callerId = "bybit-main-BTC-USDT-17";
    const order = await venue.createOrder("BTC/USDT", "limit", "buy", "0.0015", "67012.35", {
      clientOrderId: callerId,
    });

    const [req] = stub.received(CREATE);
    expect(req).toBeDefined();
    const body = JSON.parse(req!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      category: "spot",
      symbol: "BTCUSDT",
      side: "Buy",
      orderType: "Limit",
      qty: "0.0015",
      price: "67012.35",
      orderLinkId: callerId,
    });

    // Bybit's documented HMAC signing: X-BAPI-SIGN = hex HMAC-SHA256(secret,
    // timestamp + api key + recv window + JSON body).
    const timestamp = headerValue(req!, "X-BAPI-TIMESTAMP");
    const recvWindow = headerValue(req!, "X-BAPI-RECV-WINDOW");
    expect(headerValue(req!, "X-BAPI-API-KEY")).toBe(KEY);
    expect(timestamp).toMatch(/^\d{13}$/);
    expect(recvWindow).toMatch(/^\d+$/);
    const expected = createHmac("sha256", SECRET)
      .update(`${timestamp}${KEY}${recvWindow}${req!.body}`)
      .digest("hex");
    expect(headerValue(req!, "X-BAPI-SIGN")).toBe(expected);

    expect(order).toMatchObject({
      id: BYBIT_ORDER_ID,
      clientOrderId: callerId,
      symbol: "BTC/USDT",
      type: "limit",
      side: "buy",
      amount: "0.0015",
      price: "67012.35",
      filled: "0",
      remaining: "0.0015",
    });
  });

  it("bybit stub - retCode 170131 (insufficient balance) is InsufficientFundsError, with no key or secret in it", async () => {
    stub.answer(CREATE, BYBIT_INSUFFICIENT_BALANCE);
    try {
      const err = await venue
        .createOrder("ETH/USDT", "limit", "buy", "3.5", "3120.45", { clientOrderId: "b-2" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(InsufficientFundsError);
      const message = (err as Error).message;
      expect(message).toContain("Insufficient balance");
      const sent = stub.received(CREATE).at(-1)!;
      for (const secret of [KEY, SECRET, headerValue(sent, "X-BAPI-SIGN")!]) {
        expect(message).not.toContain(secret);
      }
    } finally {
      stub.answer(CREATE, (req) => bybitCreateAnswer(req.body));
    }
  });
});
