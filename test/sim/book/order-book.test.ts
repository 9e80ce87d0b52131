import { describe, expect, it } from "vitest";
import { InternalError, InvalidInputError } from "../../../src/domain/errors.js";
import {
  AddResult,
  BUY,
  NO_STP_OWNER,
  OrderBook,
  SELL,
  type StpMode,
} from "../../../src/sim/book/index.js";
import { Recorder } from "./reference-book.js";

const { RESTED, FILLED, EXPIRED, REJECTED_POST_ONLY, REJECTED_FOK, EXPIRED_STP } = AddResult;

function setup(stp: StpMode = "none") {
  const rec = new Recorder();
  return { rec, book: new OrderBook(rec, { stp }) };
}

const fill = (maker: number, taker: number, price: number, qty: number, mo = 1, to = 2) =>
  ["fill", maker, taker, price, qty, mo, to] as const;

describe("book - limit orders", () => {
  it("book - a limit order that does not cross rests", () => {
    const { book, rec } = setup();
    expect(book.addLimit(1, 1, BUY, 100, 5, "GTC")).toBe(RESTED);
    expect(book.addLimit(2, 1, SELL, 101, 3, "GTC")).toBe(RESTED);
    expect(book.lastFilledQty).toBe(0);
    expect(book.bestBid()).toBe(100);
    expect(book.bestAsk()).toBe(101);
    expect(book.size).toBe(2);
    expect(book.remainingOf(1)).toBe(5);
    expect(book.get(2)).toEqual({ id: 2, owner: 1, side: SELL, price: 101, remaining: 3 });
    expect(rec.events).toEqual([]);
  });

  it("book - an empty side has NaN as its best price", () => {
    const { book } = setup();
    expect(book.bestBid()).toBeNaN();
    expect(book.bestAsk()).toBeNaN();
    expect(book.size).toBe(0);
  });

  it("book - price priority: the best price matches first", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 103, 1, "GTC");
    book.addLimit(2, 1, SELL, 101, 1, "GTC");
    book.addLimit(3, 1, SELL, 102, 1, "GTC");
    expect(book.addLimit(9, 2, BUY, 103, 3, "GTC")).toBe(FILLED);
    expect(rec.take()).toEqual([fill(2, 9, 101, 1), fill(3, 9, 102, 1), fill(1, 9, 103, 1)]);
  });

  it("book - FIFO within a level", () => {
    const { book, rec } = setup();
    for (const id of [1, 2, 3]) book.addLimit(id, 1, BUY, 100, 2, "GTC");
    expect(book.addLimit(9, 2, SELL, 100, 5, "GTC")).toBe(FILLED);
    expect(rec.take()).toEqual([fill(1, 9, 100, 2), fill(2, 9, 100, 2), fill(3, 9, 100, 1)]);
    expect(book.remainingOf(3)).toBe(1);
  });

  it("book - a partly filled maker keeps its place at the front", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 5, "GTC");
    book.addLimit(2, 1, SELL, 100, 5, "GTC");
    book.addLimit(8, 2, BUY, 100, 2, "IOC");
    book.addLimit(9, 2, BUY, 100, 4, "IOC");
    expect(rec.take()).toEqual([fill(1, 8, 100, 2), fill(1, 9, 100, 3), fill(2, 9, 100, 1)]);
  });

  it("book - a fill's price is the maker's price, however far the taker's limit", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, BUY, 100, 1, "GTC");
    book.addLimit(9, 2, SELL, 50, 1, "GTC");
    expect(rec.take()).toEqual([fill(1, 9, 100, 1)]);
  });

  it("book - a GTC taker rests its remainder at its limit and the book stays uncrossed", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 2, "GTC");
    book.addLimit(2, 1, SELL, 101, 2, "GTC");
    book.addLimit(3, 1, SELL, 103, 2, "GTC");
    expect(book.addLimit(9, 2, BUY, 102, 7, "GTC")).toBe(RESTED);
    expect(book.lastFilledQty).toBe(4);
    expect(rec.take()).toEqual([fill(1, 9, 100, 2), fill(2, 9, 101, 2)]);
    expect(book.remainingOf(9)).toBe(3);
    expect(book.bestBid()).toBe(102);
    expect(book.bestAsk()).toBe(103);
  });

  it("book - IOC fills what it can and expires the rest", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 2, "GTC");
    book.addLimit(2, 1, SELL, 102, 2, "GTC");
    expect(book.addLimit(9, 2, BUY, 101, 5, "IOC")).toBe(EXPIRED);
    expect(book.lastFilledQty).toBe(2);
    expect(rec.take()).toEqual([fill(1, 9, 100, 2)]);
    expect(book.has(9)).toBe(false);
    expect(book.addLimit(10, 2, BUY, 101, 5, "IOC")).toBe(EXPIRED);
    expect(book.lastFilledQty).toBe(0);
    expect(book.addLimit(11, 2, BUY, 102, 1, "IOC")).toBe(FILLED);
    expect(book.lastFilledQty).toBe(1);
    expect(book.size).toBe(1);
  });

  it("book - FOK fills completely or is rejected untouched", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 2, "GTC");
    book.addLimit(2, 1, SELL, 101, 2, "GTC");
    book.addLimit(3, 1, SELL, 102, 2, "GTC");
    expect(book.addLimit(8, 2, BUY, 101, 5, "FOK")).toBe(REJECTED_FOK);
    expect(book.lastFilledQty).toBe(0);
    expect(rec.take()).toEqual([]);
    expect([...book.orders()].map((o) => o.remaining)).toEqual([2, 2, 2]);
    expect(book.addLimit(9, 2, BUY, 101, 4, "FOK")).toBe(FILLED);
    expect(book.lastFilledQty).toBe(4);
    expect(rec.take()).toEqual([fill(1, 9, 100, 2), fill(2, 9, 101, 2)]);
    expect(book.has(9)).toBe(false);
  });

  it("book - post-only that would cross is rejected untouched; otherwise it rests", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 101, 2, "GTC");
    expect(book.addLimit(8, 2, BUY, 101, 1, "PO")).toBe(REJECTED_POST_ONLY);
    expect(book.has(8)).toBe(false);
    expect(book.remainingOf(1)).toBe(2);
    expect(book.addLimit(9, 2, BUY, 100, 1, "PO")).toBe(RESTED);
    expect(book.bestBid()).toBe(100);
    expect(rec.take()).toEqual([]);
  });
});

