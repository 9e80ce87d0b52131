/**
 * CcxtVenue over the real ccxt `bitget`, against a loopback stub answering as Bitget's v2 spot
 * REST documentation describes (stubs/bitget.ts): spot markets from public/symbols, a limit order
 * with a client id through trade/place-order, and a documented refusal. Expected values are worked
 * out by hand from the documented fields, never read back from crypy.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InsufficientFundsError } from "../../../src/domain/errors.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import {
  BITGET_INSUFFICIENT_BALANCE,
  BITGET_ORDER_ID,
  bitgetPlaceAnswer,
  startBitgetStub,
} from "./stubs/bitget.js";
import { headerValue, type StubServer } from "./stubs/stub-server.js";

// Made up for this test: not secrets.
const KEY = "bg_made_up_api_key_5f0c2a";
const SECRET = "bitget-made-up-secret-never-a-real-one";
const PASSPHRASE = "made-up-passphrase";
const PLACE = "POST /api/v2/spot/trade/place-order";
const API_NAMES = "spot mix user p2p broker margin common tax convert copy earn uta".split(" ");

let stub: StubServer;
let venue: CcxtVenue;

beforeAll(async () => {
  stub = await startBitgetStub();
  // Every base URL ccxt's bitget has (urls.api: spot, margin, uta, …), at the stub.
  const api = Object.fromEntries(API_NAMES.map((name) => [name, stub.url]));
  venue = await CcxtVenue.open({
    exchange: "bitget",
    mode: "live",
    credentials: {
      env: true,
      variables: {
        CRYPY_BITGET_API_KEY: KEY,
        CRYPY_BITGET_SECRET: SECRET,
        CRYPY_BITGET_PASSWORD: PASSPHRASE,
      },
    },
    urls: { api },
    // As templates/desk/bitget.yaml: spot only.
    options: { fetchMarkets: { types: ["spot"] } },
  });
});
afterAll(async () => {
  await venue?.close();
  await stub?.close();
});

describe("bitget stub - CcxtVenue against Bitget's documented v2 spot REST", () => {
  it("bitget stub - markets: tick 10^-pricePrecision, lot 10^-quantityPrecision, min/maxTradeAmount, minTradeUSDT for USDT quotes", async () => {
    const markets = await venue.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(["BTC/USDT", "ETH/BTC", "ETH/USDT"]);
    expect(markets["BTC/USDT"]).toEqual({
      id: "BTCUSDT",
      symbol: "BTC/USDT",
      base: "BTC",
      quote: "USDT",
      type: "spot",
      spot: true,
      active: true,
      precision: { price: "0.01", amount: "0.000001" },
      limits: { amount: { min: "0.00001", max: "10000" }, cost: { min: "1" } },
      maker: "0.001",
      taker: "0.001",
    });
    expect(markets["ETH/USDT"]).toMatchObject({
      active: true,
      precision: { price: "0.01", amount: "0.0001" },
      limits: { amount: { min: "0.0001", max: "50000" }, cost: { min: "1" } },
    });
    // status "halt"; minTradeUSDT is in USDT, so a BTC-quoted pair states no minimum cost.
    expect(markets["ETH/BTC"]).toMatchObject({
      active: false,
      precision: { price: "0.000001", amount: "0.0001" },
      limits: { amount: { min: "0.001", max: "2000" }, cost: { min: "0" } },
    });
  });

  it("bitget stub - a limit order goes out signed, with the client id as clientOid, and comes back exact", async () => {
    const callerId = "bitget-main-BTC-USDT-17";
    const order = await venue.createOrder("BTC/USDT", "limit", "sell", "0.0125", "71250.08", {
      clientOrderId: callerId,
    });

    const [req] = stub.received(PLACE);
    expect(req).toBeDefined();
    const body = JSON.parse(req!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      symbol: "BTCUSDT",
      side: "sell",
      orderType: "limit",
      size: "0.0125",
      price: "71250.08",
      clientOid: callerId,
    });

    // Bitget's documented HMAC signing: ACCESS-SIGN = base64 HMAC-SHA256(secret,
    // timestamp + METHOD + request path + body), with the key and passphrase in their headers.
    const timestamp = headerValue(req!, "ACCESS-TIMESTAMP");
    expect(timestamp).toMatch(/^\d{13}$/);
    expect(headerValue(req!, "ACCESS-KEY")).toBe(KEY);
    expect(headerValue(req!, "ACCESS-PASSPHRASE")).toBe(PASSPHRASE);
    const expected = createHmac("sha256", SECRET)
      .update(`${timestamp}POST/api/v2/spot/trade/place-order${req!.body}`)
      .digest("base64");
    expect(headerValue(req!, "ACCESS-SIGN")).toBe(expected);

    expect(order).toMatchObject({
      id: BITGET_ORDER_ID,
      clientOrderId: callerId,
      symbol: "BTC/USDT",
      type: "limit",
      side: "sell",
      amount: "0.0125",
      price: "71250.08",
      filled: "0",
      remaining: "0.0125",
    });
  });

  it("bitget stub - code 43012 (insufficient balance) is InsufficientFundsError, with no key, secret or passphrase in it", async () => {
    stub.answer(PLACE, BITGET_INSUFFICIENT_BALANCE);
    try {
      const err = await venue
        .createOrder("ETH/USDT", "limit", "buy", "4.2", "3120.45", { clientOrderId: "g-2" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(InsufficientFundsError);
      const message = (err as Error).message;
      expect(message).toContain("43012");
      const sent = stub.received(PLACE).at(-1)!;
      for (const secret of [KEY, SECRET, PASSPHRASE, headerValue(sent, "ACCESS-SIGN")!]) {
        expect(message).not.toContain(secret);
      }
    } finally {
      stub.answer(PLACE, (req) => bitgetPlaceAnswer(req.body));
    }
  });
});
