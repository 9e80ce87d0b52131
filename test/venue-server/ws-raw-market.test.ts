/**
 * The venue server's market streams read with a plain `ws` client, as Binance documents them:
 * the local order book procedure (REST snapshot + buffered diffs) rebuilds the simulator's book,
 * combined streams wrap payloads, live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / properties
 * answer with their ids, bad requests get Binance's error shape, the server pings, and closing the
 * server closes every socket cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RawClient, sleep, startVenue, type Venue } from "./ws-support.js";

let venue: Venue;

beforeAll(async () => {
  venue = await startVenue({ streams: { pingIntervalMs: 200 } });
});
afterAll(async () => {
  await venue?.close();
});

type Level = [string, string];
interface DepthUpdate {
  e: string;
  s: string;
  U: number;
  u: number;
  b: Level[];
  a: Level[];
}

const step = (ms: number) => venue.simulation.run({ until: venue.simulation.clock.now() + ms });

describe("venue server - market streams over a raw WebSocket", () => {
  it("ws - the documented local order book procedure rebuilds the simulator's book", async () => {
    const client = await RawClient.open(`${venue.wsUrl}/ws/ethusdt@depth@100ms`);
    const updates = () => client.messages as DepthUpdate[];
    // 1-2: buffer the events while the market moves.
    for (let i = 0; i < 5; i++) {
      await step(20_000);
      await sleep(150);
    }
    expect(updates().length).toBeGreaterThan(0);
    const firstU = updates()[0]!.U;
    // 3-4: a snapshot no older than the first buffered event.
    const response = await fetch(`${venue.server.url}/api/v3/depth?symbol=ETHUSDT&limit=5000`);
    const snapshot = (await response.json()) as {
      lastUpdateId: number;
      bids: Level[];
      asks: Level[];
    };
    expect(snapshot.lastUpdateId).toBeGreaterThanOrEqual(firstU);
    for (let i = 0; i < 5; i++) {
      await step(20_000);
      await sleep(150);
    }
    await sleep(300);
    // 5-7: drop what the snapshot covers, then apply the rest in order.
    const bids = new Map(snapshot.bids);
    const asks = new Map(snapshot.asks);
    let id = snapshot.lastUpdateId;
    let applied = 0;
    for (const e of updates()) {
      expect(e.e).toBe("depthUpdate");
      expect(e.s).toBe("ETHUSDT");
      if (e.u <= id) continue;
      if (applied === 0) expect(e.U <= id + 1 && id + 1 <= e.u).toBe(true);
      else expect(e.U).toBe(id + 1);
      for (const [side, levels] of [
        [bids, e.b],
        [asks, e.a],
      ] as const) {
        for (const [price, qty] of levels) {
          if (Number(qty) === 0) side.delete(price);
          else side.set(price, qty);
        }
      }
      id = e.u;
      applied++;
    }
    expect(applied).toBeGreaterThan(0);
    const sim = venue.simulation.sim.orderBook("ETH/USDT", 5000);
    const sorted = (m: Map<string, string>, dir: 1 | -1) =>
      [...m].sort((x, y) => dir * (Number(x[0]) - Number(y[0])));
    expect(sorted(bids, -1)).toEqual(sim.bids);
    expect(sorted(asks, 1)).toEqual(sim.asks);
    client.close();
  });

  it("ws - combined streams wrap payloads; SUBSCRIBE, UNSUBSCRIBE and properties answer by id", async () => {
    const client = await RawClient.open(
      `${venue.wsUrl}/stream?streams=btcusdt@trade/btcusdt@kline_1m`,
    );
    client.send({ method: "LIST_SUBSCRIPTIONS", id: 1 });
    expect(await client.next((m) => m.id === 1)).toEqual({
      result: ["btcusdt@trade", "btcusdt@kline_1m"],
      id: 1,
    });
    client.send({
      method: "SUBSCRIBE",
      params: ["ethusdt@bookTicker", "ethbtc@aggTrade"],
      id: "sub2",
    });
    expect(await client.next((m) => m.id === "sub2")).toEqual({ result: null, id: "sub2" });
    client.send({ method: "GET_PROPERTY", params: ["combined"], id: 3 });
    expect(await client.next((m) => m.id === 3)).toEqual({ result: true, id: 3 });
    await step(120_000);
    const trade = await client.next((m) => m.stream === "btcusdt@trade");
    expect(trade.data).toMatchObject({ e: "trade", s: "BTCUSDT" });
    const kline = await client.next((m) => m.stream === "btcusdt@kline_1m");
    expect(kline.data).toMatchObject({ e: "kline", k: { i: "1m", x: true } });
    const book = await client.next((m) => m.stream === "ethusdt@bookTicker");
    const top = venue.simulation.sim.orderBook("ETH/USDT", 1);
    await sleep(250);
    const last = (client.messages as { stream?: string; data: object }[])
      .filter((m) => m.stream === "ethusdt@bookTicker")
      .at(-1)!;
    expect(book.data).toHaveProperty("u");
    expect(last.data).toMatchObject({
      s: "ETHUSDT",
      b: top.bids[0]![0],
      B: top.bids[0]![1],
      a: top.asks[0]![0],
      A: top.asks[0]![1],
    });
    // Raw payloads after SET_PROPERTY combined false; nothing more from an unsubscribed stream.
    client.send({ method: "SET_PROPERTY", params: ["combined", false], id: 4 });
    client.send({ method: "UNSUBSCRIBE", params: ["btcusdt@trade"], id: 5 });
    await client.next((m) => m.id === 5);
    const from = client.messages.length;
    await step(120_000);
    const raw = await client.next((m) => m.e === "kline", from);
    expect(raw).toMatchObject({ e: "kline", s: "BTCUSDT" });
    await sleep(200);
    const after = client.messages.slice(from) as Record<string, unknown>[];
    expect(after.some((m) => m.e === "trade" || m.stream !== undefined)).toBe(false);
    client.close();
  });

  it("ws - bad requests get Binance's error messages", async () => {
    const client = await RawClient.open(`${venue.wsUrl}/ws`);
    client.send({ method: "SUBSCRIBE", params: ["nosuchcoin@trade"], id: 7 });
    expect(await client.next((m) => m.id === 7)).toEqual({
      error: { code: 2, msg: "Invalid request: invalid stream nosuchcoin@trade" },
      id: 7,
    });
    client.send({ method: "SUBSCRIBE", params: ["btcusdt@kline_1s"], id: 8 });
    expect(await client.next((m) => m.id === 8)).toMatchObject({ error: { code: 2 } });
    client.send({ method: "FOO", params: [], id: 9 });
    expect(await client.next((m) => m.id === 9)).toMatchObject({
      error: { code: 2, msg: expect.stringMatching(/^Invalid request: unknown variant `FOO`/) },
    });
    client.send({ method: "SUBSCRIBE", params: ["btcusdt@trade"], id: -1 });
    expect(
      await client.next((m) => (m.error as { msg?: string })?.msg?.includes("ID") === true),
    ).toEqual({
      error: { code: 2, msg: "Invalid request: request ID must be an unsigned integer" },
      id: null,
    });
    client.send({ method: "SET_PROPERTY", params: ["combined", "yes"], id: 10 });
    expect(await client.next((m) => m.id === 10)).toEqual({
      error: { code: 1, msg: "Invalid value type: expected Boolean" },
      id: 10,
    });
    client.send({ method: "GET_PROPERTY", params: ["colour"], id: 11 });
    expect(await client.next((m) => m.id === 11)).toEqual({
      error: { code: 0, msg: "Unknown property" },
      id: 11,
    });
    client.ws.send("{not json");
    expect(await client.next((m) => (m.error as { code?: number })?.code === 3)).toMatchObject({
      error: { code: 3, msg: expect.stringMatching(/^Invalid JSON/) },
    });
    client.send({ method: "LIST_SUBSCRIPTIONS", id: 12 });
    expect(await client.next((m) => m.id === 12)).toEqual({ result: [], id: 12 });
    client.close();
  });

  it("ws - an unknown path is refused; the server pings", async () => {
    const refused = await RawClient.open(`${venue.wsUrl}/nope`).then(
      () => "opened",
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/404/);
    const client = await RawClient.open(`${venue.wsUrl}/ws/btcusdt@trade`);
    const pinged = new Promise<void>((resolve) => client.ws.once("ping", () => resolve()));
    await pinged;
    client.close();
  });

  it("ws - a socket that answers no ping within the pong timeout is cut", async () => {
    const other = await startVenue({ streams: { pingIntervalMs: 50, pongTimeoutMs: 300 } });
    try {
      const silent = new WebSocket(`${other.wsUrl}/ws/btcusdt@trade`, { autoPong: false });
      const answering = await RawClient.open(`${other.wsUrl}/ws/btcusdt@trade`);
      const cut = await new Promise<number>((resolve) => silent.once("close", resolve));
      expect(cut).toBe(1006);
      expect(answering.ws.readyState).toBe(WebSocket.OPEN);
      answering.close();
    } finally {
      await other.close();
    }
  });

  it("ws - closing the server sends serverShutdown and closes every socket cleanly", async () => {
    const other = await startVenue();
    const raw = await RawClient.open(`${other.wsUrl}/ws/btcusdt@depth`);
    const combined = await RawClient.open(`${other.wsUrl}/stream?streams=btcusdt@trade`);
    const codes = [raw, combined].map(
      (c) => new Promise<number>((resolve) => c.ws.once("close", (code) => resolve(code))),
    );
    await other.close();
    expect(await Promise.all(codes)).toEqual([1001, 1001]);
    expect(raw.messages.at(-1)).toMatchObject({ e: "serverShutdown" });
    expect(combined.messages.at(-1)).toMatchObject({
      stream: "!serverShutdown",
      data: { e: "serverShutdown" },
    });
  });
});
