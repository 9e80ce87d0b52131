/**
 * Binance spot's SIGNED endpoints served from the simulator, driven by an unmodified ccxt
 * `binance` holding a made-up API key from a test venue file: balances, orders, cancels and fills
 * agree with the simulator's own state, and each refusal is Binance's code, raised by ccxt as its
 * class. The simulation runs on a virtual clock that nothing moves.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_VENUE_FILE, loadVenueConfig } from "../../src/sim/config/load.js";
import { ApiKeys, sign } from "../../src/venue-server/binance-auth.js";
import { startVenueServer, type VenueServer } from "../../src/venue-server/server.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";

// Made up for this test: not secrets.
const KEY = "test-key-main-not-a-secret";
const SECRET = "test-secret-main-not-a-secret";
const ALT_KEY = "test-key-alt-not-a-secret";
const ALT_SECRET = "test-secret-alt-not-a-secret";

let dir: string;
let simulation: Simulation;
let server: VenueServer;
let exchange: ccxt.binance;

function client(apiKey: string, secret: string): ccxt.binance {
  const api = `${server.url}/api/v3`;
  return new ccxt.binance({
    urls: { api: { public: api, private: api, sapi: `${server.url}/sapi/v1` } },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
    apiKey,
    secret,
  });
}

/** venues/sim.yaml with the test's accounts (YAML lines, indented by two) in place of its own. */
async function writeVenueFile(accounts: string): Promise<string> {
  const text = (await readFile(DEFAULT_VENUE_FILE, "utf8")).replace(
    /^accounts:\n(?: {2}.*\n)+/m,
    `accounts:\n${accounts}`,
  );
  const file = join(dir, `venue-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-signed-"));
  const file = await writeVenueFile(
    `  main: { USDT: "10000", BTC: "1", apiKeys: [{ key: ${KEY}, secret: ${SECRET} }] }\n` +
      `  alt: { USDT: "1000", apiKeys: [{ key: ${ALT_KEY}, secret: ${ALT_SECRET} }] }\n`,
  );
  simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 3 * 86_400_000,
  });
  server = await startVenueServer(simulation, { port: 0 });
  exchange = client(KEY, SECRET);
  await exchange.loadMarkets();
});
afterAll(async () => {
  await server?.close();
  await simulation?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const num = (text: string | undefined) => (text === undefined ? undefined : Number(text));

/** A price on BTC/USDT's tick grid, `bps` basis points from the best bid. */
function btcPrice(bps: number): string {
  const bid = Number(simulation.sim.orderBook("BTC/USDT", 1).bids[0]![0]);
  return (Math.round(bid * (1 + bps / 10_000) * 100) / 100).toFixed(2);
}

describe("venue server - signed endpoints with ccxt binance", () => {
  it("venue server - the signature of Binance's documented example", () => {
    // Binance's API documentation example key and secret (public, not a secret).
    const secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const query =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    const signature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
    expect(sign(secret, query)).toBe(signature);
    const keys = new ApiKeys(
      [
        {
          account: "doc",
          key: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
          secret,
        },
      ],
      () => 1499827319559 + 100,
    );
    const apiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    // In the query string, in the body, and split between them (totalParams = query + body).
    for (const [q, body] of [
      [`${query}&signature=${signature}`, ""],
      ["", `${query}&signature=${signature}`],
      [
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
        `quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77`,
      ],
    ] as const) {
      const auth = keys.authenticate({ query: q, body, apiKey });
      expect(auth.account).toBe("doc");
      expect(auth.params.get("price")).toBe("0.1");
    }
    // The signature is not case sensitive.
    expect(
      keys.authenticate({
        query: `${query}&signature=${signature.toUpperCase()}`,
        body: "",
        apiKey,
      }).account,
    ).toBe("doc");
  });

  it("venue server - fetchBalance equals the simulator's balances", async () => {
    const balance = await exchange.fetchBalance();
    const sim = simulation.sim.balances("main");
    for (const asset of Object.keys(simulation.config.assets)) {
      expect(balance[asset]).toEqual({
        free: num(sim[asset]?.free ?? "0"),
        used: num(sim[asset]?.used ?? "0"),
        total: num(sim[asset]?.total ?? "0"),
      });
    }
    expect(balance.USDT?.total).toBe(10000);
    expect(balance.BTC?.total).toBe(1);
  });

  it("venue server - a limit order: create, fetch by id and client id, list open, cancel", async () => {
    const price = btcPrice(-200);
    const created = await exchange.createOrder("BTC/USDT", "limit", "buy", 0.01, Number(price), {
      clientOrderId: "limit-1",
    });
    const sim = simulation.sim.order("main", { clientOrderId: "limit-1" });
    expect(sim.status).toBe("open");
    expect(created).toMatchObject({
      id: sim.id,
      clientOrderId: "limit-1",
      symbol: "BTC/USDT",
      type: "limit",
      side: "buy",
      timeInForce: "GTC",
      status: "open",
      price: Number(price),
      amount: 0.01,
      filled: 0,
      remaining: 0.01,
    });

    const byId = await exchange.fetchOrder(sim.id, "BTC/USDT");
    const byClientId = await exchange.fetchOrder("", "BTC/USDT", {
      origClientOrderId: "limit-1",
    });
    for (const o of [byId, byClientId]) {
      expect(o).toMatchObject({ id: sim.id, clientOrderId: "limit-1", status: "open" });
    }

    const balance = await exchange.fetchBalance();
    const simBalance = simulation.sim.balances("main");
    expect(balance.USDT?.used).toBe(num(simBalance.USDT?.used));
    expect(balance.USDT?.used).toBeGreaterThan(0);

    const open = await exchange.fetchOpenOrders("BTC/USDT");
    expect(open.map((o) => o.id)).toEqual(
      simulation.sim.openOrders("main", "BTC/USDT").map((o) => o.id),
    );
    expect(open.map((o) => o.id)).toContain(sim.id);

    const canceled = await exchange.cancelOrder(sim.id, "BTC/USDT");
    expect(canceled).toMatchObject({ id: sim.id, status: "canceled" });
    expect(simulation.sim.order("main", { id: sim.id }).status).toBe("canceled");
    expect(await exchange.fetchOpenOrders("BTC/USDT")).toEqual([]);
  });

  it("venue server - cancelAllOrders of a market (DELETE /api/v3/openOrders) cancels each; none open is -2011", async () => {
    const price = btcPrice(-250);
    for (const id of ["all-1", "all-2"]) {
      await exchange.createOrder("BTC/USDT", "limit", "buy", 0.001, Number(price), {
        clientOrderId: id,
      });
    }
    const cancelled = await exchange.cancelAllOrders("BTC/USDT");
    expect(cancelled.map((o) => o.clientOrderId).sort()).toEqual(["all-1", "all-2"]);
    for (const id of ["all-1", "all-2"]) {
      expect(simulation.sim.order("main", { clientOrderId: id }).status).toBe("canceled");
    }
    expect(simulation.sim.openOrders("main", "BTC/USDT")).toEqual([]);
    await expect(exchange.cancelAllOrders("BTC/USDT")).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it("venue server - a market order fills, and fetchMyTrades equals the simulator's fills", async () => {
    const created = await exchange.createOrder("BTC/USDT", "market", "buy", 0.002, undefined, {
      clientOrderId: "market-1",
    });
    const sim = simulation.sim.order("main", { clientOrderId: "market-1" });
    expect(sim.status).toBe("closed");
    expect(created).toMatchObject({
      id: sim.id,
      clientOrderId: "market-1",
      type: "market",
      side: "buy",
      status: "closed",
      amount: 0.002,
      filled: num(sim.filled),
      cost: num(sim.cost),
    });

    const trades = await exchange.fetchMyTrades("BTC/USDT");
    const fills = simulation.sim.myTrades("main", "BTC/USDT");
    expect(fills.length).toBeGreaterThan(0);
    expect(
      trades.map((t) => ({
        id: t.id,
        order: t.order,
        timestamp: t.timestamp,
        side: t.side,
        price: t.price,
        amount: t.amount,
        cost: t.cost,
        takerOrMaker: t.takerOrMaker,
        fee: { currency: t.fee?.currency, cost: t.fee?.cost },
      })),
    ).toEqual(
      fills.map((f) => ({
        id: f.id,
        order: f.orderId,
        timestamp: f.timestamp,
        side: f.side,
        price: Number(f.price),
        amount: Number(f.amount),
        cost: Number(f.cost),
        takerOrMaker: f.takerOrMaker,
        fee: { currency: f.fee.currency, cost: Number(f.fee.cost) },
      })),
    );

    const balance = await exchange.fetchBalance();
    expect(balance.BTC?.total).toBe(num(simulation.sim.balances("main").BTC?.total));
    expect(balance.BTC?.total).toBeGreaterThan(1);
  });

  it("venue server - a key acts for its own account only", async () => {
    const alt = client(ALT_KEY, ALT_SECRET);
    const balance = await alt.fetchBalance();
    expect(balance.USDT?.total).toBe(1000);
    expect(balance.BTC?.total).toBe(0);
    expect(await alt.fetchMyTrades("BTC/USDT")).toEqual([]);
    const mine = simulation.sim.order("main", { clientOrderId: "market-1" });
    await expect(alt.fetchOrder(mine.id, "BTC/USDT")).rejects.toThrow(ccxt.OrderNotFound);
  });
});

/** A request signed here, its parameters in a form body as Binance allows. */
function signedPost(path: string, params: Record<string, string>): Promise<Response> {
  const body = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "X-MBX-APIKEY": KEY, "Content-Type": "application/x-www-form-urlencoded" },
    body: `${body}&signature=${sign(SECRET, body)}`,
  });
}

/** ccxt's error of `call`, which must be of `cls` and carry Binance's `code` in its message. */
async function refusal(call: Promise<unknown>, cls: typeof ccxt.BaseError, code: number) {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(cls);
  expect((err as Error).message).toContain(`"code":${code}`);
  return (err as Error).message;
}

describe("venue server - Binance's refusals of signed requests", () => {
  it("venue server - a bad or missing signature is -1022 (AuthenticationError)", async () => {
    const wrong = client(KEY, "not-the-secret");
    const msg = await refusal(wrong.fetchBalance(), ccxt.AuthenticationError, -1022);
    expect(msg).toContain("Signature for this request is not valid.");
    const res = await fetch(`${server.url}/api/v3/account?timestamp=${Date.now()}`, {
      headers: { "X-MBX-APIKEY": KEY },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: -1022,
      msg: "Signature for this request is not valid.",
    });
  });

  it("venue server - an unknown API key is -2015 and a missing one -2014 (HTTP 401)", async () => {
    const stranger = client("unknown-key-not-a-secret", SECRET);
    const msg = await refusal(stranger.fetchBalance(), ccxt.AuthenticationError, -2015);
    expect(msg).toContain("Invalid API-key, IP, or permissions for action.");
    const res = await fetch(`${server.url}/api/v3/account?timestamp=${Date.now()}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: -2014, msg: "API-key format invalid." });
  });

  it("venue server - a timestamp outside recvWindow is -1021 (InvalidNonce)", async () => {
    const late = Date.now() - 20_000;
    const msg = await refusal(
      exchange.privateGetAccount({ timestamp: late, recvWindow: 5000 }),
      ccxt.InvalidNonce,
      -1021,
    );
    expect(msg).toContain("outside of the recvWindow");
    await refusal(
      exchange.privateGetAccount({ timestamp: Date.now() + 5000 }),
      ccxt.InvalidNonce,
      -1021,
    );
  });

  it("venue server - a duplicate client order id is -2010 Duplicate order sent. (InvalidOrder)", async () => {
    const price = Number(btcPrice(-300));
    await exchange.createOrder("BTC/USDT", "limit", "buy", 0.001, price, {
      clientOrderId: "dup-1",
    });
    const before = simulation.sim.openOrders("main").length;
    const msg = await refusal(
      exchange.createOrder("BTC/USDT", "limit", "buy", 0.001, price, { clientOrderId: "dup-1" }),
      ccxt.InvalidOrder,
      -2010,
    );
    expect(msg).toContain("Duplicate order sent.");
    expect(simulation.sim.openOrders("main").length).toBe(before);
  });

  it("venue server - insufficient balance is -2010 (InsufficientFunds)", async () => {
    const price = btcPrice(-100);
    // ccxt matches this message before the code, so its error names only the message.
    await expect(
      exchange.createOrder("BTC/USDT", "limit", "buy", 5, Number(price)),
    ).rejects.toThrow(
      new ccxt.InsufficientFunds("binance Account has insufficient balance for requested action."),
    );
    const res = await signedPost("/api/v3/order", {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "5",
      price,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: -2010,
      msg: "Account has insufficient balance for requested action.",
    });
  });

  it("venue server - filter failures are -1013 LOT_SIZE, PRICE_FILTER, NOTIONAL", async () => {
    const order = (params: Record<string, string>) =>
      exchange.privatePostOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        ...params,
      });
    const price = btcPrice(-100);
    const lot = await refusal(order({ quantity: "0.000015", price }), ccxt.InvalidOrder, -1013);
    expect(lot).toContain("Filter failure: LOT_SIZE");
    const big = await refusal(order({ quantity: "10000", price }), ccxt.InvalidOrder, -1013);
    expect(big).toContain("Filter failure: LOT_SIZE");
    const tick = await refusal(
      order({ quantity: "0.001", price: `${price}5` }),
      ccxt.InvalidOrder,
      -1013,
    );
    expect(tick).toContain("Filter failure: PRICE_FILTER");
    // ccxt reads -1013 without a filter name it knows as a BadRequest.
    const notional = await refusal(order({ quantity: "0.00001", price }), ccxt.BadRequest, -1013);
    expect(notional).toContain("Filter failure: NOTIONAL");
  });

  it("venue server - an unknown order is -2013 to fetch and -2011 to cancel (OrderNotFound)", async () => {
    const fetchMsg = await refusal(
      exchange.fetchOrder("999999", "BTC/USDT"),
      ccxt.OrderNotFound,
      -2013,
    );
    expect(fetchMsg).toContain("Order does not exist.");
    await refusal(
      exchange.fetchOrder("", "BTC/USDT", { origClientOrderId: "never-sent" }),
      ccxt.OrderNotFound,
      -2013,
    );
    const cancelMsg = await refusal(
      exchange.cancelOrder("999999", "BTC/USDT"),
      ccxt.OrderNotFound,
      -2011,
    );
    expect(cancelMsg).toContain("Unknown order sent.");
    // An order no longer open cannot be cancelled either.
    const filled = simulation.sim.order("main", { clientOrderId: "market-1" });
    await refusal(exchange.cancelOrder(filled.id, "BTC/USDT"), ccxt.OrderNotFound, -2011);
  });
});

