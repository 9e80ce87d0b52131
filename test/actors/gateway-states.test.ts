/**
 * The gateway takes in an order's states from three places (the venue's reply, its order stream,
 * a cancel's answer) that do not arrive in order. Each execution counts once, an older state that
 * arrives after a newer one changes nothing, and the reservation follows the newest state.
 */
import { describe, expect, it } from "vitest";
import { SpotExposure } from "../../src/actors/desk/gateway/exposure.js";
import {
  OrderGateway,
  type OwnedUpdate,
  type PlaceRequest,
} from "../../src/actors/desk/gateway/order-gateway.js";
import { reconcileOrders } from "../../src/actors/desk/journal/reconcile.js";
import { MandateBook } from "../../src/actors/desk/mandate-book.js";
import { RiskGates } from "../../src/actors/desk/risk-gates.js";
import { HolderKeys } from "../../src/actors/mandate.js";
import { parseIncrement } from "../../src/domain/fixed.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";
import type { Venue } from "../../src/venues/venue.js";
import { TestTrader } from "./signing.js";

const state = (filled: string, status: Order["status"], cost: string, fee?: string): Order => ({
  id: "1",
  // The gateway's first id on a clock at 1,700,000,000 s (s44we8 in base 36).
  clientOrderId: "sim-main-BTC-USDT-s44we8-1",
  timestamp: 0,
  symbol: "BTC/USDT",
  type: "limit",
  side: "buy",
  timeInForce: "GTC",
  price: "40000",
  amount: "0.02",
  filled,
  remaining: (0.02 - Number(filled)).toFixed(8),
  cost,
  status,
  postOnly: false,
  reduceOnly: false,
  ...(fee === undefined ? {} : { fee: { currency: "BTC", cost: fee } }),
});

function setup(reply: () => Promise<Order>) {
  const clock = new VirtualClock(1_700_000_000_000);
  const keys = HolderKeys.generate();
  const mandates = new MandateBook(() => 8);
  mandates.trust("h", keys.publicKey);
  const updates: OwnedUpdate[] = [];
  const venue = { createOrder: reply } as unknown as Venue;
  const gateway = new OrderGateway({
    desk: "sim-main",
    venue,
    clock,
    log: createLogger({ level: "silent" }),
    mandates,
    risk: new RiskGates(
      {
        maxOrderNotional: "100000",
        maxPositionNotional: "100000",
        maxDailyLoss: "100000",
        maxOrdersPerSecond: 100,
      },
      () => 8,
    ),
    exposure: () =>
      new SpotExposure({
        symbol: "BTC/USDT",
        base: "BTC",
        quote: "USDT",
        baseScale: 8,
        quoteScale: 8,
        tick: parseIncrement("0.01"),
        taker: "0.001",
      }),
    ticker: () => undefined,
    slippage: () => "0.01",
    state: () => "active",
    onUpdate: (u) => void updates.push(u),
    emit: () => {},
  });
  const trader = new TestTrader("t");
  const mandate = keys.sign(
    {
      trader: "t",
      traderKey: trader.publicKey,
      desk: "sim-main",
      market: "BTC/USDT",
      sides: ["buy", "sell"],
      maxNotional: "1000",
      expiresAt: clock.now() + 3_600_000,
      nonce: "n",
    },
    "h",
  );
  const place = () =>
    gateway.place(
      trader.place(mandate, {
        market: "BTC/USDT",
        side: "buy",
        type: "limit",
        amount: "0.02",
        price: "40000",
      }) as unknown as PlaceRequest,
    );
  return { gateway, mandates, updates, place };
}

