import { describe, expect, it } from "vitest";
import {
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  OrderNotFoundError,
  UnknownMarketError,
} from "../../src/domain/errors.js";
import { FEE_ACCOUNT } from "../../src/sim/ledger.js";
import { ACCOUNT_FILL_HISTORY } from "../../src/sim/simulator.js";
import { balance, flat, makeSim, venueWith } from "./exchange-support.js";

const BTC = "BTC/USDT";

describe("sim - taking liquidity", () => {
  it("sim - a market buy walks the makers' book, pays slippage, and the taker fee in base", async () => {
    const { sim, at } = makeSim(flat(100, 3));
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "market",
      side: "buy",
      amount: "15",
    });
    // 9.990 BTC at 100.10, then 5.010 at 100.20: 999.999 + 502.002 USDT.
    expect(order).toMatchObject({
      status: "closed",
      filled: "15",
      cost: "1502.001",
      average: "100.1334",
      fee: { currency: "BTC", cost: "0.03" },
    });
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "8497.999", used: "0" });
    expect(balance(sim, "alice", "BTC")).toEqual({ free: "24.97", used: "0" });
    expect(sim.balances(FEE_ACCOUNT).BTC?.total).toBe("0.03");
    const fills = sim.myTrades("alice");
    expect(fills.map((f) => [f.price, f.amount, f.takerOrMaker])).toEqual([
      ["100.1", "9.99", "taker"],
      ["100.2", "5.01", "taker"],
    ]);
  });

  it("sim - a market sell pays its fee in quote, rounded up to the minor unit", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const order = sim.placeOrder("bob", {
      symbol: BTC,
      type: "market",
      side: "sell",
      amount: "0.013",
    });
    // 0.013 × 99.90 = 1.2987 USDT; 0.2% of it = 0.0025974 USDT.
    expect(order).toMatchObject({
      status: "closed",
      cost: "1.2987",
      fee: { currency: "USDT", cost: "0.0025974" },
    });
    expect(balance(sim, "bob", "USDT").free).toBe("10001.2961026");
  });

  it("sim - consumed depth stays consumed until the makers refresh", async () => {
    const { sim, at } = makeSim(flat(100, 3));
    await at(0, 0);
    sim.placeOrder("alice", { symbol: BTC, type: "market", side: "buy", amount: "9.99" });
    const again = sim.placeOrder("alice", {
      symbol: BTC,
      type: "market",
      side: "buy",
      amount: "1",
    });
    expect(again.average).toBe("100.2");
    await at(1, 1); // refreshMs is one minute
    const fresh = sim.placeOrder("alice", {
      symbol: BTC,
      type: "market",
      side: "buy",
      amount: "1",
    });
    expect(fresh.average).toBe("100.1");
  });

  it("sim - a limit buy above the ask takes at the makers' prices, not its own", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "101",
    });
    expect(order).toMatchObject({ status: "closed", average: "100.1", cost: "100.1" });
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "9899.9", used: "0" });
  });
});

