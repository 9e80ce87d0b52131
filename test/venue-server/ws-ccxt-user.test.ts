/**
 * The user data stream through the WebSocket API, driven by an unmodified ccxt pro `binance`
 * (URLs, spot-only options and a made-up key): ccxt subscribes with
 * `userDataStream.subscribe.signature`; an order placed with ccxt's REST createOrder arrives in
 * watchOrders with its client order id, then its fill; watchBalance after the fill equals the
 * simulator's balances.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ProBinance,
  proClient,
  sleep,
  startVenue,
  stepUntil,
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

describe("venue server - the user data stream with ccxt pro binance", () => {
  it("ws - watchOrders: a REST order arrives as NEW with its client order id, then its fill", async () => {
    const { simulation } = venue;
    // The first watch subscribes (and waits for an event): let it subscribe before trading.
    const firstUpdate = exchange.watchOrders("BTC/USDT");
    await sleep(300);
    const bid = Number(simulation.sim.orderBook("BTC/USDT", 1).bids[0]![0]);
    const price = (bid * 0.9995).toFixed(2);
    const placed = await exchange.createOrder("BTC/USDT", "limit", "buy", 0.01, Number(price), {
      newClientOrderId: "ws-test-order-1",
    });
    const [created] = await firstUpdate;
    expect(created).toMatchObject({
      id: placed.id,
      clientOrderId: "ws-test-order-1",
      status: "open",
      side: "buy",
      type: "limit",
      price: Number(price),
      amount: 0.01,
      filled: 0,
    });
    // The market comes down to the order: it fills.
    const filled = await stepUntil(
      simulation,
      (async () => {
        for (;;) {
          const orders = await exchange.watchOrders("BTC/USDT");
          const mine = orders.find((o) => o.id === placed.id && o.status === "closed");
          if (mine !== undefined) return mine;
        }
      })(),
      60_000,
      500,
    );
    const sim = simulation.sim.order("main", { id: placed.id! });
    expect(sim.status).toBe("closed");
    expect(filled).toMatchObject({
      clientOrderId: "ws-test-order-1",
      filled: Number(sim.filled),
      cost: Number(sim.cost),
    });
    const fills = simulation.sim
      .myTrades("main", "BTC/USDT")
      .filter((f) => f.orderId === placed.id);
    expect(fills.length).toBeGreaterThan(0);
    // The closing report is the last fill's TRADE execution, with that fill's price, size and fee.
    const last = fills.at(-1)!;
    expect(filled.info).toMatchObject({
      e: "executionReport",
      x: "TRADE",
      X: "FILLED",
      c: "ws-test-order-1",
      l: last.amount,
      L: last.price,
      n: last.fee.cost,
      N: last.fee.currency,
      z: sim.filled,
      Z: sim.cost,
    });
  });

  it("ws - watchBalance after a fill equals the simulator's balances", async () => {
    const { simulation } = venue;
    const update = exchange.watchBalance();
    await sleep(300);
    await exchange.createOrder("BTC/USDT", "market", "sell", 0.02);
    const balance = await update;
    await sleep(100);
    const sim = simulation.sim.balances("main");
    for (const asset of ["BTC", "USDT"]) {
      expect(balance[asset], asset).toMatchObject({
        free: Number(sim[asset]!.free),
        used: Number(sim[asset]!.used),
        total: Number(sim[asset]!.total),
      });
    }
  });
});