describe("gateway - order states out of order", () => {
  it("gateway - a reply older than a streamed fill changes nothing; the fill counts once", async () => {
    let g: ReturnType<typeof setup> | undefined;
    const t = setup(async () => {
      // The stream's partial fill arrives before the venue's reply to the place.
      g?.gateway.take(state("0.005", "open", "200"));
      return state("0", "open", "0");
    });
    g = t;
    const reply = await t.place();
    expect(reply.filled).toBe("0");
    expect(t.updates.map((u) => u.order.filled)).toEqual(["0.005"]);
    const position = t.gateway.orders.position("t", "BTC/USDT", {
      base: "BTC",
      quote: "USDT",
      baseScale: 8,
      quoteScale: 8,
    });
    expect(position.view()).toMatchObject({ quantity: "0.005", basis: "200" });
    // Reserved: 800.8 for 0.02 at 40000 with the fee; 200 spent; the 0.015 left keeps 600.6.
    expect(t.mandates.remaining("n")).toBe(1000_00000000n - 200_00000000n - 600_60000000n);
    t.gateway.take(state("0.02", "closed", "800"));
    t.gateway.take(state("0.005", "open", "200")); // late again: nothing
    expect(position.view()).toMatchObject({ quantity: "0.02", basis: "800" });
    expect(t.mandates.remaining("n")).toBe(200_00000000n);
    expect(t.gateway.orders.openCount).toBe(0);
  });

  it("gateway - a fee the stream tells after the reply closed the order still leaves the position", async () => {
    // binance: the REST reply is the closed order without its fee; the stream's report has it.
    const t = setup(async () => state("0.02", "closed", "800"));
    await t.place();
    const position = t.gateway.orders.position("t", "BTC/USDT", {
      base: "BTC",
      quote: "USDT",
      baseScale: 8,
      quoteScale: 8,
    });
    expect(position.view()).toMatchObject({ quantity: "0.02", basis: "800" });
    expect(t.gateway.take(state("0.02", "closed", "800", "0.00002"))?.fill?.fee?.cost).toBe(
      "0.00002",
    );
    expect(position.view()).toMatchObject({ quantity: "0.01998", basis: "800", fees: "0.8" });
    // The same report again, or the fee-less reply again: nothing more.
    expect(t.gateway.take(state("0.02", "closed", "800", "0.00002"))).toBeUndefined();
    expect(t.gateway.take(state("0.02", "closed", "800"))).toBeUndefined();
    expect(position.view().quantity).toBe("0.01998");
    expect(t.mandates.remaining("n")).toBe(200_00000000n);
  });

  it("gateway - a fee-less reply between two reports does not count the first fee twice", async () => {
    const t = setup(async () => state("0", "open", "0"));
    await t.place();
    t.gateway.take(state("0.01", "open", "400", "0.00001"));
    t.gateway.take(state("0.015", "open", "600")); // a REST state: more filled, no fee
    t.gateway.take(state("0.02", "closed", "800", "0.00002"));
    const position = t.gateway.orders.position("t", "BTC/USDT", {
      base: "BTC",
      quote: "USDT",
      baseScale: 8,
      quoteScale: 8,
    });
    expect(position.view()).toMatchObject({ quantity: "0.01998", basis: "800" });
  });

  it("gateway - a restart finds the fee a crash cut off: read from the venue's fills of the order, taken in once", async () => {
    // The REST reply (no fee) was journaled; the stream's report with the fee was not: a crash.
    const t = setup(async () => state("0.02", "closed", "800"));
    await t.place();
    const fill = (id: string, orderId: string, amount: string, fee: string) => ({
      id,
      orderId,
      timestamp: 0,
      symbol: "BTC/USDT",
      side: "buy" as const,
      price: "40000",
      amount,
      cost: String(Number(amount) * 40_000),
      takerOrMaker: "taker" as const,
      fee: { currency: "BTC", cost: fee },
    });
    let asked = 0;
    const venue = {
      has: { fetchMyTrades: true },
      fetchMyTrades: async () => {
        asked++;
        return [
          fill("a", "1", "0.015", "0.000015"),
          fill("b", "1", "0.005", "0.000005"),
          fill("c", "2", "0.5", "0.0005"), // another order's
        ];
      },
      fetchOpenOrders: async () => [],
    } as unknown as Venue;
    await reconcileOrders(t.gateway, venue);
    const position = t.gateway.orders.position("t", "BTC/USDT", {
      base: "BTC",
      quote: "USDT",
      baseScale: 8,
      quoteScale: 8,
    });
    expect(position.view()).toMatchObject({ quantity: "0.01998", basis: "800" });
    // Known now: a second restart asks nothing and changes nothing.
    await reconcileOrders(t.gateway, venue);
    expect(asked).toBe(1);
    expect(position.view().quantity).toBe("0.01998");
  });
});