describe("sim - resting orders and the market path", () => {
  const bars = [
    [100, 100, 100, 100],
    [100, 100, 99.5, 99.8], // touches 99.50
    [99.8, 99.9, 99.49, 99.6], // goes through 99.50
    [99.6, 99.6, 99.6, 99.6],
  ] as [number, number, number, number][];

  it("sim - a resting limit fills only when the path trades through it, at its price, as maker", async () => {
    const { sim, at } = makeSim(bars);
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "99.5",
    });
    expect(order.status).toBe("open");
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "9900.5", used: "99.5" });
    await at(1, 3);
    expect(sim.order("alice", { id: order.id }).status).toBe("open");
    await at(2, 3);
    const filled = sim.order("alice", { id: order.id });
    expect(filled).toMatchObject({ status: "closed", average: "99.5", fee: { cost: "0.001" } });
    expect(sim.myTrades("alice")[0]?.takerOrMaker).toBe("maker");
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "9900.5", used: "0" });
    expect(balance(sim, "alice", "BTC").free).toBe("10.999");
  });

  it("sim - with the touch rule a resting limit fills when the path reaches its price", async () => {
    const { sim, at } = makeSim(bars, venueWith(["fillRule: through", "fillRule: touch"]));
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "99.5",
    });
    await at(1, 3);
    expect(sim.order("alice", { id: order.id }).status).toBe("closed");
  });

  it("sim - with queue position a touched order waits for the size displayed ahead of it", async () => {
    const yaml = venueWith(
      ["fillRule: through", "fillRule: touch\n  queuePosition: true"],
      ["spreadBps: 20", "spreadBps: 100"], // best maker bid at 99.50: 10.050 BTC displayed there
    );
    const touching = [
      flat(100, 1)[0]!,
      ...Array.from(
        { length: 6 },
        () => [99.5, 99.5, 99.5, 99.5] as [number, number, number, number],
      ),
    ];
    const { sim, at } = makeSim(touching, yaml);
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "99.5",
    });
    // Each path point trades 10/4 = 2.5 BTC at 99.50: four touches use up the 10.05 BTC ahead.
    await at(1, 3);
    expect(sim.order("alice", { id: order.id }).status).toBe("open");
    await at(2, 0);
    expect(sim.order("alice", { id: order.id }).status).toBe("closed");
  });

  it("sim - a stop-market sell triggers when the path reaches its stop and sells to the bids", async () => {
    const { sim, at } = makeSim([
      [100, 100, 100, 100],
      [100, 100, 98.9, 99],
      [99, 99, 99, 99],
    ]);
    await at(0, 0);
    expect(() =>
      sim.placeOrder("bob", {
        symbol: BTC,
        type: "stop_market",
        side: "sell",
        amount: "1",
        stopPrice: "100.5",
      }),
    ).toThrow(/would trigger immediately/);
    const stop = sim.placeOrder("bob", {
      symbol: BTC,
      type: "stop_market",
      side: "sell",
      amount: "1",
      stopPrice: "99",
    });
    expect(stop.status).toBe("open");
    expect(balance(sim, "bob", "BTC")).toEqual({ free: "9", used: "1" });
    await at(1, 3);
    // Triggered at 98.90 (low): the best maker bid is floor(9890 × 0.999) = 98.80.
    expect(sim.order("bob", { id: stop.id })).toMatchObject({ status: "closed", average: "98.8" });
    expect(balance(sim, "bob", "BTC")).toEqual({ free: "9", used: "0" });
  });

  it("sim - a stop-limit buy becomes a limit order at its trigger", async () => {
    const { sim, at } = makeSim([
      [100, 100, 100, 100],
      [100, 101.2, 100, 101],
      [101, 101, 101, 101],
    ]);
    await at(0, 0);
    const stop = sim.placeOrder("alice", {
      symbol: BTC,
      type: "stop_limit",
      side: "buy",
      amount: "1",
      price: "101.5",
      stopPrice: "101",
    });
    expect(balance(sim, "alice", "USDT").used).toBe("101.5");
    await at(1, 3);
    // Triggered at 101.20; the best maker ask is ceil(10120 × 1.001) = 101.31.
    expect(sim.order("alice", { id: stop.id })).toMatchObject({
      status: "closed",
      average: "101.31",
    });
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "9898.69", used: "0" });
  });
});

describe("sim - time in force", () => {
  it("sim - a post-only order that would take is refused and nothing is reserved", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    expect(() =>
      sim.placeOrder("alice", {
        symbol: BTC,
        type: "limit",
        side: "buy",
        amount: "1",
        price: "100.1",
        postOnly: true,
      }),
    ).toThrow(InvalidOrderError);
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "10000", used: "0" });
    const maker = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "100",
      timeInForce: "PO",
    });
    expect(maker).toMatchObject({ status: "open", postOnly: true });
  });

  it("sim - fill-or-kill that cannot fill completely expires untouched; IOC keeps its partial fill", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const fok = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "20",
      price: "100.1",
      timeInForce: "FOK",
    });
    expect(fok).toMatchObject({ status: "expired", filled: "0" });
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "10000", used: "0" });
    const ioc = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "20",
      price: "100.1",
      timeInForce: "IOC",
    });
    expect(ioc).toMatchObject({ status: "expired", filled: "9.99", remaining: "0" });
    expect(balance(sim, "alice", "USDT").used).toBe("0");
  });
});