describe("book - market orders", () => {
  it("book - a market order matches at any price and its remainder expires", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, BUY, 100, 2, "GTC");
    book.addLimit(2, 1, BUY, 1, 2, "GTC");
    expect(book.addMarket(9, 2, SELL, 5)).toBe(EXPIRED);
    expect(book.lastFilledQty).toBe(4);
    expect(rec.take()).toEqual([fill(1, 9, 100, 2), fill(2, 9, 1, 2)]);
    expect(book.size).toBe(0);
    expect(book.addMarket(10, 2, SELL, 5)).toBe(EXPIRED);
    expect(book.lastFilledQty).toBe(0);
  });

  it("book - a market order that fills completely is FILLED", () => {
    const { book } = setup();
    book.addLimit(1, 1, SELL, 100, 5, "GTC");
    expect(book.addMarket(9, 2, BUY, 3)).toBe(FILLED);
    expect(book.lastFilledQty).toBe(3);
    expect(book.remainingOf(1)).toBe(2);
  });

  it("book - a market order stops at its protection price", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 1, "GTC");
    book.addLimit(2, 1, SELL, 101, 1, "GTC");
    book.addLimit(3, 1, SELL, 102, 1, "GTC");
    expect(book.addMarket(9, 2, BUY, 5, 101)).toBe(EXPIRED);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1), fill(2, 9, 101, 1)]);
    expect(book.bestAsk()).toBe(102);
    expect(book.has(9)).toBe(false);
  });
});