describe("venue server - API keys in the venue file", () => {
  it("venue server - the same key in two accounts is refused at load, naming where", async () => {
    const file = await writeVenueFile(
      `  main: { USDT: "1", apiKeys: [{ key: k1, secret: s1 }] }\n` +
        `  alt: { USDT: "1", apiKeys: [{ key: k1, secret: s2 }] }\n`,
    );
    // The line of the second listing, wherever the shipped file puts its accounts block.
    const line =
      (await readFile(file, "utf8"))
        .split("\n")
        .indexOf(`  alt: { USDT: "1", apiKeys: [{ key: k1, secret: s2 }] }`) + 1;
    await expect(loadVenueConfig(file)).rejects.toThrow(
      new RegExp(
        `:${line}:\\d+: accounts\\.alt\\.apiKeys\\[0\\]\\.key: this key is already listed`,
      ),
    );
  });

  it("venue server - a key without its secret is refused at load", async () => {
    const file = await writeVenueFile(`  main: { USDT: "1", apiKeys: [{ key: k1 }] }\n`);
    await expect(loadVenueConfig(file)).rejects.toThrow(
      /accounts\.main\.apiKeys\[0\]\.secret: missing/,
    );
  });

  it("venue server - an account's keys stay out of its balances; none without apiKeys", async () => {
    const file = await writeVenueFile(`  main: { USDT: "10000" }\n`);
    const config = await loadVenueConfig(file);
    expect(config.apiKeys).toEqual([]);
    const sim = await loadVenueConfig(DEFAULT_VENUE_FILE);
    expect(Object.keys(sim.accounts.main ?? {})).toEqual(["USDT"]);
    expect(sim.apiKeys).toEqual([
      { account: "main", key: "sim-main-key-not-a-secret", secret: "sim-main-secret-not-a-secret" },
    ]);
  });
});
