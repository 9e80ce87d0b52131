/**
 * USDⓈ-M's user data stream, driven by an unmodified ccxt pro `binanceusdm` (URLs and a made-up
 * key): ccxt takes a listen key from POST /fapi/v1/listenKey and connects to
 * /private/ws?listenKey=…; a short opened with REST arrives in watchOrders (ORDER_TRADE_UPDATE)
 * with its client order id, filled, and watchPositions (ACCOUNT_UPDATE) shows the position the
 * simulator holds; watchBalance gives the futures wallet. Spot's streams do not carry contract
 * orders.
 */
import * as ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal } from "../../src/domain/fixed.js";
import {
  HOUR,
  KEY,
  PERP,
  SECRET,
  type UsdmFixture,
  usdmFixture,
  usdmUrls,
} from "./usdm-support.js";
import { RawClient, sleep } from "./ws-support.js";

let f: UsdmFixture;
let exchange: InstanceType<typeof ccxt.pro.binanceusdm>;

beforeAll(async () => {
  f = await usdmFixture(HOUR);
  const ws = f.server.url.replace(/^http/, "ws");
  exchange = new ccxt.pro.binanceusdm({
    urls: { api: { ...usdmUrls(f.server), ws: { future: `${ws}/ws` } } },
    options: { fetchCurrencies: false },
    apiKey: KEY,
    secret: SECRET,
  });
  await exchange.loadHttpProxyAgent();
  await exchange.loadMarkets();
});
afterAll(async () => {
  await exchange?.close();
  await f?.close();
});

describe("venue server - USDⓈ-M user data stream with ccxt pro binanceusdm", () => {
  it("ws usdm - watchOrders and watchPositions: a REST short arrives with its client id, then the position", async () => {
    const orders = exchange.watchOrders(PERP);
    // ccxt's first watchPositions may answer with its REST snapshot (no position yet): the
    // stream's update is the next answer then.
    const first = exchange.watchPositions([PERP]);
    const snapshot = await Promise.race([first, sleep(500).then(() => undefined)]);
    const positions = snapshot === undefined ? first : exchange.watchPositions([PERP]);
    await sleep(300);
    const placed = await exchange.createOrder(PERP, "market", "sell", 0.02, undefined, {
      clientOrderId: "ws-usdm-1",
    });
    const seen = await orders;
    expect(seen.map((o: ccxt.Order) => o.clientOrderId)).toContain("ws-usdm-1");
    let last = seen.at(-1)!;
    while (last.status !== "closed") last = (await exchange.watchOrders(PERP)).at(-1)!;
    const sim = f.simulation.sim.order("main", { id: String(placed.id) });
    expect(last).toMatchObject({
      id: placed.id,
      clientOrderId: "ws-usdm-1",
      symbol: PERP,
      side: "sell",
      status: "closed",
      filled: Number(sim.filled),
      average: Number(sim.average),
      reduceOnly: false,
    });

    const [position] = await positions;
    const [own] = f.simulation.sim.derivatives.positions("main");
    expect(position).toMatchObject({
      symbol: PERP,
      side: "short",
      contracts: Number(own!.contracts),
      entryPrice: Number(own!.entryPrice),
      marginMode: own!.marginMode,
    });
  });

  it("ws usdm - watchBalance: the futures wallet after a reduce-only close", async () => {
    const balance = exchange.watchBalance();
    await sleep(300);
    await exchange.createOrder(PERP, "market", "buy", 0.02, undefined, { reduceOnly: true });
    const seen = await balance;
    const ledger = f.simulation.sim.exchange.ledger;
    const wallet = ledger.free("main", "USDT") + ledger.locked("main", "USDT");
    expect(seen.USDT?.total).toBe(Number(formatDecimal(wallet, 8)));
    expect(f.simulation.sim.derivatives.positions("main")).toEqual([]);
  });

  it("ws usdm - spot's listen-key stream leaves contract orders out; its keys are not USDⓈ-M's", async () => {
    const post = (path: string, method = "POST") =>
      fetch(`${f.server.url}${path}`, { method, headers: { "X-MBX-APIKEY": KEY } });
    const { listenKey: spotKey } = (await (await post("/api/v3/userDataStream")).json()) as {
      listenKey: string;
    };
    const { listenKey } = (await (await post("/fapi/v1/listenKey")).json()) as {
      listenKey: string;
    };
    expect(listenKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(listenKey).not.toBe(spotKey);
    // PUT without a listenKey keeps the account's key alive, as USDⓈ-M's does; spot's PUT does
    // not know the USDⓈ-M key.
    expect((await post("/fapi/v1/listenKey", "PUT")).status).toBe(200);
    const spotPut = await post(`/api/v3/userDataStream?listenKey=${listenKey}`, "PUT");
    expect(await spotPut.json()).toMatchObject({ code: -1125 });

    const ws = f.server.url.replace(/^http/, "ws");
    const spot = await RawClient.open(`${ws}/ws/${spotKey}`);
    const futures = await RawClient.open(`${ws}/private/ws?listenKey=${listenKey}`);
    try {
      await exchange.createOrder(PERP, "market", "sell", 0.01, undefined, {
        clientOrderId: "ws-usdm-2",
      });
      const update = await futures.next((m) => m.e === "ORDER_TRADE_UPDATE");
      expect(update).toMatchObject({ o: { s: "BTCUSDT", c: "ws-usdm-2", ps: "BOTH" } });
      await futures.next((m) => m.e === "ACCOUNT_UPDATE");
      // The shared USDT wallet moved (spot's account position says so), but no executionReport.
      await spot.next((m) => m.e === "outboundAccountPosition");
      expect(spot.messages.filter((m) => (m as { e?: string }).e === "executionReport")).toEqual(
        [],
      );
    } finally {
      spot.close();
      futures.close();
    }
  });
});