describe("book - cancel and amend", () => {
  it("book - cancel returns the remaining quantity, or -1 when not resting", () => {
    const { book } = setup();
    book.addLimit(1, 1, BUY, 100, 5, "GTC");
    book.addMarket(9, 2, SELL, 2);
    expect(book.cancel(1)).toBe(3);
    expect(book.cancel(1)).toBe(-1);
    expect(book.cancel(42)).toBe(-1);
    expect(book.has(1)).toBe(false);
    expect(book.bestBid()).toBeNaN();
    expect(book.depth(BUY, 10)).toEqual([]);
  });

  it("book - cancel in the middle of a level keeps the others in order", () => {
    const { book, rec } = setup();
    for (const id of [1, 2, 3]) book.addLimit(id, 1, SELL, 100, 1, "GTC");
    expect(book.cancel(2)).toBe(1);
    book.addMarket(9, 2, BUY, 2);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1), fill(3, 9, 100, 1)]);
  });

  it("book - amend reducing quantity at the same price keeps priority", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 5, "GTC");
    book.addLimit(2, 1, SELL, 100, 5, "GTC");
    expect(book.amend(1, 100, 2)).toBe(RESTED);
    expect(book.depth(SELL, 1)).toEqual([[100, 7]]);
    book.addMarket(9, 2, BUY, 3);
    expect(rec.take()).toEqual([fill(1, 9, 100, 2), fill(2, 9, 100, 1)]);
  });

  it("book - amend to the same price and quantity is a no-op", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 5, "GTC");
    book.addLimit(2, 1, SELL, 100, 5, "GTC");
    expect(book.amend(1, 100, 5)).toBe(RESTED);
    book.addMarket(9, 2, BUY, 1);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1)]);
  });

  it("book - amend increasing quantity loses priority", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 5, "GTC");
    book.addLimit(2, 1, SELL, 100, 5, "GTC");
    expect(book.amend(1, 100, 6)).toBe(RESTED);
    expect(book.remainingOf(1)).toBe(6);
    book.addMarket(9, 2, BUY, 6);
    expect(rec.take()).toEqual([fill(2, 9, 100, 5), fill(1, 9, 100, 1)]);
  });

  it("book - amend changing price loses priority even when moving back", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, SELL, 100, 1, "GTC");
    book.addLimit(2, 1, SELL, 100, 1, "GTC");
    expect(book.amend(1, 101, 1)).toBe(RESTED);
    expect(book.amend(1, 100, 1)).toBe(RESTED);
    book.addMarket(9, 2, BUY, 2);
    expect(rec.take()).toEqual([fill(2, 9, 100, 1), fill(1, 9, 100, 1)]);
  });

  it("book - amend to a crossing price matches and reports what happened", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, BUY, 100, 2, "GTC");
    book.addLimit(2, 2, SELL, 102, 3, "GTC");
    expect(book.amend(2, 100, 3)).toBe(RESTED);
    expect(book.lastFilledQty).toBe(2);
    expect(rec.take()).toEqual([fill(1, 2, 100, 2, 1, 2)]);
    expect(book.remainingOf(2)).toBe(1);
    expect(book.bestAsk()).toBe(100);
    book.addLimit(3, 1, BUY, 99, 1, "GTC");
    expect(book.amend(3, 100, 1)).toBe(FILLED);
    expect(book.has(3)).toBe(false);
  });

  it("book - amend with postOnly rejects a crossing price and leaves the order as it was", () => {
    const { book, rec } = setup();
    book.addLimit(1, 1, BUY, 100, 2, "GTC");
    book.addLimit(2, 2, SELL, 102, 3, "GTC");
    expect(book.amend(2, 100, 3, true)).toBe(REJECTED_POST_ONLY);
    expect(book.get(2)).toEqual({ id: 2, owner: 2, side: SELL, price: 102, remaining: 3 });
    expect(book.amend(2, 101, 3, true)).toBe(RESTED);
    expect(rec.take()).toEqual([]);
  });

  it("book - amend of an order that is not resting returns -1", () => {
    const { book } = setup();
    expect(book.amend(7, 100, 1)).toBe(-1);
  });
});

