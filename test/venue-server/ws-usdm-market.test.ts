/**
 * USDⓈ-M's market streams at the venue server, driven by an unmodified ccxt pro `binanceusdm`
 * (URLs and a made-up key only: urls.api.ws.future = <ws url>/ws, from which ccxt derives
 * /public/ws and /market/ws): the book it keeps from /fapi/v1/depth and `@depth@100ms` (U, u, pu)
 * equals the simulator's, at the REST snapshot's lastUpdateId; trades and klines are the
 * simulator's. Raw clients read `@markPrice@1s` (premiumIndex's values) and `@forceOrder`.
 */
import * as ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiquidationRecord } from "../../src/sim/perp/liquidation.js";
import {
  HOUR,
  KEY,
  PERP,
  SECRET,
  type UsdmFixture,
  usdmFixture,
  usdmUrls,
} from "./usdm-support.js";
import { expectSimCandles, RawClient, sleep, stepUntil } from "./ws-support.js";

let f: UsdmFixture;
let ws: string;
let exchange: InstanceType<typeof ccxt.pro.binanceusdm>;

beforeAll(async () => {
  f = await usdmFixture(HOUR);
  ws = f.server.url.replace(/^http/, "ws");
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

const levels = (side: readonly (readonly [string, string])[]) =>
  side.map(([p, q]) => [Number(p), Number(q)]);

describe("venue server - USDⓈ-M market streams with ccxt pro binanceusdm", () => {
  it("ws usdm - watchOrderBook: the book ccxt keeps from snapshot and diffs equals the simulator's, at REST's lastUpdateId", async () => {
    const { simulation } = f;
    const first = await exchange.watchOrderBook(PERP);
    const nonce = first.nonce!;
    await stepUntil(
      simulation,
      (async () => {
        for (;;) {
          const book = await exchange.watchOrderBook(PERP);
          if (book.nonce! > nonce + 2) return book;
        }
      })(),
      60_000,
    );
    await sleep(300);
    const book = exchange.orderbooks[PERP]!;
    const sim = simulation.sim.orderBook(PERP, 1000);
    expect(book.bids).toEqual(levels(sim.bids));
    expect(book.asks).toEqual(levels(sim.asks));
    expect(book.nonce).toBe((await exchange.fetchOrderBook(PERP)).nonce);
  });

  it("ws usdm - raw @depth@100ms: contract id, pu is the previous event's u, U follows it", async () => {
    const client = await RawClient.open(`${ws}/public/ws/btcusdt@depth@100ms`);
    const events = () =>
      client.messages as { e: string; s: string; U: number; u: number; pu: number; T: number }[];
    for (let i = 0; i < 100 && events().length < 4; i++) {
      await f.simulation.run({ until: f.simulation.clock.now() + 60_000 });
      await sleep(110);
    }
    const got = events();
    expect(got.length).toBeGreaterThanOrEqual(4);
    for (const [i, e] of got.entries()) {
      expect(e).toMatchObject({ e: "depthUpdate", s: "BTCUSDT", pu: e.U - 1 });
      expect(e.T).toBeTypeOf("number");
      if (i > 0) expect(e.pu).toBe(got[i - 1]!.u);
    }
    client.close();
  });

  it("ws usdm - watchTrades and watchOHLCV: the simulator's trades and 1m candles of the perpetual", async () => {
    const { simulation } = f;
    const trades = await stepUntil(simulation, exchange.watchTrades(PERP), 30_000);
    expect(trades.length).toBeGreaterThan(0);
    const tape = new Map(simulation.sim.trades(PERP, undefined, 1000).map((t) => [t.id, t]));
    for (const t of trades) {
      const sim = tape.get(String(t.id));
      expect(sim, `trade ${t.id}`).toBeDefined();
      expect(t.symbol).toBe(PERP);
      expect(t.price).toBe(Number(sim!.price));
      expect(t.amount).toBe(Number(sim!.amount));
    }
    const candles = await stepUntil(simulation, exchange.watchOHLCV(PERP, "1m"), 30_000);
    expect(candles.length).toBeGreaterThan(0);
    expectSimCandles(candles, (openTime) => simulation.sim.ohlcv(PERP, "1m", openTime, 1)[0]);
  });

  it("ws usdm - raw @markPrice@1s: premiumIndex's mark, index and funding each second", async () => {
    const client = await RawClient.open(`${ws}/market/stream?streams=btcusdt@markPrice@1s`);
    const update = await client.next<{ stream: string; data: Record<string, unknown> }>(
      (m) => m.stream === "btcusdt@markPrice@1s",
      0,
      3_000,
    );
    const rest = (await (
      await fetch(`${f.server.url}/fapi/v1/premiumIndex?symbol=BTCUSDT`)
    ).json()) as Record<string, unknown>;
    expect(update.data).toMatchObject({
      e: "markPriceUpdate",
      s: "BTCUSDT",
      p: rest.markPrice,
      i: rest.indexPrice,
      r: rest.lastFundingRate,
      T: rest.nextFundingTime,
    });
    client.close();
  });

  it("ws usdm - raw @forceOrder: a liquidation the perpetual engine records is told as Binance's forceOrder", async () => {
    const client = await RawClient.open(`${ws}/market/ws/btcusdt@forceOrder`);
    await sleep(150);
    const now = f.simulation.clock.now();
    const record: LiquidationRecord = {
      time: now,
      account: "main",
      symbol: PERP,
      qty: "0.5",
      bankruptcyPrice: "39000.0",
      markPrice: "39100.0",
      closed: [{ price: "39050.0", qty: "0.5" }],
      toFund: "0",
      deleveraged: "0",
      toHouse: "0",
    };
    // The engine keeps each liquidation it made in this list; the stream tells what is new.
    f.simulation.sim.derivatives.liquidations.push(record);
    const told = await client.next<{ e: string; o: Record<string, unknown> }>(
      (m) => m.e === "forceOrder",
    );
    expect(told.o).toMatchObject({
      s: "BTCUSDT",
      S: "SELL",
      q: "0.5",
      p: "39000.0",
      ap: "39050.0",
      X: "FILLED",
      T: Math.floor(now),
    });
    client.close();
  });
});
