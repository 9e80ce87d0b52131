/**
 * CcxtVenue over the real ccxt `upbit`, against a loopback stub answering as Upbit's REST
 * documentation describes (stubs/upbit.ts): markets from market/all, a limit order with a client
 * id through POST /v1/orders, and a documented refusal. Expected values are worked out by hand
 * from the documented fields, never read back from crypy.
 */
import { createHash, createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InsufficientFundsError } from "../../../src/domain/errors.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import { headerValue, type StubServer } from "./stubs/stub-server.js";
import {
  startUpbitStub,
  UPBIT_INSUFFICIENT_FUNDS_BID,
  UPBIT_ORDER_UUID,
  upbitOrderAnswer,
} from "./stubs/upbit.js";

// Made up for this test: not secrets.
const KEY = "upbit-made-up-access-key-3f9d1c";
const SECRET = "upbit-made-up-secret-key-never-a-real-one";
const ORDERS = "POST /v1/orders";

let stub: StubServer;
let venue: CcxtVenue;

beforeAll(async () => {
  stub = await startUpbitStub();
  venue = await CcxtVenue.open({
    exchange: "upbit",
    mode: "live",
    credentials: {
      env: true,
      variables: { CRYPY_UPBIT_API_KEY: KEY, CRYPY_UPBIT_SECRET: SECRET },
    },
    urls: { api: { public: stub.url, private: stub.url } },
  });
});
afterAll(async () => {
  await venue?.close();
  await stub?.close();
});

const base64url = (b: Buffer) => b.toString("base64url");

describe("upbit stub - CcxtVenue against Upbit's documented REST", () => {
  it("upbit stub - markets: QUOTE-BASE ids; market/all states no tick, lot or limit, so ccxt's fixed 1e-8 grid and no limits", async () => {
    const markets = await venue.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(["BTC/KRW", "ETH/BTC", "ETH/KRW"]);
    // Upbit's KRW tick table (1000 KRW at 2,000,000 and up, …) is not used by ccxt 4.5.84: its
    // upbit states 1e-8 for every market, so that is the grid CcxtVenue checks against.
    const none = { amount: { min: "0", max: "0" }, cost: { min: "0" } };
    expect(markets["BTC/KRW"]).toMatchObject({
      id: "KRW-BTC",
      base: "BTC",
      quote: "KRW",
      active: true,
      precision: { price: "0.00000001", amount: "0.00000001" },
      limits: none,
    });
    expect(markets["ETH/BTC"]).toMatchObject({
      id: "BTC-ETH",
      base: "ETH",
      quote: "BTC",
      precision: { price: "0.00000001", amount: "0.00000001" },
      limits: none,
    });
  });

  it("upbit stub - a limit order goes out under a JWT, with the client id as identifier, and comes back exact", async () => {
    const callerId = "upbit-main-BTC-KRW-17";
    const order = await venue.createOrder("BTC/KRW", "limit", "buy", "0.0015", "95000000", {
      clientOrderId: callerId,
    });

    const [req] = stub.received(ORDERS);
    expect(req).toBeDefined();
    const body = JSON.parse(req!.body) as Record<string, string>;
    expect(body).toMatchObject({
      market: "KRW-BTC",
      side: "bid",
      ord_type: "limit",
      price: "95000000",
      volume: "0.0015",
      identifier: callerId,
    });

    // Upbit's documented authentication: "Authorization: Bearer <JWT>", HS256 with the secret
    // key, its payload the access key, a fresh nonce, and SHA512 of the parameters' query string.
    const auth = headerValue(req!, "Authorization");
    expect(auth).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const [header, payload, signature] = auth!.slice("Bearer ".length).split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toMatchObject({
      alg: "HS256",
    });
    const expected = base64url(
      createHmac("sha256", SECRET).update(`${header}.${payload}`).digest(),
    );
    expect(signature).toBe(expected);
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<
      string,
      unknown
    >;
    const query = Object.entries(body)
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
    expect(claims).toMatchObject({
      access_key: KEY,
      query_hash: createHash("sha512").update(query).digest("hex"),
      query_hash_alg: "SHA512",
    });
    expect(claims.nonce).toMatch(/^[0-9a-f-]{36}$/);

    expect(order).toMatchObject({
      id: UPBIT_ORDER_UUID,
      clientOrderId: callerId,
      symbol: "BTC/KRW",
      type: "limit",
      side: "buy",
      amount: "0.0015",
      price: "95000000",
      filled: "0",
      remaining: "0.0015",
      status: "open",
    });
  });

  it("upbit stub - insufficient_funds_bid is InsufficientFundsError, with no key, secret or token in it", async () => {
    stub.answer(ORDERS, UPBIT_INSUFFICIENT_FUNDS_BID);
    try {
      const err = await venue
        .createOrder("ETH/KRW", "limit", "buy", "10", "5120000", { clientOrderId: "u-2" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(InsufficientFundsError);
      const message = (err as Error).message;
      expect(message).toContain("insufficient_funds_bid");
      const token = headerValue(stub.received(ORDERS).at(-1)!, "Authorization")!.slice(7);
      for (const secret of [KEY, SECRET, token]) expect(message).not.toContain(secret);
    } finally {
      stub.answer(ORDERS, (req) => upbitOrderAnswer(req.body));
    }
  });
});