describe("book - self-trade prevention", () => {
  function stpBook(stp: StpMode) {
    const s = setup(stp);
    s.book.addLimit(1, 2, SELL, 100, 1, "GTC");
    s.book.addLimit(2, 7, SELL, 100, 1, "GTC");
    s.book.addLimit(3, 2, SELL, 101, 1, "GTC");
    return s;
  }

  it("book - STP expire_maker removes the maker and matching goes on", () => {
    const { book, rec } = stpBook("expire_maker");
    expect(book.addLimit(9, 7, BUY, 101, 3, "GTC")).toBe(RESTED);
    expect(rec.take()).toEqual([
      fill(1, 9, 100, 1, 2, 7),
      ["expired", 2, 1],
      fill(3, 9, 101, 1, 2, 7),
    ]);
    expect(book.lastFilledQty).toBe(2);
    expect(book.remainingOf(9)).toBe(1);
    expect(book.has(2)).toBe(false);
  });

  it("book - STP expire_taker expires the taker, earlier fills stand", () => {
    const { book, rec } = stpBook("expire_taker");
    expect(book.addLimit(9, 7, BUY, 101, 3, "GTC")).toBe(EXPIRED_STP);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1, 2, 7)]);
    expect(book.lastFilledQty).toBe(1);
    expect(book.has(9)).toBe(false);
    expect(book.remainingOf(2)).toBe(1);
    expect(book.bestBid()).toBeNaN();
  });

  it("book - STP expire_both expires the maker and the taker", () => {
    const { book, rec } = stpBook("expire_both");
    expect(book.addMarket(9, 7, BUY, 3)).toBe(EXPIRED_STP);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1, 2, 7), ["expired", 2, 1]]);
    expect(book.lastFilledQty).toBe(1);
    expect([...book.orders()].map((o) => o.id)).toEqual([3]);
  });

  it("book - STP none lets an owner trade with itself", () => {
    const { book, rec } = stpBook("none");
    expect(book.addLimit(9, 7, BUY, 100, 2, "GTC")).toBe(FILLED);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1, 2, 7), fill(2, 9, 100, 1, 7, 7)]);
  });

  it("book - orders of NO_STP_OWNER are never stopped", () => {
    const { book, rec } = setup("expire_both");
    book.addLimit(1, NO_STP_OWNER, SELL, 100, 1, "GTC");
    expect(book.addLimit(9, NO_STP_OWNER, BUY, 100, 1, "GTC")).toBe(FILLED);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1, NO_STP_OWNER, NO_STP_OWNER)]);
  });

  it("book - STP applies when an amend re-adds a crossing order", () => {
    const { book, rec } = setup("expire_taker");
    book.addLimit(1, 7, SELL, 101, 1, "GTC");
    book.addLimit(2, 7, BUY, 99, 1, "GTC");
    expect(book.amend(2, 101, 1)).toBe(EXPIRED_STP);
    expect(book.has(2)).toBe(false);
    expect(rec.take()).toEqual([]);
  });

  it("book - FOK under expire_maker counts only other owners' quantity", () => {
    const { book, rec } = stpBook("expire_maker");
    expect(book.addLimit(8, 7, BUY, 101, 3, "FOK")).toBe(REJECTED_FOK);
    expect(rec.take()).toEqual([]);
    expect(book.size).toBe(3);
    expect(book.addLimit(9, 7, BUY, 101, 2, "FOK")).toBe(FILLED);
    expect(rec.take()).toEqual([
      fill(1, 9, 100, 1, 2, 7),
      ["expired", 2, 1],
      fill(3, 9, 101, 1, 2, 7),
    ]);
  });

  it("book - FOK under expire_taker is rejected when it would meet its own order first", () => {
    const { book, rec } = stpBook("expire_taker");
    expect(book.addLimit(8, 7, BUY, 101, 2, "FOK")).toBe(REJECTED_FOK);
    expect(book.addLimit(9, 7, BUY, 100, 1, "FOK")).toBe(FILLED);
    expect(rec.take()).toEqual([fill(1, 9, 100, 1, 2, 7)]);
  });
});

describe("book - queries", () => {
  function filled() {
    const s = setup();
    s.book.addLimit(1, 1, BUY, 100, 2, "GTC");
    s.book.addLimit(2, 3, BUY, 100, 3, "GTC");
    s.book.addLimit(3, 1, BUY, 98, 1, "GTC");
    s.book.addLimit(4, 1, SELL, 101, 4, "GTC");
    s.book.addLimit(5, 1, SELL, 103, 1, "GTC");
    s.book.addLimit(6, 1, SELL, 102, 2, "GTC");
    return s;
  }

  it("book - depth aggregates levels, best first, up to maxLevels", () => {
    const { book } = filled();
    expect(book.depth(BUY, 10)).toEqual([
      [100, 5],
      [98, 1],
    ]);
    expect(book.depth(SELL, 2)).toEqual([
      [101, 4],
      [102, 2],
    ]);
    expect(book.depth(SELL, 0)).toEqual([]);
  });

  it("book - forEachCrossing walks in price-time order and changes nothing", () => {
    const { book, rec } = filled();
    const seen: number[][] = [];
    book.forEachCrossing(SELL, 98, (price, qty, owner, id) => {
      seen.push([price, qty, owner, id]);
      return true;
    });
    expect(seen).toEqual([
      [100, 2, 1, 1],
      [100, 3, 3, 2],
      [98, 1, 1, 3],
    ]);
    const before = [...book.orders()];
    const asks: number[] = [];
    book.forEachCrossing(BUY, 200, (price) => {
      asks.push(price);
      return asks.length < 2;
    });
    expect(asks).toEqual([101, 102]);
    expect([...book.orders()]).toEqual(before);
    expect(rec.events).toEqual([]);
  });

  it("book - forEachCrossing at an infinite limit walks the whole opposite side", () => {
    const { book } = filled();
    const asks: number[] = [];
    book.forEachCrossing(BUY, Number.POSITIVE_INFINITY, (_p, _q, _o, id) => asks.push(id) > 0);
    const bids: number[] = [];
    book.forEachCrossing(SELL, Number.NEGATIVE_INFINITY, (_p, _q, _o, id) => bids.push(id) > 0);
    expect(asks).toEqual([4, 6, 5]);
    expect(bids).toEqual([1, 2, 3]);
    let none = 0;
    book.forEachCrossing(SELL, Number.POSITIVE_INFINITY, () => ++none > 0);
    expect(none).toBe(0);
  });

  it("book - forEachCrossing sees nothing when the limit does not cross", () => {
    const { book } = filled();
    let calls = 0;
    book.forEachCrossing(BUY, 100, () => ++calls > 0);
    expect(calls).toBe(0);
  });

  it("book - orders() lists bids then asks, each in priority order", () => {
    const { book } = filled();
    expect([...book.orders()].map((o) => o.id)).toEqual([1, 2, 3, 4, 6, 5]);
  });
});

