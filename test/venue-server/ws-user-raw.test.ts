/**
 * The user data stream read with a plain `ws` client: through the WebSocket API (a hand-signed
 * `userDataStream.subscribe.signature`, Binance's request/response and error shapes, events as
 * `{subscriptionId, event}`), and through a listen key (REST POST/PUT/DELETE
 * /api/v3/userDataStream with X-MBX-APIKEY only, then /ws/<listenKey>, expiry after 60 minutes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/venue-server/binance-auth.js";
import {
  KEY,
  type ProBinance,
  proClient,
  RawClient,
  SECRET,
  sleep,
  startVenue,
  type Venue,
} from "./ws-support.js";

let venue: Venue;
let exchange: ProBinance;

beforeAll(async () => {
  venue = await startVenue();
  exchange = await proClient(venue);
});
afterAll(async () => {
  await exchange?.close();
  await venue?.close();
});

/** WebSocket API params signed as Binance documents: every other param, sorted, name=value&… */
function signed(params: Record<string, string | number>, secret = SECRET): object {
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
  return { ...params, signature: sign(secret, payload) };
}

function userDataStream(method: "POST" | "PUT" | "DELETE", apiKey?: string, listenKey?: string) {
  const query = listenKey === undefined ? "" : `?listenKey=${listenKey}`;
  return fetch(`${venue.server.url}/api/v3/userDataStream${query}`, {
    method,
    headers: apiKey === undefined ? {} : { "X-MBX-APIKEY": apiKey },
  });
}

const price = (bps: number) => {
  const bid = Number(venue.simulation.sim.orderBook("BTC/USDT", 1).bids[0]![0]);
  return Number((bid * (1 + bps / 10_000)).toFixed(2));
};

