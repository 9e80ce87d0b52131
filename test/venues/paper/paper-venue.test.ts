import { describe, expect, it } from "vitest";
import {
  ClosedError,
  InsufficientFundsError,
  InvalidOrderError,
  NetworkError,
} from "../../../src/domain/errors.js";
import { parseDecimal } from "../../../src/domain/fixed.js";
import type { BookLevel } from "../../../src/domain/market-data.js";
import { VirtualClock } from "../../../src/time/virtual-clock.js";
import { createPaperVenue } from "../../../src/venues/paper/create.js";
import type { PaperVenue } from "../../../src/venues/paper/paper-venue.js";
import { BTC, flush, ScriptedVenue } from "./scripted-venue.js";

const T0 = Date.UTC(2024, 0, 1);
const BIDS: BookLevel[] = [
  ["99.9", "3"],
  ["99.8", "4"],
];
const ASKS: BookLevel[] = [
  ["100.1", "1.5"],
  ["100.2", "2"],
  ["100.5", "5"],
];

async function paperOver(balances: Record<string, string> = { USDT: "10000", BTC: "5" }) {
  const data = new ScriptedVenue();
  data.setBook(BIDS, ASKS);
  const clock = new VirtualClock(T0);
  const paper = await createPaperVenue({ data, balances, clock, retryMs: 1_000 });
  return { data, paper, clock };
}

const fills = async (paper: PaperVenue) =>
  (await paper.fetchMyTrades(BTC)).map((f) => [f.price, f.amount, f.takerOrMaker, f.fee.cost]);

const balance = async (paper: PaperVenue, asset: string) => {
  const b = (await paper.fetchBalance())[asset]!;
  return { free: b.free, used: b.used };
};