describe("book - guards", () => {
  it("book - malformed input throws InvalidInputError", () => {
    const { book } = setup();
    book.addLimit(1, 1, BUY, 100, 1, "GTC");
    expect(() => book.addLimit(1, 1, BUY, 100, 1, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addMarket(1, 1, SELL, 1)).toThrow(InvalidInputError);
    expect(() => book.addLimit(2, 1, BUY, 100.5, 1, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addLimit(2, 1, BUY, 100, 0, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addLimit(2, 1, BUY, 100, -1, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addLimit(2, 1, BUY, 100, 2 ** 53, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addLimit(2.5, 1, BUY, 100, 1, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addLimit(2, Number.NaN, BUY, 100, 1, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addLimit(2, 1, 2 as never, 100, 1, "GTC")).toThrow(InvalidInputError);
    expect(() => book.addLimit(2, 1, BUY, 100, 1, "DAY" as never)).toThrow(InvalidInputError);
    expect(() => book.addMarket(2, 1, BUY, 1, Number.POSITIVE_INFINITY)).toThrow(InvalidInputError);
    expect(() => book.amend(1, 100, 0)).toThrow(InvalidInputError);
    expect(() => new OrderBook(new Recorder(), { stp: "cancel" as never })).toThrow(
      InvalidInputError,
    );
    expect([...book.orders()]).toEqual([{ id: 1, owner: 1, side: BUY, price: 100, remaining: 1 }]);
  });

  it("book - a listener cannot change the book while it is matching", () => {
    const errors: unknown[] = [];
    const book: OrderBook = new OrderBook({
      onFill(makerId) {
        try {
          book.cancel(makerId);
        } catch (err) {
          errors.push(err);
        }
      },
      onMakerExpired() {},
    });
    book.addLimit(1, 1, SELL, 100, 2, "GTC");
    book.addLimit(2, 1, SELL, 100, 2, "GTC");
    expect(book.addMarket(9, 2, BUY, 3)).toBe(FILLED);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(InternalError);
    expect(book.remainingOf(2)).toBe(1);
    expect(book.cancel(2)).toBe(1);
  });

  it("book - a throwing listener aborts the taker and leaves the book consistent", () => {
    let fills = 0;
    const book = new OrderBook({
      onFill() {
        if (++fills === 2) throw new Error("listener bug");
      },
      onMakerExpired() {},
    });
    book.addLimit(1, 1, SELL, 100, 1, "GTC");
    book.addLimit(2, 1, SELL, 101, 1, "GTC");
    book.addLimit(3, 1, SELL, 102, 1, "GTC");
    expect(() => book.addLimit(9, 2, BUY, 102, 5, "GTC")).toThrow("listener bug");
    expect(book.has(9)).toBe(false);
    expect(book.bestAsk()).toBe(102);
    expect(book.depth(SELL, 10)).toEqual([[102, 1]]);
    expect(book.addLimit(10, 2, BUY, 102, 1, "GTC")).toBe(FILLED);
  });

  it("book - forEachCrossing's callback cannot change the book", () => {
    const { book } = setup();
    book.addLimit(1, 1, SELL, 100, 2, "GTC");
    expect(() =>
      book.forEachCrossing(BUY, 100, () => {
        book.cancel(1);
        return true;
      }),
    ).toThrow(InternalError);
    expect(book.cancel(1)).toBe(2);
  });
});
