/**
 * CcxtVenue over the real ccxt `kraken`, against a loopback stub answering as Kraken's REST
 * documentation describes (stubs/kraken.ts): markets from AssetPairs, a limit order with a client
 * id through AddOrder, and a documented refusal. Expected values are worked out by hand from the
 * documented fields, never read back from crypy.
 */
import { createHash, createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InsufficientFundsError } from "../../../src/domain/errors.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import { venueClientOrderId } from "../../../src/venues/ccxt/client-order-id.js";
import {
  KRAKEN_INSUFFICIENT_FUNDS,
  KRAKEN_TXID,
  krakenAddOrderAnswer,
  startKrakenStub,
} from "./stubs/kraken.js";
import { headerValue, type StubServer } from "./stubs/stub-server.js";

// Made up for this test: not secrets. Kraken's secret is base64 (its HMAC key is the decoding).
const KEY = "kraken-made-up-api-key-0123456789abcdef";
const SECRET = Buffer.from("kraken made-up secret, never a real one").toString("base64");
const ADD_ORDER = "POST /0/private/AddOrder";

let stub: StubServer;
let venue: CcxtVenue;

beforeAll(async () => {
  stub = await startKrakenStub();
  venue = await CcxtVenue.open({
    exchange: "kraken",
    mode: "live",
    credentials: {
      env: true,
      variables: { CRYPY_KRAKEN_API_KEY: KEY, CRYPY_KRAKEN_SECRET: SECRET },
    },
    urls: { api: { public: stub.url, private: stub.url } },
  });
});
afterAll(async () => {
  await venue?.close();
  await stub?.close();
});

describe("kraken stub - CcxtVenue against Kraken's documented REST", () => {
  it("kraken stub - markets: tick is 10^-pair_decimals, lot 10^-lot_decimals, ordermin and costmin the limits", async () => {
    const markets = await venue.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(["BTC/USD", "ETH/BTC", "ETH/USD"]);
    expect(markets["BTC/USD"]).toEqual({
      id: "XXBTZUSD",
      symbol: "BTC/USD",
      base: "BTC",
      quote: "USD",
      type: "spot",
      spot: true,
      active: true,
      precision: { price: "0.1", amount: "0.00000001" },
      limits: { amount: { min: "0.00005", max: "0" }, cost: { min: "0.5" } },
      // The first tier of fees_maker / fees (percent): 0.25 % and 0.40 %.
      maker: "0.0025",
      taker: "0.004",
    });
    expect(markets["ETH/USD"]).toMatchObject({
      precision: { price: "0.01", amount: "0.00000001" },
      limits: { amount: { min: "0.002", max: "0" }, cost: { min: "0.5" } },
      active: true,
    });
    // status "cancel_only": listed, not tradable.
    expect(markets["ETH/BTC"]).toMatchObject({
      precision: { price: "0.00001", amount: "0.00000001" },
      limits: { amount: { min: "0.002", max: "0" }, cost: { min: "0.00002" } },
      active: false,
    });
    expect(stub.received("GET /0/public/Assets")).toHaveLength(1);
    expect(stub.received("GET /0/public/AssetPairs")).toHaveLength(1);
  });

  it("kraken stub - a limit order goes out signed, with the client id as cl_ord_id in its UUID form, and comes back exact", async () => {
    const callerId = "kraken-main-BTC-USD-17"; // 22 characters: over Kraken's 18 of free text
    const order = await venue.createOrder("BTC/USD", "limit", "buy", "0.0012", "64250.5", {
      clientOrderId: callerId,
    });

    const [req] = stub.received(ADD_ORDER);
    expect(req).toBeDefined();
    const form = new URLSearchParams(req!.body);
    const sent = form.get("cl_ord_id");
    expect(sent).toBe(venueClientOrderId("kraken", callerId));
    expect(sent).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Object.fromEntries(form)).toMatchObject({
      pair: "XXBTZUSD",
      type: "buy",
      ordertype: "limit",
      volume: "0.0012",
      price: "64250.5",
    });

    // Kraken's documented signing: API-Sign = base64(HMAC-SHA512(base64-decoded secret,
    // URI path + SHA256(nonce + POST data))), the key in API-Key.
    expect(headerValue(req!, "API-Key")).toBe(KEY);
    const nonce = form.get("nonce");
    expect(nonce).toMatch(/^\d+$/);
    const digest = createHash("sha256")
      .update(nonce + req!.body)
      .digest();
    const expected = createHmac("sha512", Buffer.from(SECRET, "base64"))
      .update(Buffer.concat([Buffer.from("/0/private/AddOrder"), digest]))
      .digest("base64");
    expect(headerValue(req!, "API-Sign")).toBe(expected);

    expect(order).toMatchObject({
      id: KRAKEN_TXID,
      clientOrderId: callerId,
      symbol: "BTC/USD",
      type: "limit",
      side: "buy",
      amount: "0.0012",
      price: "64250.5",
      filled: "0",
      remaining: "0.0012",
    });
  });

  it("kraken stub - EOrder:Insufficient funds is InsufficientFundsError, with no key or secret in it", async () => {
    stub.answer(ADD_ORDER, KRAKEN_INSUFFICIENT_FUNDS);
    try {
      const err = await venue
        .createOrder("ETH/USD", "limit", "buy", "2.5", "3120.45", { clientOrderId: "k-2" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(InsufficientFundsError);
      const message = (err as Error).message;
      expect(message).toContain("EOrder:Insufficient funds");
      for (const secret of [KEY, SECRET]) expect(message).not.toContain(secret);
      const sent = stub.received(ADD_ORDER).at(-1)!;
      expect(message).not.toContain(headerValue(sent, "API-Sign"));
    } finally {
      stub.answer(ADD_ORDER, (req) => krakenAddOrderAnswer(new URLSearchParams(req.body)));
    }
  });
});