describe("sim - cancel and amend", () => {
  it("sim - cancel releases the reservation; a cancelled or unknown order cannot be cancelled", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "2",
      price: "99",
    });
    expect(balance(sim, "alice", "USDT").used).toBe("198");
    expect(sim.cancelOrder("alice", { id: order.id }).status).toBe("canceled");
    expect(balance(sim, "alice", "USDT")).toEqual({ free: "10000", used: "0" });
    expect(() => sim.cancelOrder("alice", { id: order.id })).toThrow(/is canceled/);
    expect(() => sim.cancelOrder("alice", { id: "999" })).toThrow(OrderNotFoundError);
    expect(() => sim.cancelOrder("bob", { id: order.id })).toThrow(OrderNotFoundError);
  });

  it("sim - cancel-all cancels every open order of the account, stops included", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    sim.placeOrder("alice", { symbol: BTC, type: "limit", side: "buy", amount: "1", price: "99" });
    sim.placeOrder("alice", {
      symbol: BTC,
      type: "stop_market",
      side: "sell",
      amount: "1",
      stopPrice: "90",
    });
    sim.placeOrder("bob", { symbol: BTC, type: "limit", side: "buy", amount: "1", price: "99" });
    const cancelled = sim.cancelAllOrders("alice");
    expect(cancelled.map((o) => o.status)).toEqual(["canceled", "canceled"]);
    expect(sim.openOrders("alice")).toEqual([]);
    expect(sim.openOrders("bob")).toHaveLength(1);
    expect(sim.balances("alice").USDT?.used).toBe("0");
    expect(sim.balances("alice").BTC?.used).toBe("0");
  });

  it("sim - reducing an order's amount keeps its place; a larger amount sends it to the back", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const first = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "2",
      price: "99",
    });
    const second = sim.placeOrder("bob", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "2",
      price: "99",
    });
    const queue = () => [...sim.market(BTC).book.orders()].map((o) => String(o.id));
    expect(queue()).toEqual([first.id, second.id]);
    sim.amendOrder("alice", first.id, "1");
    expect(queue()).toEqual([first.id, second.id]);
    expect(balance(sim, "alice", "USDT").used).toBe("99");
    sim.amendOrder("alice", first.id, "3");
    expect(queue()).toEqual([second.id, first.id]);
    expect(balance(sim, "alice", "USDT").used).toBe("297");
    const moved = sim.amendOrder("alice", first.id, undefined, "100.5");
    expect(moved).toMatchObject({ status: "closed", average: "100.1" });
  });

  it("sim - a post-only order cannot be amended into taking; it stays as it was", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "99",
      postOnly: true,
    });
    expect(() => sim.amendOrder("alice", order.id, undefined, "100.5")).toThrow(/post-only/);
    expect(sim.order("alice", { id: order.id })).toMatchObject({ status: "open", price: "99" });
    expect(balance(sim, "alice", "USDT").used).toBe("99");
  });
});

describe("sim - refusals name their reason", () => {
  const refusals: Array<
    [string, Record<string, string | boolean>, RegExp, new (...a: never[]) => Error]
  > = [
    [
      "unknown market",
      { symbol: "DOGE/USDT" },
      /unknown market DOGE\/USDT on test \(markets: BTC\/USDT\)/,
      UnknownMarketError,
    ],
    [
      "off the tick grid",
      { price: "99.005" },
      /price 99.005 is not a multiple of BTC\/USDT's tick size 0.01/,
      InvalidOrderError,
    ],
    [
      "off the lot grid",
      { amount: "0.0015" },
      /amount 0.0015 is not a multiple of BTC\/USDT's lot size 0.001/,
      InvalidOrderError,
    ],
    [
      "above the maximum quantity",
      { amount: "1001" },
      /above BTC\/USDT's maximum quantity 1000/,
      InvalidOrderError,
    ],
    [
      "below the minimum notional",
      { amount: "0.005" },
      /notional 0.495 USDT is below BTC\/USDT's minimum notional 1/,
      InvalidOrderError,
    ],
    [
      "insufficient funds",
      { amount: "200" },
      /buy 200 BTC\/USDT needs 19800 USDT, alice has 10000 USDT free/,
      InsufficientFundsError,
    ],
    ["a limit without a price", { price: "" }, /a limit order needs a price/, InvalidOrderError],
    [
      "reduce-only on spot",
      { reduceOnly: true },
      /reduceOnly applies to derivatives/,
      NotSupportedError,
    ],
    ["a bad side", { side: "long" }, /side must be buy or sell/, InvalidOrderError],
    [
      "a bad client order id",
      { clientOrderId: "has space" },
      /clientOrderId "has space"/,
      InvalidOrderError,
    ],
  ];
  for (const [what, change, message, type] of refusals) {
    it(`sim - ${what} is refused with its reason`, async () => {
      const { sim, at } = makeSim(flat(100, 2));
      await at(0, 0);
      const input = {
        symbol: BTC,
        type: "limit",
        side: "buy",
        amount: "1",
        price: "99",
        ...change,
      };
      if (input.price === "") delete (input as { price?: string }).price;
      let error: unknown;
      try {
        sim.placeOrder("alice", input as never);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect(balance(sim, "alice", "USDT")).toEqual({ free: "10000", used: "0" });
    });
  }

  it("sim - an order type the venue does not offer is NotSupported", async () => {
    const { sim, at } = makeSim(
      flat(100, 2),
      venueWith([
        "orderTypes: [market, limit, stop_market, stop_limit]",
        "orderTypes: [market, limit]",
      ]),
    );
    await at(0, 0);
    expect(() =>
      sim.placeOrder("alice", {
        symbol: BTC,
        type: "stop_market",
        side: "sell",
        amount: "1",
        stopPrice: "90",
      }),
    ).toThrow(/test does not support stop_market orders \(it supports market, limit\)/);
  });

  it("sim - a client order id is used once per account: a retry cannot create a second order", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const input = {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "99",
      clientOrderId: "sim-main-t1-1",
    };
    const order = sim.placeOrder("alice", input);
    expect(() => sim.placeOrder("alice", input)).toThrow(/duplicate clientOrderId sim-main-t1-1/);
    expect(sim.order("alice", { clientOrderId: "sim-main-t1-1" }).id).toBe(order.id);
    expect(sim.placeOrder("bob", input).status).toBe("open");
    expect(sim.openOrders("alice")).toHaveLength(1);
  });

  it("sim - a market order before the feed has started is refused", () => {
    const { sim } = makeSim(flat(100, 2));
    expect(() =>
      sim.placeOrder("alice", { symbol: BTC, type: "market", side: "buy", amount: "1" }),
    ).toThrow(/no market price yet/);
  });
});