describe("PaperVenue - fills from the live book and tape", () => {
  it("paper - a market buy walks two levels of the live book at exactly their prices and sizes", async () => {
    const { paper } = await paperOver();
    const order = await paper.createOrder(BTC, "market", "buy", "2.5");
    expect(order).toMatchObject({ status: "closed", filled: "2.5", cost: "250.35" });
    expect(order.average).toBe("100.14");
    // 1.5 at 100.10 and 1 at 100.20; the taker fee is 0.2 % of the BTC received.
    expect(await fills(paper)).toEqual([
      ["100.1", "1.5", "taker", "0.003"],
      ["100.2", "1", "taker", "0.002"],
    ]);
    expect(await balance(paper, "USDT")).toEqual({ free: "9749.65", used: "0" });
    expect(await balance(paper, "BTC")).toEqual({ free: "7.495", used: "0" });
  });

  it("paper - a market sell walks the bids, paying the taker fee in quote", async () => {
    const { paper } = await paperOver();
    await paper.createOrder(BTC, "market", "sell", "4");
    // 3 at 99.90 (299.7, fee 0.5994) and 1 at 99.80 (99.8, fee 0.1996).
    expect(await fills(paper)).toEqual([
      ["99.9", "3", "taker", "0.5994"],
      ["99.8", "1", "taker", "0.1996"],
    ]);
    expect(await balance(paper, "USDT")).toEqual({ free: "10398.701", used: "0" });
  });

  it("paper - a level a fill consumed is not refilled until the live book updates", async () => {
    const { data, paper } = await paperOver();
    await paper.createOrder(BTC, "market", "buy", "2.5"); // takes 100.10 and 1 of 100.20
    await paper.createOrder(BTC, "market", "buy", "1.5");
    // The same snapshot again (fetched, not newer) changes nothing.
    await paper.fetchOrderBook(BTC);
    await paper.createOrder(BTC, "market", "buy", "1");
    expect((await fills(paper)).slice(2).map(([p, a]) => [p, a])).toEqual([
      ["100.2", "1"],
      ["100.5", "0.5"],
      ["100.5", "1"],
    ]);
    data.setBook(BIDS, ASKS); // a newer update shows the levels again
    await flush();
    await paper.createOrder(BTC, "market", "buy", "1");
    expect((await fills(paper)).at(-1)?.slice(0, 2)).toEqual(["100.1", "1"]);
  });

  it("paper - a limit buy priced through the book takes at once, and rests the rest at its price", async () => {
    const { data, paper } = await paperOver();
    const order = await paper.createOrder(BTC, "limit", "buy", "2", "100.15");
    expect(order).toMatchObject({ status: "open", filled: "1.5", remaining: "0.5" });
    expect(await fills(paper)).toEqual([["100.1", "1.5", "taker", "0.003"]]);
    // What rests reserves its limit price: 0.5 × 100.15.
    expect(await balance(paper, "USDT")).toEqual({ free: "9799.775", used: "50.075" });
    // Nothing is displayed at 100.15: the next trade there fills it, as maker.
    data.trade("100.15", "0.2", "buy");
    await flush();
    expect(await fills(paper)).toEqual([
      ["100.1", "1.5", "taker", "0.003"],
      ["100.15", "0.2", "maker", "0.0002"],
    ]);
  });

  it("paper - a limit buy at the best bid waits for the 3 displayed ahead, then fills from what trades past them", async () => {
    const { data, paper } = await paperOver();
    const order = await paper.createOrder(BTC, "limit", "buy", "2", "99.9");
    const state = async () => {
      await flush();
      const o = await paper.fetchOrder(order.id);
      return [o.status, o.filled];
    };
    data.trade("99.95", "10", "buy"); // not at its price: no queue used
    expect(await state()).toEqual(["open", "0"]);
    data.trade("99.9", "2");
    expect(await state()).toEqual(["open", "0"]);
    data.trade("99.9", "1.5"); // 1 more uses the queue up; 0.5 is past it
    expect(await state()).toEqual(["open", "0.5"]);
    data.trade("99.9", "1");
    expect(await state()).toEqual(["open", "1.5"]);
    data.trade("99.9", "3");
    expect(await state()).toEqual(["closed", "2"]);
    expect(await fills(paper)).toEqual([
      ["99.9", "0.5", "maker", "0.0005"],
      ["99.9", "1", "maker", "0.001"],
      ["99.9", "0.5", "maker", "0.0005"],
    ]);
  });

  it("paper - a trade through a resting order's price fills it in full; the book alone never does", async () => {
    const { data, paper } = await paperOver();
    const order = await paper.createOrder(BTC, "limit", "sell", "2", "100.3");
    data.setBook([["100.4", "1"]], [["100.45", "1"]]); // the book moved through it
    await flush();
    expect((await paper.fetchOrder(order.id)).status).toBe("open");
    data.trade("100.31", "0.001", "buy");
    await flush();
    expect(await paper.fetchOrder(order.id)).toMatchObject({ status: "closed", average: "100.3" });
  });

  it("paper - an order the balance cannot pay for is refused and changes nothing", async () => {
    const { paper } = await paperOver({ USDT: "300" });
    await expect(paper.createOrder(BTC, "market", "buy", "3")).rejects.toThrow(
      InsufficientFundsError,
    );
    await paper.createOrder(BTC, "limit", "buy", "2", "99.9");
    await expect(paper.createOrder(BTC, "limit", "buy", "2", "99.9")).rejects.toThrow(
      InsufficientFundsError,
    );
    await expect(paper.createOrder(BTC, "market", "sell", "0.1")).rejects.toThrow(
      InsufficientFundsError,
    );
    expect(await balance(paper, "USDT")).toEqual({ free: "100.2", used: "199.8" });
    expect(await paper.fetchOpenOrders(BTC)).toHaveLength(1);
  });

  it("paper - cancel releases the reservation, and a cancelled order no longer fills", async () => {
    const { data, paper } = await paperOver();
    const order = await paper.createOrder(BTC, "limit", "buy", "2", "99.9");
    expect(await balance(paper, "USDT")).toEqual({ free: "9800.2", used: "199.8" });
    expect(await paper.cancelOrder(order.id)).toMatchObject({ status: "canceled" });
    expect(await balance(paper, "USDT")).toEqual({ free: "10000", used: "0" });
    data.trade("99.8", "10");
    await flush();
    expect(await paper.fetchMyTrades()).toEqual([]);
  });

  it("paper - client order ids are honoured, unique, and find their order", async () => {
    const { paper } = await paperOver();
    const order = await paper.createOrder(BTC, "limit", "buy", "1", "99", { clientOrderId: "a-1" });
    expect(order.clientOrderId).toBe("a-1");
    await expect(
      paper.createOrder(BTC, "limit", "buy", "1", "99", { clientOrderId: "a-1" }),
    ).rejects.toThrow(InvalidOrderError);
    expect(await paper.fetchOrder("", BTC, { clientOrderId: "a-1" })).toMatchObject({
      id: order.id,
      price: "99",
    });
  });

  it("paper - watchOrders and watchBalance deliver each change", async () => {
    const { data, paper } = await paperOver();
    const orders = paper.watchOrders(BTC);
    const balances = paper.watchBalance();
    const order = await paper.createOrder(BTC, "limit", "buy", "1", "99.9");
    expect((await orders).map((o) => [o.id, o.status])).toEqual([[order.id, "open"]]);
    expect((await balances).USDT).toEqual({ free: "9900.1", used: "99.9", total: "10000" });
    const next = paper.watchOrders();
    const nextBalance = paper.watchBalance();
    data.trade("99.8", "1");
    expect((await next).map((o) => [o.id, o.status, o.filled])).toEqual([
      [order.id, "closed", "1"],
    ]);
    expect((await nextBalance).BTC).toEqual({ free: "5.999", used: "0", total: "5.999" });
  });

  it("paper - money is conserved: the account, the fees and the live market's side add up to the start", async () => {
    const start = { USDT: "10000", BTC: "5" };
    const { data, paper } = await paperOver(start);
    await paper.createOrder(BTC, "market", "buy", "2.5");
    await paper.createOrder(BTC, "market", "sell", "3.3");
    await paper.createOrder(BTC, "limit", "buy", "1.7", "99.9");
    await paper.createOrder(BTC, "limit", "sell", "0.9", "100.7");
    data.trade("99.9", "4");
    data.trade("100.8", "1", "buy");
    await flush();
    const { account, fees, market } = paper.ledger();
    expect(Number(fees.BTC)).toBeGreaterThan(0);
    expect(Number(fees.USDT)).toBeGreaterThan(0);
    for (const asset of ["USDT", "BTC"] as const) {
      const units = (text: string) => parseDecimal(text, 8);
      const sum = units(account[asset]!.total) + units(fees[asset]!) + units(market[asset]!);
      expect(sum).toBe(units(start[asset]));
    }
  });

  it("paper - a broken feed drops the book (the next order fetches a fresh one) and is watched again after retryMs", async () => {
    const { data, paper, clock } = await paperOver();
    const order = await paper.createOrder(BTC, "limit", "buy", "1", "99.9");
    expect(data.fetches).toBe(1);
    data.fail(new NetworkError("connection lost"));
    await flush();
    await paper.createOrder(BTC, "market", "buy", "0.5");
    expect(data.fetches).toBe(2);
    clock.advanceBy(999);
    await flush();
    data.trade("99.8", "1"); // nobody watches yet: delivered when the feed is watched again
    await flush();
    expect((await paper.fetchOrder(order.id)).status).toBe("open");
    clock.advanceBy(1);
    await flush();
    expect((await paper.fetchOrder(order.id)).status).toBe("closed");
  });

  it("paper - close stops the feeds and rejects pending watches with ClosedError", async () => {
    const { data, paper } = await paperOver();
    await paper.createOrder(BTC, "limit", "buy", "1", "99.9");
    await paper.watchOrders(); // what was buffered
    const pending = [
      paper.watchOrders(),
      paper.watchBalance(),
      paper.watchTrades(BTC),
      paper.watchOrderBook(BTC),
      paper.watchTicker(BTC),
    ];
    const outcomes = Promise.allSettled(pending);
    await paper.close();
    for (const outcome of await outcomes) {
      expect(outcome.status === "rejected" && outcome.reason).toBeInstanceOf(ClosedError);
    }
    expect(data.closed).toBe(true);
    await expect(paper.createOrder(BTC, "market", "buy", "1")).rejects.toThrow(ClosedError);
    await expect(paper.fetchBalance()).rejects.toThrow(ClosedError);
  });
});