describe("venue server - the user data stream over a raw WebSocket", () => {
  it("ws - WebSocket API: ping, time, a signed subscription, its events, unsubscribe", async () => {
    const api = await RawClient.open(`${venue.wsUrl}/ws-api/v3`);
    api.send({ id: "p1", method: "ping" });
    expect(await api.next((m) => m.id === "p1")).toEqual({ id: "p1", status: 200, result: {} });
    api.send({ id: 2, method: "v3/time" });
    expect(await api.next((m) => m.id === 2)).toEqual({
      id: 2,
      status: 200,
      result: { serverTime: Math.floor(venue.simulation.clock.now()) },
    });
    // A bad signature, an unknown key, an old timestamp: Binance's codes.
    api.send({
      id: 3,
      method: "userDataStream.subscribe.signature",
      params: signed({ apiKey: KEY, timestamp: Date.now() }, "wrong-secret"),
    });
    expect(await api.next((m) => m.id === 3)).toEqual({
      id: 3,
      status: 400,
      error: { code: -1022, msg: "Signature for this request is not valid." },
    });
    api.send({
      id: 4,
      method: "userDataStream.subscribe.signature",
      params: signed({ apiKey: "nobody", timestamp: Date.now() }),
    });
    expect(await api.next((m) => m.id === 4)).toMatchObject({
      status: 401,
      error: { code: -2015 },
    });
    api.send({
      id: 5,
      method: "userDataStream.subscribe.signature",
      params: signed({ apiKey: KEY, timestamp: Date.now() - 10_000 }),
    });
    expect(await api.next((m) => m.id === 5)).toMatchObject({
      status: 400,
      error: { code: -1021 },
    });
    api.send({ id: 6, method: "order.teleport" });
    expect(await api.next((m) => m.id === 6)).toMatchObject({
      status: 400,
      error: { code: -1000 },
    });

    api.send({
      id: 7,
      method: "userDataStream.subscribe.signature",
      params: signed({ apiKey: KEY, timestamp: Date.now(), recvWindow: 5000 }),
    });
    expect(await api.next((m) => m.id === 7)).toEqual({
      id: 7,
      status: 200,
      result: { subscriptionId: 0 },
    });
    const from = api.messages.length;
    const order = await exchange.createOrder("BTC/USDT", "limit", "buy", 0.001, price(-50), {
      newClientOrderId: "raw-api-1",
    });
    const report = await api.next((m) => m.subscriptionId === 0, from);
    expect(report).toMatchObject({
      subscriptionId: 0,
      event: {
        e: "executionReport",
        s: "BTCUSDT",
        c: "raw-api-1",
        S: "BUY",
        o: "LIMIT",
        x: "NEW",
        X: "NEW",
        i: Number(order.id),
        q: "0.001",
        z: "0",
        w: true,
      },
    });
    const position = await api.next(
      (m) => (m.event as { e?: string })?.e === "outboundAccountPosition",
      from,
    );
    const usdt = venue.simulation.sim.balances("main").USDT!;
    expect(position).toMatchObject({
      event: { B: [{ a: "USDT", f: usdt.free, l: usdt.used }] },
    });
    api.send({ id: 8, method: "session.subscriptions" });
    expect(await api.next((m) => m.id === 8)).toMatchObject({ result: [{ subscriptionId: 0 }] });
    api.send({ id: 9, method: "userDataStream.unsubscribe", params: { subscriptionId: 0 } });
    expect(await api.next((m) => m.id === 9)).toEqual({ id: 9, status: 200, result: {} });
    expect(
      await api.next((m) => (m.event as { e?: string })?.e === "eventStreamTerminated"),
    ).toMatchObject({ subscriptionId: 0 });
    const quiet = api.messages.length;
    await exchange.cancelOrder(order.id!, "BTC/USDT");
    await sleep(200);
    expect(api.messages.slice(quiet)).toEqual([]);
    api.close();
  });

  it("ws - a listen key: POST, /ws/<listenKey> events, PUT, DELETE, Binance's errors", async () => {
    const created = await userDataStream("POST", KEY);
    expect(created.status).toBe(200);
    const { listenKey } = (await created.json()) as { listenKey: string };
    expect(listenKey).toMatch(/^[A-Za-z0-9]{64}$/);
    // The active key again, while it lives.
    expect(await (await userDataStream("POST", KEY)).json()).toEqual({ listenKey });
    expect((await userDataStream("POST")).status).toBe(401);
    expect(await (await userDataStream("POST", "nobody")).json()).toMatchObject({ code: -2015 });

    const stream = await RawClient.open(`${venue.wsUrl}/ws/${listenKey}`);
    const order = await exchange.createOrder("BTC/USDT", "limit", "sell", 0.001, price(60), {
      newClientOrderId: "raw-key-1",
    });
    expect(await stream.next((m) => m.e === "executionReport")).toMatchObject({
      c: "raw-key-1",
      x: "NEW",
      S: "SELL",
      i: Number(order.id),
    });
    await exchange.cancelOrder(order.id!, "BTC/USDT");
    expect(await stream.next((m) => m.x === "CANCELED")).toMatchObject({
      c: "raw-key-1",
      X: "CANCELED",
      C: "raw-key-1",
    });
    const btc = venue.simulation.sim.balances("main").BTC!;
    // The cancel's balance update may follow its execution report: wait for the one after it.
    const cancelled = stream.messages.findIndex((m) => (m as { x?: string }).x === "CANCELED");
    await stream.next((m) => m.e === "outboundAccountPosition", cancelled + 1);
    const positions = stream.messages.filter(
      (m) => (m as { e: string }).e === "outboundAccountPosition",
    );
    expect(positions.at(-1)).toMatchObject({ B: [{ a: "BTC", f: btc.free, l: btc.used }] });

    expect(await (await userDataStream("PUT", KEY, listenKey)).json()).toEqual({});
    expect(await (await userDataStream("PUT", KEY, "not-a-key")).json()).toEqual({
      code: -1125,
      msg: "This listenKey does not exist.",
    });
    expect(await (await userDataStream("PUT", KEY)).json()).toMatchObject({ code: -1102 });
    expect(await (await userDataStream("DELETE", KEY, listenKey)).json()).toEqual({});
    const quiet = stream.messages.length;
    await exchange.createOrder("BTC/USDT", "market", "buy", 0.001);
    await sleep(200);
    expect(stream.messages.slice(quiet)).toEqual([]);
    expect((await userDataStream("DELETE", KEY, listenKey)).status).toBe(400);
    stream.close();
  });

  it("ws - a listen key not kept alive expires after 60 minutes: listenKeyExpired", async () => {
    let wall = Date.now();
    // The injected wall clock jumps an hour: pongs, timed on it too, must not cut the socket first.
    const other = await startVenue({
      now: () => wall,
      streams: { pingIntervalMs: 50, pongTimeoutMs: 24 * 3_600_000 },
    });
    try {
      const res = await fetch(`${other.server.url}/api/v3/userDataStream`, {
        method: "POST",
        headers: { "X-MBX-APIKEY": KEY },
      });
      const { listenKey } = (await res.json()) as { listenKey: string };
      const stream = await RawClient.open(`${other.wsUrl}/ws/${listenKey}`);
      wall += 59 * 60_000;
      await sleep(150);
      expect(stream.messages).toEqual([]);
      wall += 2 * 60_000;
      expect(await stream.next((m) => m.e === "listenKeyExpired")).toMatchObject({ listenKey });
      stream.close();
    } finally {
      await other.close();
    }
  });
});