describe("sim - self-trade prevention", () => {
  it("sim - expire_maker: taking against one's own resting order expires it and trades on", async () => {
    const { sim, at } = makeSim(flat(100, 2));
    await at(0, 0);
    const ask = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "sell",
      amount: "1",
      price: "100.05",
    });
    expect(balance(sim, "alice", "BTC").used).toBe("1");
    const buy = sim.placeOrder("alice", { symbol: BTC, type: "market", side: "buy", amount: "1" });
    expect(sim.order("alice", { id: ask.id }).status).toBe("expired");
    expect(buy).toMatchObject({ status: "closed", average: "100.1" });
    expect(balance(sim, "alice", "BTC").used).toBe("0");
  });
});

describe("sim - telling the driver", () => {
  it("sim - a path point that fills a resting order reports a reaction to order listeners", async () => {
    const { sim, at } = makeSim([
      [100, 100, 100, 100],
      [100, 100, 98, 99],
    ]);
    await at(0, 0);
    const order = sim.placeOrder("alice", {
      symbol: BTC,
      type: "limit",
      side: "buy",
      amount: "1",
      price: "99.5",
    });
    const seen: string[] = [];
    sim.on((e) => void seen.push(e.type));
    // Step event by event; the path point that fills the order must report a reaction.
    const m = sim.market(BTC);
    let reactedOnFill: boolean | undefined;
    while (reactedOnFill === undefined && m.feed.nextTime() < Number.POSITIVE_INFINITY) {
      const reacted = sim.processUntil(m.feed.nextTime());
      if (sim.order("alice", { id: order.id }).status === "closed") reactedOnFill = reacted;
    }
    expect(reactedOnFill).toBe(true);
    expect(seen).toContain("fill");
  });
});

describe("sim - account history", () => {
  it("sim - an account's fill history keeps the most recent fills and stays bounded", async () => {
    const { sim, at, advance } = makeSim(flat(100, 30));
    await at(0, 0);
    const orders = 2 * ACCOUNT_FILL_HISTORY + 2;
    for (let i = 0; i < orders; i++) {
      // The makers refresh as the market moves on; without that the book would run dry.
      if (i % 1_000 === 999) await advance(60_000);
      sim.placeOrder("alice", {
        symbol: BTC,
        type: "market",
        side: i % 2 === 0 ? "buy" : "sell",
        amount: "0.011",
        clientOrderId: `c${i}`,
      });
    }
    const all = sim.myTrades("alice", undefined, undefined, Number.MAX_SAFE_INTEGER);
    expect(all.length).toBeGreaterThanOrEqual(ACCOUNT_FILL_HISTORY);
    expect(all.length).toBeLessThanOrEqual(2 * ACCOUNT_FILL_HISTORY);
    // The newest fill is kept; the oldest ones are gone.
    const last = sim.myTrades("alice", undefined, undefined, 1)[0];
    expect(last?.clientOrderId).toBe(`c${orders - 1}`);
    expect(all.some((f) => f.clientOrderId === "c0")).toBe(false);
  });
});
